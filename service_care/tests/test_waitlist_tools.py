# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.waitlist import (
    OUT_AGAIN,
    PURCHASED,
    Entry,
    group_by_customer,
    is_available,
    select_round,
    settle,
)

T0 = datetime(2026, 3, 1, 9, 0)


def _entries(count, stock="mug", start=0):
    """``count`` customers waiting for ``stock``, customer ``start`` first."""
    return [
        Entry(100 + i, stock, (i, 1), T0 + timedelta(hours=i))
        for i in range(start, start + count)
    ]


@tagged("service_care")
class TestWaitlistTools(BaseCase):
    def test_available_needs_the_threshold_and_one_unit(self):
        self.assertTrue(is_available(1, 1))
        self.assertFalse(is_available(0.5, 0))
        self.assertFalse(is_available(2, 3))
        self.assertTrue(is_available(3, 3))

    def test_three_units_ten_waiting_tells_the_three_oldest(self):
        entries = list(reversed(_entries(10)))
        chosen = select_round(entries, {"mug": 3}, {})
        self.assertEqual([e.customer_key[0] for e in chosen], [0, 1, 2])

    def test_customers_still_deciding_hold_their_units(self):
        entries = _entries(7, start=3)
        self.assertEqual(select_round(entries, {"mug": 3}, {"mug": 3}), [])
        chosen = select_round(entries, {"mug": 5}, {"mug": 3})
        self.assertEqual([e.customer_key[0] for e in chosen], [3, 4])

    def test_below_the_threshold_nobody_is_told(self):
        self.assertEqual(select_round(_entries(3), {"mug": 2}, {}, 5), [])
        self.assertEqual(len(select_round(_entries(3), {"mug": 5}, {}, 5)), 3)

    def test_fractional_stock_counts_whole_units(self):
        self.assertEqual(len(select_round(_entries(3), {"mug": 2.5}, {})), 2)

    def test_each_variant_has_its_own_queue(self):
        entries = _entries(2, "mug") + _entries(2, "cup") + _entries(2, "jug")
        chosen = select_round(entries, {"mug": 1, "cup": 5}, {})
        self.assertEqual(
            sorted((e.stock_key, e.customer_key[0]) for e in chosen),
            [("cup", 0), ("cup", 1), ("mug", 0)],
        )

    def test_one_group_per_customer_with_all_their_variants(self):
        entries = [
            Entry(1, "mug", ("anna", 1), T0),
            Entry(2, "cup", ("bob", 1), T0),
            Entry(3, "jug", ("anna", 1), T0),
            Entry(4, "jug", ("anna", 2), T0),
        ]
        groups = group_by_customer(entries)
        self.assertEqual(list(groups), [("anna", 1), ("bob", 1), ("anna", 2)])
        self.assertEqual([e.id for e in groups[("anna", 1)]], [1, 3])

    def test_settle(self):
        self.assertEqual(settle(True, 0), PURCHASED)
        self.assertEqual(settle(True, 5), PURCHASED)
        self.assertEqual(settle(False, 0), OUT_AGAIN)
        self.assertEqual(settle(False, -1), OUT_AGAIN)
        self.assertIsNone(settle(False, 2))
