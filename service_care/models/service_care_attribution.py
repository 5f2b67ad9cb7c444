# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, models

from ..tools.attribution import DIRECT, Order, Touch, attribute_orders

UTM_SOURCE_NAME = "Service Care"


class ServiceCareAttribution(models.AbstractModel):
    """Orders credited to the message that brought them, and their UTM."""

    _name = "service.care.attribution"
    _description = "Service Care Attribution"

    @api.model
    def _care_attribute(self, orders):
        """Credit the confirmed orders to the message that brought each, if any.

        Set-based: one search for the messages of all the orders' customers, the
        choice made by ``tools.attribution``, batched writes. An order is credited
        once; a directly attributed message becomes "converted", an assisted one
        keeps its state.
        """
        # sudo: attribution is bookkeeping of the confirmation itself; whoever
        # may confirm an order (a salesperson, a customer paying online) may
        # credit it to the message that brought it, and fill its UTM.
        orders = orders.sudo().filtered(
            lambda o: o.state == "sale" and o.company_id.care_attribution_days > 0
        )
        # sudo: see above; the messages of the orders' customers are read
        # whoever confirms, and only credited, never shown.
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
                    "amount": self._care_amount_company_currency(order),
                }
            )
            if credit.kind == DIRECT:
                direct_ids.append(credit.message_id)
        direct = Message.browse(direct_ids)
        direct._mark("converted")
        self._care_fill_utm(direct.order_id, direct)

    @api.model
    def _care_amount_company_currency(self, order):
        """Untaxed amount of the order in its company's currency."""
        currency = order.company_id.currency_id
        return currency.round(order.amount_untaxed / (order.currency_rate or 1.0))

    @api.model
    def _care_fill_utm(self, orders, messages):
        """Set the UTM of orders brought by a click as Odoo does for tracked links.

        Source "Service Care", medium by channel, campaign named after the
        scenario. An order that already has UTM (from the visitor's cookies,
        or set by hand) keeps them all.
        """
        orders = orders.filtered(
            lambda o: not (o.source_id or o.medium_id or o.campaign_id)
        )
        messages = messages.filtered(lambda m: m.order_id in orders)
        if not messages:
            return
        source = orders._find_or_create_record("utm.source", UTM_SOURCE_NAME)
        mediums = {
            channel: self._care_utm_medium(orders, channel)
            for channel in set(messages.mapped("channel"))
        }
        campaigns = {
            scenario: orders._find_or_create_record(
                "utm.campaign", scenario.with_context(lang="en_US").name
            )
            for scenario in messages.scenario_id
        }
        groups = defaultdict(orders.browse)
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

    @api.model
    def _care_utm_medium(self, orders, channel):
        """UTM medium of a channel: Odoo's "Email", or "SMS" (created if none)."""
        if channel == "email":
            return orders.env["utm.medium"]._fetch_or_create_utm_medium("email")
        return orders._find_or_create_record("utm.medium", "SMS")
