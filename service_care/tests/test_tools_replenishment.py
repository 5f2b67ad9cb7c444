# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.replenishment import (
    Cart,
    CartLine,
    case_constant_fields,
    expiry,
    group_carts,
    horizon,
    is_short,
    last_run_slot,
    moved_due_date,
    parse_quantity,
    week_start,
)

MONDAY, WEDNESDAY, SUNDAY = 0, 2, 6


@tagged("service_care")
class TestWeeklyRun(BaseCase):
    def test_week_start(self):
        # 2026-03-09 is a Monday
        self.assertEqual(week_start(date(2026, 3, 9), MONDAY), date(2026, 3, 9))
        self.assertEqual(week_start(date(2026, 3, 12), MONDAY), date(2026, 3, 9))
        self.assertEqual(week_start(date(2026, 3, 15), MONDAY), date(2026, 3, 9))
        self.assertEqual(week_start(date(2026, 3, 10), WEDNESDAY), date(2026, 3, 4))
        self.assertEqual(week_start(date(2026, 3, 11), WEDNESDAY), date(2026, 3, 11))

    def test_last_run_slot(self):
        # Monday 08:00 on a Wednesday: this week's Monday
        self.assertEqual(
            last_run_slot(datetime(2026, 3, 11, 10, 0), MONDAY, 8.0),
            datetime(2026, 3, 9, 8, 0),
        )
        # on the Monday before 08:00: last week's
        self.assertEqual(
            last_run_slot(datetime(2026, 3, 9, 7, 59), MONDAY, 8.0),
            datetime(2026, 3, 2, 8, 0),
        )
        # at 08:00 sharp: today's
        self.assertEqual(
            last_run_slot(datetime(2026, 3, 9, 8, 0), MONDAY, 8.0),
            datetime(2026, 3, 9, 8, 0),
        )
        # Sunday 18:30 on a Sunday afternoon
        self.assertEqual(
            last_run_slot(datetime(2026, 3, 15, 18, 0), SUNDAY, 18.5),
            datetime(2026, 3, 8, 18, 30),
        )

    def test_last_run_slot_invalid(self):
        with self.assertRaisesRegex(ValueError, "weekday"):
            last_run_slot(datetime(2026, 3, 9), 7, 8.0)
        with self.assertRaisesRegex(ValueError, "hour"):
            last_run_slot(datetime(2026, 3, 9), MONDAY, 24.0)
        with self.assertRaisesRegex(ValueError, "naive"):
            last_run_slot(
                datetime(2026, 3, 9, tzinfo=datetime.now().astimezone().tzinfo),
                MONDAY,
                8.0,
            )

    def test_horizon_is_the_coming_week(self):
        self.assertEqual(horizon(date(2026, 3, 9)), date(2026, 3, 15))


@tagged("service_care")
class TestPostpone(BaseCase):
    def test_weeks_count_from_the_run_day(self):
        # postponed on Tuesday 10 March by two weeks: the Monday run of the
        # 23rd carts it again, whatever the day the customer clicked
        self.assertEqual(
            moved_due_date(date(2026, 3, 10), 2, MONDAY), date(2026, 3, 23)
        )
        self.assertEqual(
            moved_due_date(date(2026, 3, 15), 2, MONDAY), date(2026, 3, 23)
        )
        self.assertEqual(moved_due_date(date(2026, 3, 9), 1, MONDAY), date(2026, 3, 16))
        self.assertEqual(moved_due_date(date(2026, 3, 9), 4, MONDAY), date(2026, 4, 6))

    def test_expired_cart_moves_a_week(self):
        # a Monday cart expires 14 days later, on a Monday: next week's run
        self.assertEqual(
            moved_due_date(date(2026, 3, 23), 1, MONDAY), date(2026, 3, 30)
        )

    def test_invalid_weeks(self):
        for weeks in (0, -1, 1.5, True, None):
            with self.subTest(weeks=weeks), self.assertRaisesRegex(ValueError, "week"):
                moved_due_date(date(2026, 3, 9), weeks, MONDAY)

    def test_expiry(self):
        self.assertEqual(
            expiry(datetime(2026, 3, 9, 7, 0), 14), datetime(2026, 3, 23, 7, 0)
        )
        with self.assertRaisesRegex(ValueError, "one day"):
            expiry(datetime(2026, 3, 9), 0)


@tagged("service_care")
class TestGroupCarts(BaseCase):
    def test_one_cart_per_customer(self):
        carts = group_carts(
            [
                # reminder, customer, product, quantity
                (12, 7, 100, 1),
                (10, 5, 100, 2),
                (11, 5, 200, 1),
                (13, 7, 300, 3),
            ]
        )
        self.assertEqual(
            carts,
            [
                Cart(5, [CartLine(100, 2.0, [10]), CartLine(200, 1.0, [11])]),
                Cart(7, [CartLine(100, 1.0, [12]), CartLine(300, 3.0, [13])]),
            ],
        )
        self.assertEqual(carts[0].reminder_ids, [10, 11])

    def test_same_product_makes_one_line(self):
        (cart,) = group_carts([(2, 5, 100, 1), (1, 5, 100, 2)])
        self.assertEqual(cart.lines, [CartLine(100, 3.0, [1, 2])])

    def test_no_quantity_proposes_one(self):
        (cart,) = group_carts([(1, 5, 100, 0), (2, 5, 200, None)])
        self.assertEqual([line.quantity for line in cart.lines], [1.0, 1.0])

    def test_nothing_due(self):
        self.assertEqual(group_carts([]), [])

    def test_is_short(self):
        self.assertTrue(is_short(0, 1))
        self.assertTrue(is_short(1.5, 2))
        self.assertFalse(is_short(2, 2))
        self.assertFalse(is_short(10, 2))


@tagged("service_care")
class TestParseQuantity(BaseCase):
    def test_quantities(self):
        self.assertEqual(parse_quantity("2"), 2.0)
        self.assertEqual(parse_quantity("1.5"), 1.5)
        self.assertEqual(parse_quantity("-3"), 0.0)
        self.assertEqual(parse_quantity("1000"), 1000.0)
        for raw in ("", "two", None, "nan", "inf", "-inf", "1e9", "1000.5"):
            with self.subTest(raw=raw):
                self.assertIsNone(parse_quantity(raw))


@tagged("service_care")
class TestCaseConstantFields(BaseCase):
    DEPENDS = {
        "price_unit": ["product_id", "product_uom_qty"],
        "price_total": ["price_unit", "tax_id"],
        "tax_id": ["product_id", "order_id.fiscal_position_id"],
        "currency_id": ["order_id.currency_id"],
        "order_partner_id": ["order_id.partner_id"],
        "analytic_distribution": ["order_id.partner_id", "product_id"],
        "note": ["analytic_distribution"],
        "qty_delivered": ["move_ids.quantity"],
        "guessed": [],
    }
    CONSTANT = {"order_id.fiscal_position_id", "order_id.currency_id"}

    def test_case_fields(self):
        self.assertEqual(
            case_constant_fields(self.DEPENDS, set(), "order_id", self.CONSTANT),
            {"price_unit", "price_total", "tax_id", "currency_id", "qty_delivered"},
        )

    def test_varying_spreads_along_dependencies(self):
        # a price that depends on the customer makes its totals differ too
        self.assertEqual(
            case_constant_fields(
                self.DEPENDS, {"price_unit"}, "order_id", self.CONSTANT
            ),
            {"tax_id", "currency_id", "qty_delivered"},
        )

    def test_the_order_itself_varies(self):
        depends = {"order_ref": ["order_id"], "company_id": ["order_id.company_id"]}
        self.assertEqual(
            case_constant_fields(depends, set(), "order_id", {"order_id.company_id"}),
            {"company_id"},
        )
