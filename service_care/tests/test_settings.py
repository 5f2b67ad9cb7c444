# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import importlib.util
from datetime import time, timedelta

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import SQL, file_path, mute_logger

from odoo.addons.service_care.tools.policy import DEFAULT_POLICY, Policy, SendWindow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Care Shop"})
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=cls.company.ids,
            )
        )
        cls.env.user.company_ids |= cls.company
        cls.company = cls.company.with_env(cls.env)

    def test_new_company_has_the_default_policy(self):
        self.assertEqual(self.company.care_window_start, 9.0)
        self.assertEqual(self.company.care_window_end, 21.0)
        self.assertEqual(self.company.care_email_cap_hours, 16.0)
        self.assertEqual(self.company.care_sms_cap_hours, 24.0)
        self.assertEqual(self.company.care_attribution_days, 5)
        self.assertTrue(self.company.care_tracking)
        self.assertEqual(self.company._care_policy(), DEFAULT_POLICY)

    def test_settings_land_on_the_company_and_its_policy(self):
        with Form(self.env["res.config.settings"]) as settings:
            self.assertEqual(settings.company_id, self.company)
            settings.care_window_start = 8.5
            settings.care_window_end = 22.0
            settings.care_window_sun = False
            settings.care_email_cap_hours = 12.0
            settings.care_sms_cap_hours = 0.0
            settings.care_attribution_days = 7
            settings.care_tracking = False
        settings.record.execute()
        # the settings page's button opens the editable list of countries
        action = self.env.ref("service_care.service_care_send_window_action")
        self.assertEqual(action.res_model, "service.care.send.window")
        for country, hours, days in (
            ("base.fr", (8.0, 20.0), {"sat": False, "sun": False}),
            ("base.de", (10.0, 18.0), {}),
        ):
            with Form(self.env["service.care.send.window"]) as window:
                window.country_id = self.env.ref(country)
                window.hour_from, window.hour_to = hours
                for day, value in days.items():
                    setattr(window, day, value)
            self.assertEqual(window.record.company_id, self.company)

        self.assertRecordValues(
            self.company,
            [
                {
                    "care_window_start": 8.5,
                    "care_window_end": 22.0,
                    "care_window_sat": True,
                    "care_window_sun": False,
                    "care_email_cap_hours": 12.0,
                    "care_sms_cap_hours": 0.0,
                    "care_attribution_days": 7,
                    "care_tracking": False,
                }
            ],
        )
        self.assertEqual(
            self.company._care_policy(),
            Policy(
                window=SendWindow(time(8, 30), time(22, 0), frozenset(range(6))),
                country_windows={
                    "FR": SendWindow(time(8, 0), time(20, 0), frozenset(range(5))),
                    "DE": SendWindow(time(10, 0), time(18, 0)),
                },
                # 0 hours: SMS are not capped
                caps={"email": timedelta(hours=12)},
            ),
        )
        # the settings form shows what was saved
        self.assertEqual(
            self.env["res.config.settings"].create({}).care_window_start, 8.5
        )

    def test_window_past_midnight_and_until_midnight(self):
        self.company.write({"care_window_start": 18.0, "care_window_end": 2.25})
        window = self.company._care_policy().window
        self.assertEqual((window.start, window.end), (time(18, 0), time(2, 15)))
        self.assertTrue(window.crosses_midnight)
        self.company.care_window_end = 24.0
        self.assertEqual(self.company._care_policy().window.end, time(0, 0))

    def test_invalid_country_hours_are_refused(self):
        Window = self.env["service.care.send.window"]
        france = self.env.ref("base.fr")
        cases = [
            ({"hour_from": 24.0}, "Send hours of France: from 00:00 to 24:00."),
            ({"hour_to": 25.0}, "Send hours of France: from 00:00 to 24:00."),
            (
                dict.fromkeys(WEEKDAYS, False),
                "Send hours of France: select at least one weekday.",
            ),
        ]
        for vals, error in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError) as caught,
            ):
                Window.create({"country_id": france.id, **vals})
            self.assertIn(error, str(caught.exception))
        self.assertFalse(Window.search([("country_id", "=", france.id)]))
        Window.create({"country_id": france.id})
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            Window.create({"country_id": france.id, "hour_from": 8.0})

    def test_invalid_settings_are_refused(self):
        cases = [
            ({"care_window_start": 24.0}, "must start between 00:00 and 23:59"),
            ({"care_window_end": 25.0}, "must end between 00:00 and 24:00"),
            ({f"care_window_{day}": False for day in WEEKDAYS}, "at least one weekday"),
            ({"care_email_cap_hours": -1.0}, "cannot be negative"),
            ({"care_attribution_days": -1}, "attribution window cannot be negative"),
        ]
        for vals, error in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError) as caught,
            ):
                self.company.write(vals)
            self.assertIn(error, str(caught.exception))

    def test_country_hours_of_a_former_version_become_records(self):
        """18.0.1.2.0: the text per company turns into send windows."""
        path = file_path("service_care/migrations/18.0.1.2.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sc_migration_1_2", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.env.cr.execute(
            SQL("ALTER TABLE res_company ADD COLUMN care_country_windows text")
        )
        self.env.cr.execute(
            SQL(
                "UPDATE res_company SET care_country_windows = %s WHERE id = %s",
                "# abroad\nFR 08:00-20:00 mon-fri\nde 10:00-24:00\nXX 09:00-10:00",
                self.company.id,
            )
        )
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(
            self.company._care_policy().country_windows,
            {
                "FR": SendWindow(time(8, 0), time(20, 0), frozenset(range(5))),
                "DE": SendWindow(time(10, 0), time(0, 0)),
            },
        )
        self.assertRecordValues(
            self.company.care_send_window_ids.sorted("hour_from"),
            [
                {"hour_from": 8.0, "hour_to": 20.0, "sat": False, "sun": False},
                {"hour_from": 10.0, "hour_to": 24.0, "sat": True, "sun": True},
            ],
        )
