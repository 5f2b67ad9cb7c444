# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models


class SaleOrder(models.Model):
    """What an order shows of Service Care, and what confirming it starts.

    The predictive cart an order may be is in ``sale_order_predictive_cart.py``,
    the credit of orders to messages in ``service_care_attribution.py``.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "service.care.smart.button.mixin"]

    care_message_count = fields.Integer(
        string="Care Messages",
        compute="_compute_care_message_count",
        groups="service_care.service_care_group_user",
    )

    care_run_count = fields.Integer(
        string="Care Scenario Runs",
        compute="_compute_care_run_count",
        groups="service_care.service_care_group_user",
    )
    care_cross_sell_product_ids = fields.Many2many(
        "product.product",
        compute="_compute_care_cross_sell_product_ids",
        string="Goes Well With",
        help="Accessories and alternatives of the ordered products, for "
        "cross-selling messages.",
    )

    def _compute_care_message_count(self):
        messages = self.env["service.care.message"].search_fetch(
            self._care_messages_domain(), ["res_model", "res_id", "order_id"]
        )
        ids_by_order = defaultdict(set)
        for message in messages:
            if message.res_model == self._name:
                ids_by_order[message.res_id].add(message.id)
            if message.order_id:
                ids_by_order[message.order_id.id].add(message.id)
        for order in self:
            order.care_message_count = len(ids_by_order.get(order.id, ()))

    def _compute_care_run_count(self):
        counts = self._care_count_related(
            "service.care.scenario.run", "res_id", [("res_model", "=", self._name)]
        )
        for order in self:
            order.care_run_count = counts.get(order.id, 0)

    @api.depends("order_line.product_id")
    def _compute_care_cross_sell_product_ids(self):
        for order in self:
            ordered = order.order_line.product_id
            templates = ordered.product_tmpl_id
            candidates = templates.accessory_product_ids | (
                templates.alternative_product_ids.product_variant_id
            )
            order.care_cross_sell_product_ids = (candidates - ordered).filtered(
                lambda p: p.sale_ok and p.is_published
            )[:4]

    def _care_best_sellers(self, days=30, limit=4):
        """The published products sold most over the last ``days`` days.

        A method, not a computed field: the answer depends on the moment,
        not on the order, and must never come from a stale cache.
        """
        since = fields.Datetime.now() - timedelta(days=days)
        groups = self.env["sale.order.line"]._read_group(
            [
                ("state", "=", "sale"),
                ("order_id.date_order", ">=", since),
                ("product_id.sale_ok", "=", True),
                ("product_id.is_published", "=", True),
            ],
            ["product_id"],
            ["product_uom_qty:sum"],
            order="product_uom_qty:sum desc",
            limit=limit,
        )
        return self.env["product.product"].union(*(product for product, _qty in groups))

    def action_confirm(self):
        carts = self._care_open_carts()
        result = super().action_confirm()
        carts.filtered(lambda o: o.state == "sale")._care_cart_confirmed()
        self.env["service.care.attribution"]._care_attribute(self)
        # sudo: confirming an order (a salesperson, or a customer on the
        # portal) keeps its customer's reminders up to date, whatever the
        # confirming user may see of Service Care.
        self.env["service.care.reminder"].sudo()._care_from_orders(self)
        # sudo: customers confirm their own orders on the shop without any
        # right on scenarios; starting one only reads its configuration.
        self.env["service.care.scenario"].sudo()._care_trigger("order_confirmed", self)
        return result

    def action_view_care_messages(self):
        """Messages about these orders, and those credited with them."""
        return self._care_related_action(
            "service_care.service_care_message_action", self._care_messages_domain()
        )

    def action_view_care_runs(self):
        return self._care_related_action(
            "service_care.service_care_scenario_run_action",
            [("res_model", "=", self._name), ("res_id", "in", self.ids)],
        )

    def _care_messages_domain(self):
        """Domain of the care messages about these orders or credited with them."""
        return [
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("order_id", "in", self.ids),
        ]
