# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """Order messages: what the customer is told when the order is
    confirmed, shipped, delivered or cancelled (the shipped scenarios of
    ``data/order_messages_scenario_data.xml``)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    care_tracking_ref = fields.Char(
        "Tracking Reference",
        compute="_compute_care_tracking_ref",
        help="The carrier's tracking references of the deliveries done (with "
        "Odoo's shipping connectors); the shipped message gives them.",
    )

    @api.depends("picking_ids.state")
    def _compute_care_tracking_ref(self):
        for order in self:
            done = order.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            refs = (
                done.mapped("carrier_tracking_ref")
                if "carrier_tracking_ref" in done._fields
                else []
            )
            order.care_tracking_ref = ", ".join(ref for ref in refs if ref)

    def _action_cancel(self):
        confirmed = self.filtered(lambda o: o.state == "sale")
        result = super()._action_cancel()
        # sudo: whoever cancels (a salesperson, the customer on the portal)
        # starts the order's messages; starting reads only their setup.
        self.env["service.care.scenario"].sudo()._care_trigger(
            "order_cancelled", confirmed.filtered(lambda o: o.state == "cancel")
        )
        return result
