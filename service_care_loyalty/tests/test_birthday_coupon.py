# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.service_care.tests.common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestBirthdayCoupon(ServiceCareCase):
    """The greeting gives one coupon of the company's birthday program per
    customer and year, its code in the email; no coupon, no second email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.env.ref("service_care.service_care_scenario_birthday")
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Birthday 10 %",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "reward_ids": [(0, 0, {"required_points": 1, "discount": 10})],
                "communication_plan_ids": [
                    (
                        0,
                        0,
                        {
                            "trigger": "create",
                            "mail_template_id": cls.env.ref(
                                "loyalty.mail_template_loyalty_card"
                            ).id,
                        },
                    )
                ],
            }
        )
        cls.company.write(
            {
                "care_birthday_program_id": cls.program.id,
                "care_birthday_coupon_days": 30,
            }
        )
        cls.customer.write({"care_birth_day": 3, "care_birth_month": "12"})
        cls.silent = cls._make_customer("Olga Cicha", "olga@example.pl", consent=False)
        cls.silent.write({"care_birth_day": 3, "care_birth_month": "12"})

    def _greet(self, when):
        with freeze_time(when):
            self.env["res.partner"]._cron_care_birthdays()
            self.env["service.care.scenario.run"]._cron_run()

    def _greeting(self, partner):
        return self.env["service.care.message"].search(
            [("scenario_id", "=", self.scenario.id), ("partner_id", "=", partner.id)]
        )

    def _cards(self, partner):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", partner.id), ("program_id", "=", self.program.id)]
        )

    def test_one_coupon_a_year_its_code_in_the_greeting(self):
        self._greet(datetime(2026, 12, 3, 9, 30))
        card = self._cards(self.customer)
        self.assertEqual(len(card), 1)
        self.assertEqual((card.points, card.care_birthday_year), (1, 2026))
        self.assertEqual(card.expiration_date, date(2027, 1, 2))
        message = self._greeting(self.customer)
        self.assertEqual(message.state, "queued")
        self.assertIn(card.code, message.mail_message_id.body)
        # the greeting is the only email: Odoo's coupon email is not sent
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "loyalty.card"), ("res_id", "=", card.id)]
            )
        )
        # the same day again: no second coupon
        self._greet(datetime(2026, 12, 3, 15, 0))
        self.assertEqual(self._cards(self.customer), card)
        # next year: a new coupon
        self._greet(datetime(2027, 12, 3, 9, 30))
        self.assertEqual(len(self._cards(self.customer)), 2)

    def test_no_consent_no_coupon(self):
        self._greet(datetime(2026, 12, 3, 9, 30))
        self.assertEqual(self._greeting(self.silent).state, "skipped")
        self.assertFalse(self._cards(self.silent))

    def test_without_a_program_a_greeting_without_coupon(self):
        self.company.care_birthday_program_id = False
        self._greet(datetime(2026, 12, 3, 9, 30))
        message = self._greeting(self.customer)
        self.assertEqual(message.state, "queued")
        self.assertFalse(self._cards(self.customer))
        self.assertNotIn("Our gift", message.mail_message_id.body)

    def test_a_used_coupon_is_no_longer_offered(self):
        self._greet(datetime(2026, 12, 3, 9, 30))
        card = self._cards(self.customer)
        with freeze_time(datetime(2026, 12, 5)):
            self.assertEqual(self.customer.care_birthday_coupon_code, card.code)
            card.points = 0
            self.customer.invalidate_recordset(["care_birthday_coupon_code"])
            self.assertFalse(self.customer.care_birthday_coupon_code)

    def test_a_validity_in_the_past_is_refused(self):
        with self.assertRaises(ValidationError):
            self.company.care_birthday_coupon_days = -1
