# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import uuid
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, html2plaintext, split_every

from ..tools import consent as consent_logic
from ..tools import message_state, policy, signed_link, sms_text, tracking
from ..tools.contact import MISSING
from .mail_render_mixin import RENDER_ONCE
from .service_care_batch_job import FanOut

_logger = logging.getLogger(__name__)

CHANNELS = [("email", "Email"), ("sms", "SMS")]
KINDS = [("transactional", "Transactional"), ("marketing", "Marketing")]
STATES = [
    ("scheduled", "Scheduled"),
    ("queued", "Queued"),
    ("uncertain", "May Have Gone Out"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("converted", "Converted"),
    ("bounced", "Bounced"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("cancelled", "Cancelled"),
]
# Messages logged, rendered and queued together (see ``send_template``).
SEND_CHUNK = 1000
# A skip for want of an address on the channel: no outcome of its own when
# another channel of the same run reached the customer.
NO_CONTACT = "no_contact"
# States in which a marketing message counts against the frequency cap.
CAPPED_STATES = (
    "queued",
    "uncertain",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "converted",
)


class ServiceCareMessage(models.Model):
    """One message sent, or deliberately not sent, by service_care.

    Every feature sends through :meth:`send_template`, which logs here, applies
    the send policy and queues the mail or SMS through Odoo's own queues.
    """

    _name = "service.care.message"
    _description = "Service Care Message"
    _order = "id desc"
    _rec_names_search = ["partner_id", "subject"]

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    channel = fields.Selection(CHANNELS, required=True, index=True)
    kind = fields.Selection(KINDS, required=True, default="marketing")
    scenario_id = fields.Many2one(
        "service.care.scenario", index=True, ondelete="set null"
    )
    scenario_step_id = fields.Many2one(
        "service.care.scenario.step", index=True, ondelete="set null"
    )
    run_id = fields.Many2one(
        "service.care.scenario.run", index="btree_not_null", ondelete="set null"
    )
    variant = fields.Char(help="The A/B variant this message belongs to.")
    res_model = fields.Char("Document Model", index=True)
    res_id = fields.Many2oneReference(
        "Document ID", model_field="res_model", index=True
    )
    mail_template_id = fields.Many2one("mail.template", ondelete="set null")
    sms_template_id = fields.Many2one("sms.template", ondelete="set null")
    mail_message_id = fields.Many2one(
        "mail.message", "Chatter Message", index="btree_not_null", ondelete="set null"
    )
    sms_uuid = fields.Char("SMS UUID", index="btree_not_null", copy=False)
    subject = fields.Char()
    uuid = fields.Char(
        "UUID",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex,
    )
    state = fields.Selection(STATES, required=True, default="scheduled", index=True)
    scheduled_at = fields.Datetime(
        index=True, default=fields.Datetime.now, help="When it is due to go out."
    )
    queued_at = fields.Datetime(readonly=True)
    uncertain_at = fields.Datetime("May Have Gone Out At", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    opened_at = fields.Datetime(readonly=True)
    clicked_at = fields.Datetime(readonly=True)
    converted_at = fields.Datetime(readonly=True)
    bounced_at = fields.Datetime(readonly=True)
    failed_at = fields.Datetime(readonly=True)
    skipped_at = fields.Datetime(readonly=True)
    cancelled_at = fields.Datetime(readonly=True)
    reason_code = fields.Char(readonly=True)
    reason = fields.Text(readonly=True, help="Why it was skipped, deferred or failed.")
    open_count = fields.Integer(readonly=True)
    machine_open_count = fields.Integer(
        readonly=True,
        help="Opens by a mail privacy proxy (Apple Mail) rather than by a person.",
    )
    click_count = fields.Integer(readonly=True)
    possible_duplicate_count = fields.Integer(
        "Possible Duplicates",
        readonly=True,
        help="Times this order message was sent again after a crash left "
        "unknown whether the server had taken it (order messages are sent at "
        "least once, so the customer may have it twice).",
    )
    resent_at = fields.Datetime(
        "Re-sent At",
        readonly=True,
        help="When staff sent again a message that may have gone out.",
    )
    cost = fields.Float(digits=(16, 4), readonly=True)
    sms_gateway_id = fields.Many2one(
        "service.care.sms.gateway",
        "SMS Gateway",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The gateway that took the SMS (and billed it).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    order_id = fields.Many2one(
        "sale.order", "Attributed Order", index="btree_not_null", ondelete="set null"
    )
    attribution = fields.Selection(
        [("direct", "Direct (clicked)"), ("assisted", "Assisted (seen)")],
        readonly=True,
    )
    amount = fields.Monetary("Attributed Revenue", readonly=True)

    _sql_constraints = [
        ("uuid_unique", "unique(uuid)", "A message UUID must be unique."),
    ]

    @api.depends("partner_id", "channel", "subject")
    def _compute_display_name(self):
        channels = dict(CHANNELS)
        for message in self:
            label = message.subject or channels.get(message.channel, "")
            message.display_name = f"{label} → {message.partner_id.display_name}"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_cancel(self):
        self._mark(
            "cancelled",
            reason_code="cancelled",
            reason=self.env._("Cancelled by hand."),
        )

    def action_resend(self):
        """Send again, once, messages a crash left "may have gone out"."""
        resendable = self.filtered(lambda m: m.state == "uncertain" and not m.resent_at)
        if resendable != self:
            raise UserError(
                self.env._(
                    "Only a message that may have gone out, and was not re-sent "
                    "yet, can be re-sent."
                )
            )
        # sudo: the queues of mail.mail and sms.sms are system records; staff
        # who may read the log may re-send its messages.
        emails = resendable.filtered(lambda m: m.channel == "email")
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", emails.mail_message_id.ids),
                    ("state", "=", "exception"),
                ]
            )
        )
        smses = (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("uuid", "in", (resendable - emails).mapped("sms_uuid")),
                    ("state", "=", "error"),
                ]
            )
        )
        Attempt = self.env["service.care.send.attempt"]
        Attempt._care_forget("mail.mail", mails.ids)
        Attempt._care_forget("sms.sms", smses.ids)
        mails.write({"state": "outgoing", "failure_reason": False})
        smses.write({"state": "outgoing", "failure_type": False})
        resendable.write(
            {"state": "queued", "resent_at": fields.Datetime.now(), "reason": False}
        )
        if mails:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        if smses:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _care_left_uncertain(self, reason):
        """Log that a crash left these messages' fate unknown.

        Marketing messages are not sent again automatically: better one
        customer without a promotion than one who gets it twice. Order
        messages are (at least once), and the possible duplicate is counted.
        """
        marketing = self.filtered(lambda m: m.kind == "marketing")
        marketing._mark("uncertain", reason_code="uncertain", reason=reason)
        (self - marketing)._increment("possible_duplicate_count")
        return marketing

    # ------------------------------------------------------------------
    # The one send API
    # ------------------------------------------------------------------

    @api.model
    def send_template(
        self,
        template,
        records,
        channel,
        kind="marketing",
        scenario_step=False,
        *,
        partners=None,
        extra_vals=None,
    ):
        """Log one message per record and send, defer or skip each by policy.

        :param template: a ``mail.template`` (email) or ``sms.template`` (SMS)
            whose model is the model of ``records``;
        :param records: the documents the messages are about (repeats allowed);
        :param partners: the recipient of each record, in order; by default
            the document's customer (``partner_id``, or the partner itself);
        :param extra_vals: values to log on each message, in order (run, variant);
        :return: the ``service.care.message`` records, one per record, but
            for a record of a scenario run that reached its customer already
            and whose customer has no address on ``channel``: no outcome.
        """
        if not records:
            return self.browse()
        step = scenario_step or self.env["service.care.scenario.step"]
        template_field = "mail_template_id" if channel == "email" else "sms_template_id"
        # Only the columns read here: reading one field of a document loads
        # all of them, for all of a campaign's thousands at once.
        wanted = [
            name for name in ("company_id", "partner_id") if name in records._fields
        ]
        if wanted:
            records.browse(list(dict.fromkeys(records.ids))).fetch(wanted)
        if partners is None:
            partners = self._recipients_of(records)
        extra_vals = extra_vals or [{}] * len(records)
        vals_list = [
            {
                "partner_id": partner.id,
                "company_id": (record.company_id or self.env.company).id
                if "company_id" in record._fields
                else self.env.company.id,
                "channel": channel,
                "kind": kind,
                "scenario_step_id": step.id,
                "scenario_id": step.scenario_id.id,
                "res_model": record._name,
                "res_id": record.id,
                template_field: template.id,
                **extra,
            }
            for record, partner, extra in zip(
                records, partners, extra_vals, strict=True
            )
        ]
        vals_list = self._care_worth_logging(channel, vals_list)
        message_ids = []
        # A thousand at a time, saved and let go of before the next: memory
        # stays flat however many customers a campaign has.
        for chunk in split_every(SEND_CHUNK, vals_list):
            messages = self.create(chunk)
            messages._dispatch()
            message_ids += messages.ids
            if len(vals_list) > SEND_CHUNK:
                self.env.flush_all()
                self.env.invalidate_all()
        return self.browse(message_ids)

    @api.model
    def _care_worth_logging(self, channel, vals_list):
        """Leave out the messages of runs that reached their customer already
        on another channel, to customers without an address on this one (one
        outcome per customer and step; see ``_care_drop_channels_without_contact``
        for the other order)."""
        run_ids = {vals["run_id"] for vals in vals_list if vals.get("run_id")}
        if not run_ids:
            return vals_list
        self.flush_model(["run_id", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT run_id FROM service_care_message "
                "WHERE run_id IN %s AND state IN %s",
                tuple(run_ids),
                CAPPED_STATES,
            )
        )
        reached = {row[0] for row in self.env.cr.fetchall()}
        if not reached:
            return vals_list
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_list if vals.get("run_id") in reached}
        )
        contacts = partners._care_contact_status(channel)
        return [
            vals
            for vals in vals_list
            if vals.get("run_id") not in reached
            or contacts[vals["partner_id"]].reason_code != MISSING
        ]

    @api.model
    def _recipients_of(self, records):
        """Return the customer of each record, in order (repeats kept)."""
        if records._name == "res.partner":
            return list(records)
        return [record.partner_id for record in records]

    def _dispatch(self):
        """Apply the send policy to scheduled messages and queue those due now."""
        now = fields.Datetime.now()
        to_send = self.browse()
        outcomes = defaultdict(self.browse)
        for channel, messages in self.grouped("channel").items():
            contacts = messages.partner_id._care_contact_status(channel)
            last_sends = messages._last_marketing_sends(channel)
            consents = messages._marketing_consents(channel)
            policies = {}
            for message in messages:
                partner = message.partner_id
                company = message.company_id
                if company not in policies:
                    policies[company] = company._care_policy()
                contact = contacts[partner.id]
                decision = policy.decide(
                    message.kind,
                    channel,
                    now,
                    partner.tz or company.partner_id.tz or "UTC",
                    partner.country_id.code or company.country_id.code or "",
                    last_sends[partner.id] if message._care_capped() else [],
                    has_consent=consents.get(message.id, False),
                    contact_valid=contact.ok or contact.blacklisted,
                    blacklisted=contact.blacklisted,
                    policy=policies[company],
                )
                if message.kind == "marketing" and decision.action != policy.SKIP:
                    # The next message of this batch to the same customer
                    # keeps its distance from this one.
                    last_sends[partner.id].append(decision.at or now)
                if decision.action == policy.SEND:
                    to_send |= message
                    continue
                reason = message._reason_text(decision, contact)
                code = decision.reason
                if code == "invalid_contact" and contact.reason_code == MISSING:
                    code = NO_CONTACT
                outcomes[(decision.action, decision.at, code, reason)] |= message
        # One write per distinct outcome, not one per message.
        for (action, at, code, reason), messages in outcomes.items():
            if action == policy.DEFER:
                messages.write(
                    {"scheduled_at": at, "reason_code": code, "reason": reason}
                )
            else:
                messages._mark("skipped", reason_code=code, reason=reason)
        to_send._queue()
        self._care_drop_channels_without_contact(self.run_id)

    @api.model
    def _care_drop_channels_without_contact(self, runs):
        """One outcome per customer and step: a channel the customer has no
        address for is not a skipped message when another message of the
        same run reached them (queued or beyond); it stays logged as skipped
        only when no channel did."""
        if not runs:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT m.id FROM service_care_message m
             WHERE m.run_id IN %(runs)s
               AND m.state = 'skipped' AND m.reason_code = %(code)s
               AND EXISTS (
                   SELECT 1 FROM service_care_message other
                    WHERE other.run_id = m.run_id AND other.id != m.id
                      AND other.state IN %(reached)s)
                """,
                runs=tuple(runs.ids),
                code=NO_CONTACT,
                reached=CAPPED_STATES,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        # sudo: rows the pipeline logged itself a moment ago, dropped whoever
        # triggered the send.
        self.sudo().browse(ids).unlink()

    def _care_capped(self):
        """Whether the frequency cap holds this message back (its scenario
        may answer what the customer just did, and not wait for it)."""
        self.ensure_one()
        return not self.scenario_id or self.scenario_id.frequency_cap

    def _marketing_consents(self, channel):
        """{message id: whether its customer agreed to its purpose} for the
        marketing messages, a query per company and purpose."""
        consents = {}
        marketing = self.filtered(lambda message: message.kind == "marketing")
        groups = marketing.grouped(
            lambda message: (
                message.company_id,
                message.scenario_id.purpose or consent_logic.DEFAULT_PURPOSE,
            )
        )
        for (company, purpose), messages in groups.items():
            allowed = messages.partner_id._care_marketing_allowed(
                channel, [purpose], company
            )
            for message in messages:
                consents[message.id] = allowed[message.partner_id.id, purpose]
        return consents

    def _reason_text(self, decision, contact):
        """Say in the user's words why the policy did not send now."""
        channel = dict(CHANNELS)[self.channel]
        if decision.reason == "invalid_contact":
            return contact.reason or self.env._(
                "No valid %(channel)s contact.", channel=channel
            )
        if decision.reason == "blacklisted":
            return self.env._(
                "The customer's %(channel)s is blacklisted.", channel=channel
            )
        if decision.reason == "no_consent":
            return self.env._(
                "The customer has not given consent to marketing by %(channel)s.",
                channel=channel,
            )
        if decision.reason == "quiet_hours":
            return self.env._("Outside the customer's send window: sent when it opens.")
        if decision.reason == "frequency_cap":
            return self.env._(
                "The customer already had a marketing %(channel)s recently: "
                "sent when the frequency cap allows.",
                channel=channel,
            )
        return decision.message

    def _last_marketing_sends(self, channel):
        """Return {partner_id: [times of their other marketing messages]}.

        The last one queued counts, and so do those still scheduled: two
        deferred messages must not both go out when the window opens.
        """
        domain = [
            ("partner_id", "in", self.partner_id.ids),
            ("channel", "=", channel),
            ("kind", "=", "marketing"),
            ("id", "not in", self.ids),
        ]
        sends = defaultdict(list)
        for partner, last in self._read_group(
            [*domain, ("state", "in", CAPPED_STATES)], ["partner_id"], ["queued_at:max"]
        ):
            if last:
                sends[partner.id].append(last)
        for partner, planned in self._read_group(
            [*domain, ("state", "=", "scheduled")],
            ["partner_id"],
            ["scheduled_at:array_agg"],
        ):
            sends[partner.id].extend(at for at in planned if at)
        return sends

    def _queue(self):
        """Render and queue the messages through Odoo's mail or SMS queue."""
        emails = self.filtered(lambda m: m.channel == "email")
        smses = self - emails
        emails._queue_emails()
        smses._queue_smses()
        # Odoo's queues run hourly by default: wake them now, not within the
        # hour (an order message an hour late is no use).
        if emails:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        if smses:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _render_groups(self, template_field):
        """Group messages by (template, document model, language) for rendering."""
        groups = defaultdict(self.browse)
        for message in self:
            key = (message[template_field], message.res_model, message.partner_id.lang)
            groups[key] |= message
        return groups.items()

    def _render_or_fail(self, template, fields_to_render):
        """Render ``template`` for the documents of these messages.

        :return: {res_id: values}, or ``None`` after failing the messages with
            the reason when the template cannot be rendered for them.
        """
        if not template or template.model != self[:1].res_model:
            self._mark(
                "failed",
                reason_code="template_missing",
                reason=self.env._(
                    "No template for %(model)s documents.", model=self[:1].res_model
                ),
            )
            return None
        res_ids = self.mapped("res_id")
        # Compiled once for all these documents (see mail.render.mixin).
        template = template.with_context(**{RENDER_ONCE: True})
        try:
            if template._name == "sms.template":
                bodies = template._render_field("body", res_ids, compute_lang=True)
                return {res_id: {"body": body} for res_id, body in bodies.items()}
            return template._generate_template(res_ids, fields_to_render)
        # Any rendering error (bad expression, missing field) fails softly.
        except Exception as error:
            _logger.warning("service_care: template %s failed: %s", template.id, error)
            self._mark(
                "failed",
                reason_code="render_error",
                reason=self.env._(
                    "Template %(template)s could not be rendered: %(error)s",
                    template=template.display_name,
                    error=error,
                ),
            )
            return None

    def _queue_emails(self):
        """Queue one outgoing mail per message, posted in the document's
        chatter, in bulk (``mail.mail._care_create_outgoing``)."""
        if not self:
            return
        note = self.env.ref("mail.mt_note")
        # The chatter copy goes through the sanitiser of Odoo's chatter field.
        chatter_body = self.env["mail.message"]._fields["body"]
        Message = self.env["mail.message"]
        # The tracking links' base URL, the same for every message (the
        # model has no website of its own), read once.
        base_url = self[:1].get_base_url()
        mail_vals, queued = [], self.browse()
        for (template, _model, lang), messages in self._render_groups(
            "mail_template_id"
        ):
            rendered = messages._render_or_fail(
                template.with_context(lang=lang),
                ("subject", "body_html", "email_from", "reply_to", "mail_server_id"),
            )
            if rendered is None:
                continue
            # the footer in the customer's language, as the body
            for message in messages.with_context(lang=lang):
                values = rendered[message.res_id]
                body = values.get("body_html") or ""
                mail_vals.append(
                    {
                        "subject": values.get("subject") or False,
                        "body": chatter_body.convert_to_column(body, Message),
                        "body_html": message._tracked_body(body, base_url),
                        "email_from": values.get("email_from")
                        or message.company_id.email_formatted,
                        "reply_to": values.get("reply_to") or False,
                        "mail_server_id": values.get("mail_server_id") or None,
                        "partner_id": message.partner_id.id,
                        "model": message.res_model,
                        "res_id": message.res_id,
                        "message_type": "email_outgoing",
                        "subtype_id": note.id,
                        "headers": repr(message._mail_headers(base_url)),
                    }
                )
                queued |= message
        # sudo: mail.mail is reserved to system users; the pipeline runs for
        # any user or cron and has checked consent and contact already.
        ids = self.env["mail.mail"].sudo()._care_create_outgoing(mail_vals)
        queued._link(
            [
                (message, {"mail_message_id": message_id, "subject": vals["subject"]})
                for message, vals, (message_id, _mail_id) in zip(
                    queued, mail_vals, ids, strict=True
                )
            ]
        )
        queued._mark("queued")

    def _queue_smses(self):
        """Create one outgoing SMS per message, logged in the chatter the SMS way."""
        if not self:
            return
        contacts = self.partner_id._care_contact_status("sms")
        message_vals, sms_vals, queued = [], [], self.browse()
        for (template, _model, lang), messages in self._render_groups(
            "sms_template_id"
        ):
            rendered = messages._render_or_fail(
                template.with_context(lang=lang), ("body",)
            )
            if rendered is None:
                continue
            opt_out = self.with_context(lang=lang).env._("Reply STOP to opt out.")
            for message in messages:
                text = html2plaintext(rendered[message.res_id].get("body") or "")
                if message.kind == "marketing":
                    text = sms_text.with_opt_out(text, opt_out)
                body = message._tracked_text(text)
                message_vals.append(
                    {
                        "body": Markup("<p>%s</p>") % text,
                        "model": message.res_model,
                        "res_id": message.res_id,
                        "message_type": "sms",
                        "subtype_id": self.env.ref("mail.mt_note").id,
                    }
                )
                sms_vals.append(
                    {
                        "body": body,
                        "partner_id": message.partner_id.id,
                        "number": contacts[message.partner_id.id].address,
                        "state": "outgoing",
                    }
                )
                queued |= message
        if not queued:
            return
        # sudo: SMS and their notifications are system records; the pipeline
        # has already checked consent and contact for these partners.
        chatter_messages = self.env["mail.message"].sudo().create(message_vals)
        for vals, chatter_message in zip(sms_vals, chatter_messages, strict=True):
            vals["mail_message_id"] = chatter_message.id
        smses = self.env["sms.sms"].sudo().create(sms_vals)
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": chatter.author_id.id,
                    "mail_message_id": chatter.id,
                    "res_partner_id": sms.partner_id.id,
                    "sms_number": sms.number,
                    "notification_type": "sms",
                    "sms_id_int": sms.id,
                    "sms_tracker_ids": [fields.Command.create({"sms_uuid": sms.uuid})],
                    "is_read": True,
                    "notification_status": "ready",
                }
                for chatter, sms in zip(chatter_messages, smses, strict=True)
            ]
        )
        queued._link(
            [
                (message, {"mail_message_id": chatter.id, "sms_uuid": sms.uuid})
                for message, chatter, sms in zip(
                    queued, chatter_messages, smses, strict=True
                )
            ]
        )
        queued._mark("queued")

    def _link(self, pairs):
        """Store per-message links in one query rather than one UPDATE each.

        :param pairs: list of (message, {column: value}), same columns for all
        """
        if not pairs:
            return
        columns = sorted(pairs[0][1])
        if not set(columns) <= {"mail_message_id", "subject", "sms_uuid", "run_id"}:
            raise ValueError(f"Cannot link columns {columns}")
        rows = [
            (message.id, *(vals[col] for col in columns)) for message, vals in pairs
        ]
        self.env.cr.execute(
            SQL(
                """
            UPDATE service_care_message m
               SET %(sets)s
              FROM (VALUES %(rows)s) AS v(id, %(names)s)
             WHERE m.id = v.id
                """,
                sets=SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(col), SQL.identifier("v", col))
                    for col in columns
                ),
                rows=SQL(", ").join(SQL("%s", row) for row in rows),
                names=SQL(", ").join(SQL.identifier(col) for col in columns),
            )
        )
        self.invalidate_recordset(columns)

    # ------------------------------------------------------------------
    # States and tracking
    # ------------------------------------------------------------------

    def _mark(self, state, when=None, reason_code=False, reason=False):
        """Move messages to ``state`` where that is a move forward."""
        when = when or fields.Datetime.now()
        moving = self.filtered(lambda m: message_state.moves_forward(m.state, state))
        if not moving:
            return moving
        vals = {"state": state}
        if reason_code or reason:
            vals.update(reason_code=reason_code, reason=reason)
        stamp = f"{state}_at"
        # Messages that already have the timestamp keep it.
        without_stamp = moving.filtered(lambda m: not m[stamp])
        (moving - without_stamp).write(vals)
        without_stamp.write(dict(vals, **{stamp: when}))
        return moving

    def _track_open(self, machine=False):
        """Count an open; one by a privacy proxy only counts, it proves nothing."""
        self._increment("machine_open_count" if machine else "open_count")
        if not machine:
            self._mark("opened")

    def _track_click(self):
        """Count a click: the strongest sign of interest a message gets."""
        self._increment("click_count")
        self._mark("clicked")

    def _increment(self, column):
        """Add one to a counter in the database itself.

        A mail client and a privacy proxy often fetch the pixel at the same
        moment: read-modify-write would lose one of the two, or conflict.
        """
        if column not in (
            "open_count",
            "machine_open_count",
            "click_count",
            "possible_duplicate_count",
        ):
            raise ValueError(f"Not a counter: {column}")
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE service_care_message SET %(col)s = COALESCE(%(col)s, 0) + 1 "
                "WHERE id IN %(ids)s",
                col=SQL.identifier(column),
                ids=tuple(self.ids),
            )
        )
        self.invalidate_recordset([column])

    def _token(self, scope, *parts):
        """Return the HMAC token of this message for ``scope`` (open, click...)."""
        self.ensure_one()
        return self.env["service.care.signed.link"]._care_sign(
            scope, (self.uuid, *parts)
        )

    @api.model
    def _from_token(self, message_uuid, scope, token, *parts):
        """Return the message a token was made for, or an empty recordset."""
        # sudo: tracking links are opened by anonymous visitors; the HMAC
        # token is what proves they were given this link.
        message = self.sudo().search([("uuid", "=", message_uuid or "")], limit=1)
        if not message:
            return self.browse()
        verdict = self.env["service.care.signed.link"]._care_verify(
            scope, [(message.uuid, *parts)], token
        )
        return message if verdict == signed_link.VALID else self.browse()

    def _open_url(self, base_url=None):
        self.ensure_one()
        return tracking.open_url(
            base_url or self.get_base_url(), self.uuid, self._token("open")
        )

    def _click_url(self, url, base_url=None):
        self.ensure_one()
        return tracking.click_url(
            base_url or self.get_base_url(), self.uuid, self._token("click", url), url
        )

    def _unsubscribe_url(self, base_url=None):
        self.ensure_one()
        return tracking.unsubscribe_url(
            base_url or self.get_base_url(), self.uuid, self._token("unsubscribe")
        )

    def _preferences_url(self, base_url=None):
        self.ensure_one()
        return tracking.preferences_url(
            base_url or self.get_base_url(), self.uuid, self._token("preferences")
        )

    def _tracked_body(self, body, base_url=None):
        """Add the open pixel, tracked links and unsubscribe footer to a body.

        :param base_url: the links' base URL, when the caller has it already
            (a batch reads it once)
        """
        self.ensure_one()
        base_url = base_url or self.get_base_url()
        if self.kind == "marketing":
            body = tracking.add_footer(
                body,
                self.env._(
                    "You receive this because you agreed to hear from us or "
                    "bought from us."
                ),
                [
                    (
                        self._preferences_url(base_url),
                        self.env._("Choose what you receive"),
                    ),
                    (self._unsubscribe_url(base_url), self.env._("Unsubscribe")),
                ],
            )
        if not self.company_id.care_tracking:
            return body
        body = tracking.rewrite_links(
            body,
            lambda url: self._click_url(url, base_url),
            skip_prefix=f"{base_url}/care/",
        )
        return tracking.add_open_pixel(body, self._open_url(base_url))

    def _tracked_text(self, text):
        """Send the links of an SMS text through the click redirect."""
        self.ensure_one()
        if not self.company_id.care_tracking:
            return text
        return tracking.rewrite_text_links(
            text, self._click_url, skip_prefix=f"{self.get_base_url()}/care/"
        )

    def _mail_headers(self, base_url=None):
        """RFC 8058 one-click unsubscribe headers for marketing mail."""
        self.ensure_one()
        if self.kind != "marketing":
            return {}
        return tracking.list_unsubscribe_headers(self._unsubscribe_url(base_url))

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_dispatch(self, batch_size=500):
        """Send the scheduled messages that are due, a batch at a time.

        See ``service.care.batch.job``: two workers never dispatch the same
        message, and an interrupted run resumes where it stopped.
        """
        done = self.env["service.care.batch.job"]._care_run_queue(
            self,
            self._due_sql,
            SQL("scheduled_at, id"),
            lambda messages: messages._dispatch(),
            batch_size,
            cron="service_care.ir_cron_service_care_message_dispatch",
            fan_out=FanOut(
                self._name,
                "_cron_dispatch",
                "messages",
                "dispatch",
                {"batch_size": batch_size},
            ),
        )
        self._schedule_next_dispatch()
        return done

    @api.model
    def _due_sql(self):
        """The messages due now, as a condition on the table."""
        return SQL("state = 'scheduled' AND scheduled_at <= %s", fields.Datetime.now())

    @api.model
    def _schedule_next_dispatch(self):
        """Wake the dispatch cron when the next deferred message falls due."""
        next_message = self.search(
            [("state", "=", "scheduled")], order="scheduled_at", limit=1
        )
        if next_message:
            self.env.ref("service_care.ir_cron_service_care_message_dispatch")._trigger(
                next_message.scheduled_at
            )
