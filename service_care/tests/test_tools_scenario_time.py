# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, time, timedelta

from odoo.tests import BaseCase

from ..tools.scenario_time import hour_to_time, wait_until

WARSAW = "Europe/Warsaw"  # UTC+1 in November, UTC+2 in summer


class TestScenarioTime(BaseCase):
    def test_plain_delay(self):
        self.assertEqual(
            wait_until(datetime(2026, 11, 24, 10, 0), WARSAW, timedelta(hours=2)),
            datetime(2026, 11, 24, 12, 0),
        )

    def test_until_hour_later_the_same_day(self):
        # 10:00 UTC is 11:00 in Warsaw; 15:00 local is 14:00 UTC.
        self.assertEqual(
            wait_until(datetime(2026, 11, 24, 10, 0), WARSAW, hour=15.0),
            datetime(2026, 11, 24, 14, 0),
        )

    def test_until_hour_already_passed_goes_to_the_next_day(self):
        self.assertEqual(
            wait_until(datetime(2026, 11, 24, 22, 0), WARSAW, hour=9.5),
            datetime(2026, 11, 25, 8, 30),
        )

    def test_until_weekday_and_hour(self):
        # Tuesday 2026-11-24 + 1 day = Wednesday; next Monday 08:00 local.
        self.assertEqual(
            wait_until(
                datetime(2026, 11, 24, 10, 0),
                WARSAW,
                timedelta(days=1),
                weekday=0,
                hour=8.0,
            ),
            datetime(2026, 11, 30, 7, 0),
        )

    def test_until_weekday_that_is_today_but_hour_passed(self):
        # Monday 2026-11-30 20:00 local; Monday 08:00 has passed: next Monday.
        self.assertEqual(
            wait_until(datetime(2026, 11, 30, 19, 0), WARSAW, weekday=0, hour=8.0),
            datetime(2026, 12, 7, 7, 0),
        )

    def test_until_weekday_only(self):
        self.assertEqual(
            wait_until(datetime(2026, 11, 24, 10, 0), WARSAW, weekday=1),
            datetime(2026, 11, 24, 10, 0),
        )
        # Next Thursday starts at 00:00 local, 23:00 UTC the day before.
        self.assertEqual(
            wait_until(datetime(2026, 11, 24, 10, 0), WARSAW, weekday=3),
            datetime(2026, 11, 25, 23, 0),
        )

    def test_summer_time(self):
        self.assertEqual(
            wait_until(datetime(2026, 7, 1, 10, 0), WARSAW, hour=9.0),
            datetime(2026, 7, 2, 7, 0),
        )

    def test_invalid_input(self):
        self.assertEqual(hour_to_time(9.25), time(9, 15))
        with self.assertRaises(ValueError):
            hour_to_time(24)
        with self.assertRaises(ValueError):
            wait_until(datetime(2026, 11, 24), WARSAW, weekday=7)
        with self.assertRaises(ValueError):
            wait_until(datetime(2026, 11, 24), "Mars/Olympus", hour=9.0)
