# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import birthday


@tagged("service_care")
class TestBirthdayTools(BaseCase):
    def test_the_day_itself(self):
        self.assertTrue(birthday.is_birthday(3, 12, date(2026, 12, 3)))
        self.assertFalse(birthday.is_birthday(3, 12, date(2026, 12, 4)))
        self.assertFalse(birthday.is_birthday(12, 3, date(2026, 12, 3)))

    def test_29_february_is_28_february_in_other_years(self):
        self.assertTrue(birthday.is_birthday(29, 2, date(2026, 2, 28)))
        self.assertFalse(birthday.is_birthday(29, 2, date(2026, 3, 1)))
        self.assertTrue(birthday.is_birthday(29, 2, date(2028, 2, 29)))
        self.assertFalse(birthday.is_birthday(29, 2, date(2028, 2, 28)))
        self.assertTrue(birthday.is_birthday(28, 2, date(2028, 2, 28)))

    def test_valid_dates(self):
        self.assertTrue(birthday.valid(29, 2))
        self.assertTrue(birthday.valid(29, 2, 2004))
        self.assertFalse(birthday.valid(29, 2, 2003))
        self.assertFalse(birthday.valid(31, 4))
        self.assertFalse(birthday.valid(0, 4))
        self.assertFalse(birthday.valid(5, 13))
        self.assertFalse(birthday.valid(None, None))

    def test_the_day_in_a_given_year(self):
        self.assertEqual(birthday.in_year(29, 2, 2027), date(2027, 2, 28))
        self.assertEqual(birthday.in_year(29, 2, 2028), date(2028, 2, 29))
        self.assertEqual(birthday.in_year(3, 12, 2027), date(2027, 12, 3))

    def test_a_greeting_is_due_from_ten_their_time_once_a_year(self):
        due = birthday.greeting_due
        # Warsaw is UTC+1 in December
        self.assertIsNone(due(3, 12, 0, datetime(2026, 12, 3, 8, 59), "Europe/Warsaw"))
        self.assertEqual(
            due(3, 12, 0, datetime(2026, 12, 3, 9, 0), "Europe/Warsaw"), 2026
        )
        self.assertIsNone(
            due(3, 12, 2026, datetime(2026, 12, 3, 9, 0), "Europe/Warsaw")
        )
        # 01:30 UTC is 10:30 in Tokyo, still the 2nd in Warsaw
        self.assertEqual(
            due(3, 12, 2025, datetime(2026, 12, 3, 1, 30), "Asia/Tokyo"), 2026
        )
        self.assertIsNone(
            due(3, 12, 2025, datetime(2026, 12, 3, 1, 30), "Europe/Warsaw")
        )
        self.assertEqual(due(3, 12, None, datetime(2026, 12, 3, 10, 0), False), 2026)
