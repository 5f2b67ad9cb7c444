# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class SaleOrder(models.Model):
    """The consent boxes of the website checkout's last step."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _care_checkout_boxes(self):
        """The boxes to show on this cart's checkout: a list of dicts with
        ``channel``, ``label`` (word for word what is stored) and ``checked``
        (the customer ticked it on this order and did not untick it)."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id
        if not partner or partner == self.website_id.user_id.partner_id:
            return []
        ticked = self._care_checkout_answers()
        boxes = []
        if company.care_checkout_email_box and company.care_checkout_email_label:
            boxes.append(("email", company.care_checkout_email_label))
        if (
            company.care_checkout_sms_box
            and company.care_checkout_sms_label
            and partner._care_contact_status("sms")[partner.id].ok
        ):
            boxes.append(("sms", company.care_checkout_sms_label))
        return [
            {"channel": channel, "label": label, "checked": ticked.get(channel, False)}
            for channel, label in boxes
            # A customer who already agreed is not asked again, unless they
            # answered on this order (the box then shows their answer).
            if channel in ticked or not partner[f"care_{channel}_consent"]
        ]

    def _care_checkout_answers(self):
        """{channel: ticked} from the latest checkout row of this order."""
        self.ensure_one()
        # sudo: the customer's own answers on their own cart.
        latest = (
            self.env["service.care.consent"]
            .sudo()
            ._care_latest(
                [("order_id", "=", self.id), ("source", "=", "checkout")],
                lambda row: row.channel,
            )
        )
        return {channel: row.granted for channel, row in latest.items()}

    def _care_checkout_answer(self, channel, ticked, ip):
        """The customer ticked or unticked a checkout box: log it on their
        consents, once per change. Returns the new row, if any."""
        self.ensure_one()
        box = {box["channel"]: box for box in self._care_checkout_boxes()}.get(channel)
        if box is None or box["checked"] == ticked:
            return self.env["service.care.consent"]
        # An untick withdraws only what the tick on this order gave.
        return self.partner_id._care_set_consent(
            channel, ticked, "checkout", box["label"], ip=ip, order=self
        )
