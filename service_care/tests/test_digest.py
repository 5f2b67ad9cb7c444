# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ServiceCareCase

# Thursdays; Warsaw is UTC+1: 10:30 there is 09:30 UTC
THURSDAY = datetime(2026, 11, 26, 9, 30)
NEXT_THURSDAY = datetime(2026, 12, 3, 9, 30)


@tagged("post_install", "-at_install")
class TestDigest(ServiceCareCase):
    """Each week at the website's day and hour: its best sellers of the last
    seven days, to its customers who agreed to news, without what each
    bought that week."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Warsaw"
        cls.website = cls.env["website"].create(
            {"name": "Care Digest Shop", "company_id": cls.company.id}
        )
        cls.website.write({"care_digest_weekday": "3", "care_digest_hour": 10.0})
        Product = cls.env["product.product"]
        values = {"type": "consu", "is_published": True, "sale_ok": True}
        cls.mugs = Product.create({**values, "name": "Digest Mugs", "list_price": 5})
        cls.pot = Product.create({**values, "name": "Digest Pot", "list_price": 60})
        cls.hidden = Product.create(
            {**values, "name": "Digest Hidden", "is_published": False}
        )
        cls.gone = Product.create(
            {**values, "name": "Digest Gone", "is_storable": True, "list_price": 9}
        )
        cls.mug_buyer = cls.customer
        cls.pot_buyer = cls._make_customer("Piotr Dzbanek", "piotr@example.pl")
        cls.silent = cls._make_customer("Olga Cicha", "olga@example.pl", consent=False)
        cls._sell(cls.mug_buyer, cls.mugs, 3, datetime(2026, 11, 24, 12, 0))
        cls._sell(cls.pot_buyer, cls.pot, 1, datetime(2026, 11, 25, 12, 0))
        cls._sell(cls.silent, cls.hidden, 5, datetime(2026, 11, 25, 12, 0))
        cls._sell(cls.silent, cls.gone, 4, datetime(2026, 11, 25, 12, 0))
        cls._sell(cls.silent, cls.pot, 1, datetime(2026, 11, 10, 12, 0))  # too old
        cls.scenario = cls.env.ref("service_care.service_care_scenario_digest")

    @classmethod
    def _sell(cls, partner, product, qty, when):
        with freeze_time(when):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "website_id": cls.website.id,
                    "order_line": [
                        fields.Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                    ],
                }
            )
            order.action_confirm()
            order.date_order = when

    def _week(self, when):
        with freeze_time(when):
            self.env["website"]._cron_care_digests()
            self.env["service.care.scenario.run"]._cron_run()
        # (the demo shop's website sends its own digest to its customers)
        mine = self.mug_buyer | self.pot_buyer | self.silent
        return self.env["service.care.message"].search(
            [("scenario_id", "=", self.scenario.id), ("partner_id", "in", mine.ids)]
        )

    def test_best_sellers_to_customers_with_consent_without_their_own(self):
        self.website.care_digest_week = datetime(2026, 11, 19).date()
        messages = self._week(THURSDAY)
        self.assertEqual(self.website.care_digest_product_ids, self.mugs | self.pot)
        self.assertEqual(
            self.website._care_digest_best_sellers(THURSDAY)[:1], self.mugs, "units"
        )
        self.assertEqual(messages.partner_id, self.mug_buyer | self.pot_buyer)
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        to_mug_buyer = mails.filtered(lambda m: self.mug_buyer in m.recipient_ids)
        self.assertIn("Digest Pot", to_mug_buyer.body_html)
        self.assertNotIn("Digest Mugs", to_mug_buyer.body_html, "bought this week")
        # the sweep again that week: nothing more; next week: again
        self.assertEqual(self._week(datetime(2026, 11, 26, 15, 0)), messages)
        self._sell(self.pot_buyer, self.mugs, 1, datetime(2026, 12, 1, 12, 0))
        self.assertEqual(len(self._week(NEXT_THURSDAY)), 4)

    def test_not_before_the_hour_and_not_for_a_missed_week(self):
        self.website.care_digest_week = datetime(2026, 11, 19).date()
        self.assertFalse(self._week(datetime(2026, 11, 26, 8, 30)))
        # installed on Monday: last Thursday's slot is past, next one counts
        self.website.care_digest_week = False
        self.assertFalse(self._week(datetime(2026, 11, 30, 9, 0)))
        self.assertEqual(self.website.care_digest_week, datetime(2026, 11, 26).date())
