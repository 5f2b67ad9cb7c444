# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.sale.tests.common import SaleCommon

NOW = datetime(2026, 3, 10, 12, 0)


@tagged("post_install", "-at_install")
class TestAttribution(SaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.care_attribution_days = 5
        cls.scenario = cls.env["service.care.scenario"].create(
            {"name": "Replenishment"}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Anna Kowalska", "email": "anna@example.pl"}
        )
        cls.Message = cls.env["service.care.message"]

    @classmethod
    def _message(cls, partner, channel="email", **vals):
        """A message already sent to ``partner``: state and times from ``vals``."""
        return cls.Message.create(
            {
                "partner_id": partner.id,
                "channel": channel,
                "kind": "marketing",
                "scenario_id": cls.scenario.id,
                **vals,
            }
        )

    @classmethod
    def _clicked(cls, partner, clicked_at, channel="email"):
        sent_at = clicked_at - timedelta(hours=2)
        return cls._message(
            partner,
            channel,
            state="clicked",
            sent_at=sent_at,
            delivered_at=sent_at if channel == "sms" else False,
            clicked_at=clicked_at,
            click_count=1,
        )

    @classmethod
    def _orders(cls, partners, quantity=5.0, **vals):
        return cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product.id, "product_uom_qty": quantity}
                        )
                    ],
                    **vals,
                }
                for partner in partners
            ]
        )

    def _confirm(self, orders, at=NOW):
        with freeze_time(at):
            orders.action_confirm()

    def test_click_two_days_before_is_direct(self):
        message = self._clicked(self.customer, NOW - timedelta(days=2))
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertRecordValues(
            message,
            [
                {
                    "order_id": order.id,
                    "attribution": "direct",
                    "amount": 100.0,  # 5 x 20.0, untaxed
                    "state": "converted",
                    "converted_at": NOW,
                }
            ],
        )
        self.assertEqual(order.source_id.name, "Service Care")
        self.assertEqual(order.medium_id, self.env.ref("utm.utm_medium_email"))
        self.assertEqual(order.campaign_id.title, "Replenishment")
        # the smart button of the order shows the message and opens it
        self.assertEqual(order.care_message_count, 1)
        action = order.action_view_care_messages()
        self.assertEqual(action["res_model"], "service.care.message")
        self.assertEqual(self.Message.search(action["domain"]), message)

    def test_click_six_days_before_is_not_attributed(self):
        message = self._clicked(self.customer, NOW - timedelta(days=6))
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertRecordValues(
            message,
            [{"order_id": False, "attribution": False, "amount": 0.0}],
        )
        self.assertEqual(message.state, "clicked")
        self.assertFalse(order.source_id or order.medium_id or order.campaign_id)
        self.assertEqual(order.care_message_count, 0)

    def test_sent_email_not_clicked_assists(self):
        older_click = self._clicked(self.customer, NOW - timedelta(days=8))
        message = self._message(
            self.customer, state="opened", sent_at=NOW - timedelta(days=1)
        )
        order = self._orders(self.customer, quantity=2.0)
        self._confirm(order)
        self.assertRecordValues(
            message,
            [
                {
                    "order_id": order.id,
                    "attribution": "assisted",
                    "amount": 40.0,
                    "state": "opened",  # an assisted message keeps its state
                }
            ],
        )
        self.assertFalse(older_click.order_id)
        # nothing was clicked: the order does not claim to come from a link
        self.assertFalse(order.source_id or order.medium_id or order.campaign_id)

    def test_click_wins_over_a_later_email(self):
        click = self._clicked(self.customer, NOW - timedelta(days=3))
        later = self._message(
            self.customer, state="sent", sent_at=NOW - timedelta(days=1)
        )
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertEqual(click.attribution, "direct")
        self.assertEqual(click.order_id, order)
        self.assertFalse(later.order_id)

    def test_undelivered_sms_does_not_assist(self):
        sms = self._message(
            self.customer, "sms", state="sent", sent_at=NOW - timedelta(days=1)
        )
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertFalse(sms.order_id)
        sms_delivered = self._message(
            self.customer,
            "sms",
            state="delivered",
            sent_at=NOW - timedelta(days=1),
            delivered_at=NOW - timedelta(days=1),
        )
        other_order = self._orders(self.customer)
        self._confirm(other_order)
        self.assertEqual(sms_delivered.order_id, other_order)
        self.assertEqual(sms_delivered.attribution, "assisted")

    def test_sms_click_sets_sms_medium(self):
        message = self._clicked(self.customer, NOW - timedelta(hours=3), "sms")
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertEqual(message.state, "converted")
        self.assertEqual(order.medium_id.name, "SMS")

    def test_utm_from_cookies_is_kept(self):
        self._clicked(self.customer, NOW - timedelta(days=1))
        newsletter = self.env.ref("utm.utm_source_newsletter")
        order = self._orders(self.customer, source_id=newsletter.id)
        self._confirm(order)
        self.assertEqual(order.care_message_count, 1)
        self.assertEqual(order.source_id, newsletter)
        self.assertFalse(order.medium_id or order.campaign_id)

    def test_click_of_a_contact_credits_the_company_order(self):
        company = self.env["res.partner"].create(
            {"name": "Kowalski Sp. z o.o.", "is_company": True}
        )
        buyer = self.env["res.partner"].create(
            {"name": "Jan Kowalski", "parent_id": company.id}
        )
        message = self._clicked(buyer, NOW - timedelta(days=1))
        order = self._orders(company)
        self._confirm(order)
        self.assertEqual(message.order_id, order)

    def test_an_order_is_attributed_once(self):
        first = self._clicked(self.customer, NOW - timedelta(days=2))
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertEqual(first.order_id, order)
        second = self._clicked(self.customer, NOW + timedelta(hours=1))
        order._action_cancel()
        order.action_draft()
        self._confirm(order, NOW + timedelta(hours=2))
        self.assertFalse(second.order_id)
        self.assertEqual(second.state, "clicked")
        self.assertEqual(order.care_message_count, 1)

    def test_one_click_two_orders(self):
        message = self._clicked(self.customer, NOW - timedelta(days=1))
        orders = self._orders(self.customer + self.customer)
        self._confirm(orders)
        self.assertEqual(message.order_id, orders[0])
        self.assertEqual(orders.mapped("care_message_count"), [1, 0])

    def test_other_company_messages_are_ignored(self):
        other_company = self.env["res.company"].create({"name": "Other Shop"})
        message = self._clicked(self.customer, NOW - timedelta(days=1))
        message.company_id = other_company
        order = self._orders(self.customer)
        self._confirm(order)
        self.assertFalse(message.order_id)

    def test_attribution_queries_do_not_grow_with_orders(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {index}"} for index in range(26)]
        )
        for partner in partners:
            self._clicked(partner, NOW - timedelta(days=1))
            # an older email too: more candidates than orders
            self._message(partner, state="sent", sent_at=NOW - timedelta(days=2))
        # the first attribution creates the UTM source and campaign
        self._count_attribution_queries(self._orders(partners[:1]))
        five = self._count_attribution_queries(self._orders(partners[1:6]))
        twenty = self._count_attribution_queries(self._orders(partners[6:]))
        self.assertEqual(five, twenty)

    def _count_attribution_queries(self, orders):
        """Queries of attributing confirmed ``orders`` (cold cache)."""
        orders.write({"state": "sale", "date_order": NOW})  # as action_confirm
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        with freeze_time(NOW):
            self.env["service.care.attribution"]._care_attribute(orders)
            self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        messages = self.Message.search([("order_id", "in", orders.ids)])
        self.assertEqual(messages.mapped("attribution"), ["direct"] * len(orders))
        self.assertEqual(set(messages.mapped("state")), {"converted"})
        self.assertTrue(all(order.campaign_id for order in orders))
        return count
