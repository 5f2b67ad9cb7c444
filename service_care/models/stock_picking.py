# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    care_delivery_from = fields.Datetime(
        string="Delivery From",
        copy=False,
        help="When the courier expects to reach the customer at the earliest: "
        "the start of the window the Courier Left SMS gives.",
    )
    care_delivery_to = fields.Datetime(
        string="Delivery Until",
        copy=False,
        help="The end of the delivery window the Courier Left SMS gives.",
    )

    @api.constrains("care_delivery_from", "care_delivery_to")
    def _check_care_delivery_window(self):
        for picking in self:
            if (
                picking.care_delivery_from
                and picking.care_delivery_to
                and picking.care_delivery_to < picking.care_delivery_from
            ):
                raise ValidationError(
                    self.env._("The delivery window ends before it starts.")
                )

    def _send_confirmation_email(self):
        """Odoo texts the customer when a delivery is validated (stock_sms);
        the order messages' SMS says it instead (tracked, logged, through
        the shop's gateway): one SMS, not two."""
        pickings = self
        # sudo: any warehouse user validates; this only reads the setup.
        if self.env["service.care.scenario"].sudo()._care_texts_deliveries():
            pickings = self.with_context(skip_sms=True)
        return super(StockPicking, pickings)._send_confirmation_email()

    def _check_warn_sms(self):
        """Odoo asks, at the first delivery validated, whether to text
        customers (stock_sms); while the order messages text them, the
        question is moot."""
        # sudo: any warehouse user validates; this only reads the setup.
        if self.env["service.care.scenario"].sudo()._care_texts_deliveries():
            return self.browse()
        return super()._check_warn_sms()

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
