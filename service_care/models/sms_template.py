# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import sms_text


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    care_sms_info = fields.Char(
        string="SMS Parts",
        compute="_compute_care_sms_info",
        help="How the gateway counts this text: parts billed, encoding, room "
        "left. Placeholders count as written until they are filled in.",
    )

    @api.depends("body")
    @api.depends_context("company")
    def _compute_care_sms_info(self):
        for template in self:
            template.care_sms_info = self._care_describe_text(
                template.body, self.env.company
            )

    @api.model
    def _care_describe_text(self, text, company):
        """Say how ``text`` is billed: parts, encoding, room left, cost."""
        info = sms_text.sms_info(text)
        if not info.segments:
            return False
        encoding = (
            self.env._("GSM 7-bit")
            if info.encoding == sms_text.GSM7
            else self.env._("Unicode (UCS-2)")
        )
        description = self.env._(
            "%(segments)s SMS part(s), %(encoding)s, %(remaining)s characters "
            "left in the last part",
            segments=info.segments,
            encoding=encoding,
            remaining=info.remaining,
        )
        gateway = self.env["service.care.sms.gateway"]._default_for(company)
        if gateway.price_per_segment:
            price = sms_text.cost(text, gateway.price_per_segment)
            description += self.env._(
                ", %(cost)s %(currency)s each",
                cost=price,
                currency=gateway.currency_id.symbol or "",
            )
        return description

    def _care_send_now(self, records, required_fields=()):
        """Text the customers of ``records`` now with this template.

        For the buttons on orders and deliveries: a transactional message
        through the send pipeline (blacklist and contact checks), logged in
        the document's chatter, handed to the SMS queue at once.

        :param required_fields: fields of the documents the text needs
        :return: a client action notifying the user
        """
        self.ensure_one()
        records.check_access("read")
        missing = records.filtered(
            lambda record: any(not record[name] for name in required_fields)
        )
        if missing:
            labels = [records._fields[name].string for name in required_fields]
            raise UserError(
                self.env._(
                    "Fill in %(fields)s on %(documents)s first.",
                    fields=", ".join(labels),
                    documents=", ".join(missing.mapped("display_name")),
                )
            )
        gateway = self.env["service.care.sms.gateway"]._default_for(
            records[:1].company_id if "company_id" in records else self.env.company
        )
        if gateway:
            gateway._care_check_user_limit(len(records))
        # sudo: whoever may read the document may text its customer about it;
        # the pipeline still checks the number and the blacklist.
        messages = (
            self.env["service.care.message"]
            .sudo()
            .send_template(self.sudo(), records, "sms", kind="transactional")
        )
        # sudo: the user sending the SMS wakes Odoo's SMS queue.
        self.env.ref("sms.ir_cron_sms_scheduler_action").sudo()._trigger()
        queued = messages.filtered(lambda m: m.state == "queued")
        problems = messages - queued
        if problems:
            message = "\n".join(
                f"{m.partner_id.display_name}: {m.reason}" for m in problems
            )
            notification_type = "warning"
        else:
            message = self.env._("The SMS is on its way.")
            notification_type = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.name,
                "message": message,
                "type": notification_type,
                "sticky": bool(problems),
            },
        }
