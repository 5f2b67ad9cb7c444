# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import importlib.util
import json
import re
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from .common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestBirthday(ServiceCareCase, HttpCase):
    """A greeting on the birthday at 10:00 where the customer lives, once a
    year, with consent; 29 February on 28 February in other years."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.env.ref("service_care.service_care_scenario_birthday")
        cls.customer.write({"care_birth_day": 3, "care_birth_month": "12"})
        cls.leap = cls._make_customer("Leo Luty", "leo@example.pl")
        cls.leap.write({"care_birth_day": 29, "care_birth_month": "2"})
        cls.silent = cls._make_customer("Olga Cicha", "olga@example.pl", consent=False)
        cls.silent.write({"care_birth_day": 3, "care_birth_month": "12"})
        cls.tokyo = cls._make_customer("Yuki Sato", "yuki@example.jp")
        cls.tokyo.write(
            {"care_birth_day": 3, "care_birth_month": "12", "tz": "Asia/Tokyo"}
        )

    def _greetings(self, when, partners=None):
        with freeze_time(when):
            self.env["res.partner"]._cron_care_birthdays()
            self.env["service.care.scenario.run"]._cron_run()
        return self.env["service.care.message"].search(
            [
                ("scenario_id", "=", self.scenario.id),
                ("partner_id", "in", (partners or self.customer).ids),
            ]
        )

    def test_at_ten_their_time_once_a_year(self):
        # 09:30 in Warsaw (UTC+1): not yet; 10:30: the greeting
        self.assertFalse(self._greetings(datetime(2026, 12, 3, 8, 30)))
        message = self._greetings(datetime(2026, 12, 3, 9, 30))
        self.assertEqual((message.state, message.kind), ("queued", "marketing"))
        self.assertEqual(message.subject, "Happy birthday, Anna Kowalska!")
        self.assertEqual(self.customer.care_birthday_greeted_year, 2026)
        # later that day, the next day: nothing more; next year: again
        self.assertEqual(self._greetings(datetime(2026, 12, 3, 15, 0)), message)
        self.assertEqual(self._greetings(datetime(2026, 12, 4, 10, 0)), message)
        self.assertEqual(len(self._greetings(datetime(2027, 12, 3, 9, 30))), 2)

    def test_on_the_day_even_after_a_promotion_that_morning(self):
        """The frequency cap would move the greeting to the next day."""
        with freeze_time(datetime(2026, 12, 3, 8, 30)):
            self.assertEqual(self._send(self.customer).state, "queued")
        message = self._greetings(datetime(2026, 12, 3, 9, 30))
        self.assertEqual(message.state, "queued")

    def test_tokyo_is_greeted_on_its_own_morning(self):
        # 10:30 in Tokyo is 01:30 UTC, when it is still 2 December in Warsaw
        greeted = self._greetings(datetime(2026, 12, 3, 1, 30), self.tokyo)
        self.assertEqual(greeted.partner_id, self.tokyo)
        self.assertFalse(self._greetings(datetime(2026, 12, 3, 1, 30)))

    def test_29_february_on_28_february_in_other_years(self):
        self.assertFalse(self._greetings(datetime(2027, 2, 27, 10, 0), self.leap))
        self.assertTrue(self._greetings(datetime(2027, 2, 28, 10, 0), self.leap))
        self.assertEqual(
            len(self._greetings(datetime(2027, 3, 1, 10, 0), self.leap)), 1
        )
        # a leap year: on the 29th, not the 28th
        self.assertEqual(
            len(self._greetings(datetime(2028, 2, 28, 10, 0), self.leap)), 1
        )
        self.assertEqual(
            len(self._greetings(datetime(2028, 2, 29, 10, 0), self.leap)), 2
        )

    def test_without_consent_it_is_skipped(self):
        message = self._greetings(datetime(2026, 12, 3, 9, 30), self.silent)
        self.assertEqual(
            (message.state, message.reason_code), ("skipped", "no_consent")
        )

    def test_a_birthday_must_be_a_date(self):
        with self.assertRaises(ValidationError):
            self.customer.write({"care_birth_day": 31, "care_birth_month": "4"})
        with self.assertRaises(ValidationError):
            self.customer.write(
                {"care_birth_day": 29, "care_birth_month": "2", "care_birth_year": 2003}
            )

    def test_the_customer_gives_it_on_the_portal(self):
        user = new_test_user(
            self.env, "care_bday", groups="base.group_portal", password="care_bday"
        )
        self.start_tour("/my/care", "service_care_birthday", login="care_bday")
        partner = user.partner_id
        self.assertEqual(
            (partner.care_birth_day, partner.care_birth_month, partner.care_birth_year),
            (29, "2", 0),
        )

    def test_a_wrong_birthday_on_the_portal_is_refused_and_kept_out(self):
        user = new_test_user(
            self.env, "care_bday2", groups="base.group_portal", password="care_bday2"
        )
        self.authenticate("care_bday2", "care_bday2")
        page = self.url_open("/my/care/preferences")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/my/care/preferences",
            data={"csrf_token": token, "birth_day": "31", "birth_month": "2"},
        )
        self.assertIn("This birthday is not a date.", response.text)
        self.assertFalse(user.partner_id.care_birth_month)

    def test_update_to_1_7_adds_the_coupon_line_in_every_language(self):
        template = self.env.ref("service_care.mail_template_birthday")
        line = '\n    <p t-if="object.care_birthday_coupon_code">'
        new = template.body_html
        old = new[: new.index(line)] + new[new.index("</p>", new.index(line)) + 4 :]
        old_ru = old.replace("Happy birthday", "Днём рождения")
        self.env.cr.execute(
            SQL(
                "UPDATE mail_template SET body_html = %s WHERE id = %s",
                json.dumps({"en_US": str(old), "ru_RU": str(old_ru)}),
                template.id,
            )
        )
        template.invalidate_recordset(["body_html"])
        path = file_path("service_care/migrations/18.0.1.7.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sc_migration_1_7", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.scenario.frequency_cap = True
        migration.migrate(self.env.cr, "18.0.1.6.0")
        self.assertFalse(self.scenario.frequency_cap)
        self.assertEqual(str(template.body_html), str(new))
        self.env.cr.execute(
            SQL(
                "SELECT body_html->>'ru_RU' FROM mail_template WHERE id = %s",
                template.id,
            )
        )
        russian = self.env.cr.fetchone()[0]
        self.assertIn("Днём рождения", russian)
        self.assertIn("Наш подарок: введите код <strong", russian)
        # a template the shop rewrote is left as the shop wrote it
        template.body_html = "<p>Our own words</p>"
        migration.migrate(self.env.cr, "18.0.1.6.0")
        self.assertEqual(str(template.body_html), "<p>Our own words</p>")
