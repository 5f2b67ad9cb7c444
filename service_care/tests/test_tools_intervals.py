from datetime import date, datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.intervals import (
    due_date,
    learned_days_per_unit,
    product_interval_days,
)


@tagged("service_care")
class TestProductInterval(BaseCase):
    def test_quantity_times_days_per_unit(self):
        self.assertEqual(product_interval_days(30, 1), 30.0)
        self.assertEqual(product_interval_days(30, 2), 60.0)
        self.assertEqual(product_interval_days(7.5, 4), 30.0)
        self.assertEqual(product_interval_days(10, 0.5), 5.0)

    def test_invalid(self):
        for days_per_unit, quantity in [(0, 1), (-30, 1), (30, 0), (30, -1)]:
            with (
                self.subTest(days_per_unit=days_per_unit, quantity=quantity),
                self.assertRaisesRegex(ValueError, "finite number above 0"),
            ):
                product_interval_days(days_per_unit, quantity)
        with self.assertRaisesRegex(ValueError, "days_per_unit must be a finite"):
            product_interval_days(float("inf"), 1)
        with self.assertRaisesRegex(ValueError, "quantity must be a number"):
            product_interval_days(30, None)


@tagged("service_care")
class TestLearnedDaysPerUnit(BaseCase):
    def test_regular_coffee_buyer(self):
        # one bag every 30 days
        purchases = [
            (date(2025, 1, 5), 1),
            (date(2025, 2, 4), 1),
            (date(2025, 3, 6), 1),
            (date(2025, 4, 5), 1),
        ]
        self.assertEqual(learned_days_per_unit(purchases), 30.0)
        # in any order
        shuffled = [purchases[2], purchases[0], purchases[3], purchases[1]]
        self.assertEqual(learned_days_per_unit(shuffled), 30.0)

    def test_two_packs_every_60_days(self):
        purchases = [
            (date(2025, 1, 10), 2),
            (date(2025, 3, 11), 2),
            (date(2025, 5, 10), 2),
        ]
        self.assertEqual(learned_days_per_unit(purchases), 30.0)

    def test_rate_uses_quantity_of_earlier_purchase(self):
        # 3 bags last 45 days, then 1 bag 15 days, then 2 bags 30 days
        purchases = [
            (date(2025, 1, 1), 3),
            (date(2025, 2, 15), 1),
            (date(2025, 3, 2), 2),
            (date(2025, 4, 1), 1),
        ]
        self.assertEqual(learned_days_per_unit(purchases), 15.0)

    def test_too_few_orders(self):
        two = [(date(2025, 1, 5), 1), (date(2025, 2, 4), 1)]
        self.assertIsNone(learned_days_per_unit(two))
        self.assertIsNone(learned_days_per_unit([]))
        self.assertEqual(learned_days_per_unit(two, min_orders=2), 30.0)
        # three orders but two on one day: two purchases
        merged = [*two, (date(2025, 2, 4), 1)]
        self.assertIsNone(learned_days_per_unit(merged))
        # a returned (negative) line is not a purchase
        returned = [*two, (date(2025, 3, 6), -1), (date(2025, 3, 7), 0)]
        self.assertIsNone(learned_days_per_unit(returned))

    def test_outlier_gap(self):
        # a 30-day buyer forgot once: 90 days between two orders
        purchases = [
            (date(2025, 1, 5), 1),
            (date(2025, 2, 4), 1),
            (date(2025, 5, 5), 1),
            (date(2025, 6, 4), 1),
            (date(2025, 7, 4), 1),
        ]
        self.assertEqual(learned_days_per_unit(purchases), 30.0)
        # an early reorder does not pull it down either
        early = [*purchases, (date(2025, 7, 9), 1), (date(2025, 8, 8), 1)]
        self.assertEqual(learned_days_per_unit(early), 30.0)

    def test_same_day_orders_merged(self):
        # three orders of 1 bag on 1 January: 3 bags, which last 90 days
        purchases = [
            (date(2025, 1, 1), 1),
            (date(2025, 1, 1), 1),
            (date(2025, 1, 1), 1),
            (date(2025, 4, 1), 3),
            (date(2025, 6, 30), 1),
        ]
        # unmerged, the rates would be 0, 0, 90, 30: a median of 15
        self.assertEqual(learned_days_per_unit(purchases), 30.0)
        # three purchases, not five
        self.assertIsNone(learned_days_per_unit(purchases, min_orders=4))

    def test_fractional_quantities(self):
        # 2.5 kg every 50 days: 20 days per kg
        purchases = [
            (date(2025, 1, 1), 2.5),
            (date(2025, 2, 20), 2.5),
            (date(2025, 4, 11), 2.5),
        ]
        self.assertEqual(learned_days_per_unit(purchases), 20.0)

    def test_invalid(self):
        purchases = [(date(2025, 1, 5), 1)] * 3
        with self.assertRaisesRegex(ValueError, "min_orders must be at least 2"):
            learned_days_per_unit(purchases, min_orders=1)
        with self.assertRaisesRegex(ValueError, "must be a date"):
            learned_days_per_unit([(datetime(2025, 1, 5, 23, 30), 1)])
        with self.assertRaisesRegex(ValueError, "must be finite"):
            learned_days_per_unit([(date(2025, 1, 5), float("nan"))])


@tagged("service_care")
class TestDueDate(BaseCase):
    def test_due_date(self):
        self.assertEqual(due_date(date(2025, 1, 5), 1, 30), date(2025, 2, 4))
        self.assertEqual(due_date(date(2025, 1, 10), 2, 30), date(2025, 3, 11))
        # across a leap day
        self.assertEqual(due_date(date(2024, 2, 1), 1, 30), date(2024, 3, 2))

    def test_lead_time(self):
        # runs out on 4 February; remind 5 days before
        self.assertEqual(
            due_date(date(2025, 1, 5), 1, 30, lead_days=5), date(2025, 1, 30)
        )

    def test_fraction_of_a_day_rounds_down(self):
        # 30.9 days from 5 January runs out on 4 February
        self.assertEqual(due_date(date(2025, 1, 5), 3, 10.3), date(2025, 2, 4))
        # 11 x (30 / 11) is 29.999999999999996 in floats: still 30 days
        self.assertEqual(due_date(date(2025, 1, 5), 11, 30 / 11), date(2025, 2, 4))
        self.assertEqual(due_date(date(2025, 1, 5), 0.5, 3.9), date(2025, 1, 6))

    def test_lead_time_larger_than_interval_clamps(self):
        # 7 days of product, 10 days of lead time: the day after the order
        self.assertEqual(
            due_date(date(2025, 1, 5), 1, 7, lead_days=10), date(2025, 1, 6)
        )
        self.assertEqual(
            due_date(date(2025, 1, 5), 1, 7, lead_days=7), date(2025, 1, 6)
        )
        self.assertEqual(
            due_date(date(2025, 1, 5), 1, 7, lead_days=6), date(2025, 1, 6)
        )
        self.assertEqual(
            due_date(date(2025, 1, 5), 1, 7, lead_days=5), date(2025, 1, 7)
        )
        # less than a day of product
        self.assertEqual(due_date(date(2025, 12, 31), 1, 0.2), date(2026, 1, 1))

    def test_invalid(self):
        with self.assertRaisesRegex(ValueError, "lead_days must be >= 0"):
            due_date(date(2025, 1, 5), 1, 30, lead_days=-1)
        with self.assertRaisesRegex(ValueError, "lead_days must be an integer"):
            due_date(date(2025, 1, 5), 1, 30, lead_days=1.5)
        with self.assertRaisesRegex(ValueError, "quantity must be a finite"):
            due_date(date(2025, 1, 5), 0, 30)
        with self.assertRaisesRegex(ValueError, "order_date must be a date"):
            due_date(datetime(2025, 1, 5, 12, 0), 1, 30)
        with self.assertRaisesRegex(ValueError, "beyond the calendar"):
            due_date(date(9999, 12, 1), 1, 60)
