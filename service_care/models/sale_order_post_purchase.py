# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """Post-purchase follow-up: what the "how is your …?" email names, and
    which orders it must not follow (``data/post_purchase_scenario_data.xml``)."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    care_main_product_id = fields.Many2one(
        "product.product",
        "Main Product",
        compute="_compute_care_main_product_id",
        help="The product of the order's largest line: the one the follow-up "
        "asks about.",
    )
    care_returned = fields.Boolean(
        "Goods Returned",
        compute="_compute_care_returned",
        search="_search_care_returned",
        help="A return of the order's goods was made or is under way.",
    )

    @api.depends("order_line.price_subtotal", "order_line.product_id")
    def _compute_care_main_product_id(self):
        for order in self:
            lines = order.order_line.filtered(
                lambda line: line.product_id and not line.display_type
            )
            main = max(
                lines, key=lambda line: (line.price_subtotal, -line.id), default=None
            )
            order.care_main_product_id = main.product_id if main else False

    @api.model
    def _care_returned_orders(self, orders=None):
        """The orders (of ``orders``, or all) whose goods came back, or are
        coming back: a return move not cancelled."""
        domain = [
            (
                "move_ids",
                "any",
                [("origin_returned_move_id", "!=", False), ("state", "!=", "cancel")],
            )
        ]
        if orders is not None:
            domain.append(("order_id", "in", orders.ids))
        return self.env["sale.order.line"].search(domain).order_id

    def _compute_care_returned(self):
        returned = self._care_returned_orders(self)
        for order in self:
            order.care_returned = order in returned

    def _search_care_returned(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Search with = True or = False."))
        positive = (operator == "=") == value
        return [
            ("id", "in" if positive else "not in", self._care_returned_orders().ids)
        ]
