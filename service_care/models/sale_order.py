# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..tools.attribution import DIRECT, Order, Touch, attribute_orders

UTM_SOURCE_NAME = "Service Care"


class SaleOrder(models.Model):
    _inherit = "sale.order"

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

    def _compute_care_run_count(self):
        counts = dict(
            self.env["service.care.scenario.run"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
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

    def action_view_care_runs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_care.service_care_scenario_run_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

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

    def action_confirm(self):
        result = super().action_confirm()
        self._care_attribute()
        # sudo: customers confirm their own orders on the shop without any
        # right on scenarios; starting one only reads its configuration.
        self.env["service.care.scenario"].sudo()._care_trigger("order_confirmed", self)
        return result

    def action_view_care_messages(self):
        """Messages about these orders, and those credited with them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_care.service_care_message_action"
        )
        action["domain"] = self._care_messages_domain()
        action["context"] = {"create": False}
        return action

    def _care_messages_domain(self):
        """Domain of the care messages about these orders or credited with them."""
        return [
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("order_id", "in", self.ids),
        ]

    def _care_attribute(self):
        """Credit the confirmed orders to the message that brought each, if any.

        Set-based: one search for the messages of all the orders' customers, the
        choice made by ``tools.attribution``, batched writes. An order is credited
        once; a directly attributed message becomes "converted", an assisted one
        keeps its state.
        """
        # sudo: attribution is bookkeeping of the confirmation itself; whoever
        # may confirm an order (a salesperson, a customer paying online) may
        # credit it to the message that brought it, and fill its UTM.
        orders = self.sudo().filtered(
            lambda o: o.state == "sale" and o.company_id.care_attribution_days > 0
        )
        Message = (
            self.env["service.care.message"].sudo().with_context(active_test=False)
        )
        orders -= Message.search([("order_id", "in", orders.ids)]).order_id
        if not orders:
            return
        days = max(orders.company_id.mapped("care_attribution_days"))
        since = min(orders.mapped("date_order")) - timedelta(days=days)
        messages = Message.search(
            [
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    orders.partner_id.commercial_partner_id.ids,
                ),
                ("company_id", "in", orders.company_id.ids),
                ("order_id", "=", False),
                "|",
                "|",
                ("clicked_at", ">=", since),
                ("sent_at", ">=", since),
                ("delivered_at", ">=", since),
            ]
        )
        touches = defaultdict(list)
        for message in messages:
            key = (message.partner_id.commercial_partner_id.id, message.company_id.id)
            touches[key].append(
                Touch(
                    message.id,
                    message.channel,
                    message.state,
                    sent_at=message.sent_at,
                    delivered_at=message.delivered_at,
                    clicked_at=message.clicked_at,
                )
            )
        credits = attribute_orders(
            [
                Order(
                    order.id,
                    (order.partner_id.commercial_partner_id.id, order.company_id.id),
                    order.date_order,
                    timedelta(days=order.company_id.care_attribution_days),
                )
                for order in orders
            ],
            touches,
        )
        direct_ids = []
        for order in orders.filtered(lambda o: o.id in credits):
            credit = credits[order.id]
            # one write per message, flushed as one UPDATE for all of them
            Message.browse(credit.message_id).write(
                {
                    "order_id": order.id,
                    "attribution": credit.kind,
                    "amount": order._care_amount_company_currency(),
                }
            )
            if credit.kind == DIRECT:
                direct_ids.append(credit.message_id)
        direct = Message.browse(direct_ids)
        direct._mark("converted")
        direct.order_id._care_fill_utm(direct)

    def _care_amount_company_currency(self):
        """Untaxed amount of the order in its company's currency."""
        self.ensure_one()
        currency = self.company_id.currency_id
        return currency.round(self.amount_untaxed / (self.currency_rate or 1.0))

    def _care_fill_utm(self, messages):
        """Set the UTM of orders brought by a click as Odoo does for tracked links.

        Source "Service Care", medium by channel, campaign named after the
        scenario. An order that already has UTM (from the visitor's cookies,
        or set by hand) keeps them all.
        """
        orders = self.filtered(
            lambda o: not (o.source_id or o.medium_id or o.campaign_id)
        )
        messages = messages.filtered(lambda m: m.order_id in orders)
        if not messages:
            return
        source = self._find_or_create_record("utm.source", UTM_SOURCE_NAME)
        mediums = {
            channel: self._care_utm_medium(channel)
            for channel in set(messages.mapped("channel"))
        }
        campaigns = {
            scenario: self._find_or_create_record("utm.campaign", scenario.name)
            for scenario in messages.scenario_id
        }
        groups = defaultdict(self.browse)
        for message in messages:
            campaign = campaigns.get(message.scenario_id)
            key = (mediums[message.channel], campaign or self.env["utm.campaign"])
            groups[key] |= message.order_id
        for (medium, campaign), group in groups.items():
            group.write(
                {
                    "source_id": source.id,
                    "medium_id": medium.id,
                    "campaign_id": campaign.id,
                }
            )

    def _care_utm_medium(self, channel):
        """UTM medium of a channel: Odoo's "Email", or "SMS" (created if none)."""
        if channel == "email":
            return self.env["utm.medium"]._fetch_or_create_utm_medium("email")
        return self._find_or_create_record("utm.medium", "SMS")
