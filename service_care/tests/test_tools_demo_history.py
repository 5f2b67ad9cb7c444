# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import Counter
from datetime import datetime, timedelta

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.demo_history import (
    Customer,
    plan_birthdays,
    plan_message_history,
)

NOW = datetime(2026, 12, 1, 12, 0)


def _customers():
    customers = []
    for key in range(40):
        orders = [
            (key * 100 + n, NOW - timedelta(days=360 - n * (20 + key % 15)))
            for n in range(360 // (20 + key % 15))
        ]
        customers.append(
            Customer(key, key % 5 != 0, key % 3 == 0, key % 2 == 0, orders)
        )
    return customers


@tagged("service_care")
class TestDemoHistoryTools(BaseCase):
    def test_the_same_seed_plans_the_same_year(self):
        first = plan_message_history(_customers(), [1, 2, 3], NOW)
        second = plan_message_history(_customers(), [1, 2, 3], NOW)
        self.assertEqual(first, second)
        self.assertNotEqual(
            first, plan_message_history(_customers(), [1, 2, 3], NOW, seed=7)
        )

    def test_every_flow_has_outcomes_within_the_year(self):
        plan = plan_message_history(_customers(), [1, 2, 3], NOW)
        flows = Counter(message.flow for message in plan)
        self.assertEqual(
            set(flows),
            {
                "replenishment",
                "repeat_order",
                "back_in_stock",
                "out_of_stock_again",
                "order",
                "post_purchase",
                "digest",
                "abandoned_cart",
            },
        )
        # the last day is the live shop's: no message of the history holds
        # its first ones back behind the frequency cap
        self.assertTrue(
            all(
                NOW - timedelta(days=366) < m.sent_at < NOW - timedelta(days=1)
                for m in plan
            )
        )
        orders = [
            message.converted_order for message in plan if message.converted_order
        ]
        self.assertEqual(len(orders), len(set(orders)), "an order converts one message")
        states = Counter(message.state for message in plan)
        for state in (
            "delivered",
            "opened",
            "clicked",
            "converted",
            "bounced",
            "skipped",
        ):
            self.assertTrue(states[state], state)

    def test_order_messages_at_each_state(self):
        customers = _customers()
        cancelled = [(2, "cancelled order", NOW - timedelta(days=30))]
        plan = plan_message_history(customers, [1], NOW, cancelled=cancelled)
        orders = [m for m in plan if m.flow == "order"]
        self.assertEqual(
            {(m.channel, m.stage) for m in orders},
            {
                ("sms", "confirmed"),
                ("email", "shipped"),
                ("sms", "shipped"),
                ("email", "delivered"),
                ("sms", "delivered"),
                ("sms", "cancelled"),
            },
        )
        self.assertTrue(all(m.kind == "transactional" for m in orders))
        [text] = [m for m in orders if m.stage == "cancelled"]
        self.assertEqual((text.customer, text.order), (2, "cancelled order"))
        # only customers with a mobile number are texted (even keys)
        self.assertTrue(all(m.customer % 2 == 0 for m in orders if m.channel == "sms"))

    def test_left_carts_and_carts_ordered_after_a_reminder(self):
        customers = {c.key: c for c in _customers()}
        plan = plan_message_history(list(customers.values()), [1], NOW)
        carts = [m for m in plan if m.flow == "abandoned_cart"]
        left = [m for m in carts if m.stage == "left"]
        ordered = [m for m in carts if m.order]
        self.assertTrue(left)
        self.assertTrue(ordered)
        self.assertTrue(all(m.kind == "marketing" for m in carts))
        for message in ordered:
            # reminded of before the order it became
            order_date = dict(customers[message.customer].orders)[message.order]
            self.assertLess(message.sent_at, order_date)
        self.assertTrue([m for m in ordered if m.converted_order == m.order])

    def test_no_marketing_without_consent_and_orders_only_after_a_read(self):
        customers = {c.key: c for c in _customers()}
        for message in plan_message_history(list(customers.values()), [1], NOW):
            customer = customers[message.customer]
            consent = (
                customer.email_consent
                if message.channel == "email"
                else customer.sms_consent
            )
            if message.kind == "marketing" and not consent:
                self.assertEqual(
                    (message.state, message.reason_code), ("skipped", "no_consent")
                )
            if message.converted_order:
                self.assertTrue(message.opened_at or message.clicked_at)
                self.assertEqual(message.channel, "email")
            if message.channel == "sms":
                self.assertIsNone(message.opened_at, "an SMS has no open pixel")
            if message.sent_at and message.opened_at:
                self.assertGreater(message.opened_at, message.sent_at)

    def test_a_release_is_announced_once_to_its_buyers(self):
        customers = _customers()
        when = NOW - timedelta(days=60)
        plan = plan_message_history(
            customers, [1], NOW, releases=[("kettle 2", when, [1, 2, 5])]
        )
        released = [m for m in plan if m.flow == "new_release"]
        self.assertEqual(sorted(m.customer for m in released), [1, 2, 5])
        self.assertTrue(
            all(m.release == "kettle 2" and m.sent_at == when for m in released)
        )
        # customer 5 never agreed to email (key % 5 == 0)
        [five] = [m for m in released if m.customer == 5]
        self.assertEqual(five.state, "skipped")

    def test_birthdays_are_greeted_on_the_day_within_the_year(self):
        birthdays = {1: (3, 12), 2: (29, 2), 3: (15, 6)}
        plan = plan_message_history(_customers(), [1], NOW, birthdays=birthdays)
        self.assertEqual(
            sorted((m.customer, m.sent_at) for m in plan if m.flow == "birthday"),
            [
                (1, datetime(2025, 12, 3, 10, 0)),  # 2026's is after NOW
                (2, datetime(2026, 2, 28, 10, 0)),  # not a leap year
                (3, datetime(2026, 6, 15, 10, 0)),
            ],
        )

    def test_someone_had_a_birthday_lately(self):
        today = NOW.date()
        birthdays = plan_birthdays(range(40), today)
        self.assertGreater(len(birthdays), 10)
        recent = today - timedelta(days=10)
        self.assertIn((recent.day, recent.month), birthdays.values())
        self.assertEqual(birthdays, plan_birthdays(range(40), today), "seeded")
