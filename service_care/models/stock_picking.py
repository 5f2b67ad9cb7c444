# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Start the scenarios of delivered orders."""
        res = super()._action_done()
        delivered = self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        orders = delivered.sale_id
        if orders:
            # sudo: warehouse users validate deliveries without rights on
            # service_care; starting a scenario reads its configuration only.
            scenarios = self.env["service.care.scenario"].sudo()
            scenarios._care_trigger("delivery_done", orders)
            fully = orders.filtered(
                lambda o: all(
                    line.qty_delivered >= line.product_uom_qty
                    for line in o.order_line
                    if line.product_id.type == "consu"
                )
            )
            scenarios._care_trigger("order_delivered", fully)
        return res
