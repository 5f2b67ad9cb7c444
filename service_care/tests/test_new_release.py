# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestNewRelease(ServiceCareCase):
    """A product that follows others is announced to their recent buyers,
    once each, when it is published and in stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("service_care.service_care_scenario_post_purchase").active = False
        cls.env.ref("service_care.service_care_scenario_repeat_order").active = False
        cls.first = cls.env["product.template"].create(
            {"name": "Care Kettle", "type": "consu", "list_price": 40}
        )
        cls.second = cls.env["product.template"].create(
            {
                "name": "Care Kettle 2",
                "type": "consu",
                "is_storable": True,
                "list_price": 55,
                "care_follows_ids": [fields.Command.link(cls.first.id)],
            }
        )
        cls.recent = cls.customer
        cls.long_ago = cls._make_customer("Piotr Stary", "piotr@example.pl")
        cls.silent = cls._make_customer("Olga Cicha", "olga@example.pl", consent=False)
        for partner, months in (
            (cls.recent, 3),
            (cls.recent, 1),
            (cls.long_ago, 20),
            (cls.silent, 2),
        ):
            cls._bought(partner, months)
        cls.scenario = cls.env.ref("service_care.service_care_scenario_new_release")

    @classmethod
    def _bought(cls, partner, months_ago):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    fields.Command.create(
                        {"product_id": cls.first.product_variant_id.id}
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = fields.Datetime.now() - relativedelta(months=months_ago)

    def _announce(self):
        # Mid-morning today: a marketing message in the quiet hours would
        # wait for the morning, whatever the time the tests run at.
        with freeze_time(fields.Datetime.now().replace(hour=10, minute=0)):
            self.env["product.template"]._cron_care_new_releases()
            self.env["service.care.scenario.run"]._cron_run()
        return self.env["service.care.message"].search(
            [
                ("scenario_id", "=", self.scenario.id),
                ("res_model", "=", "product.template"),
                ("res_id", "=", self.second.id),
            ]
        )

    def _stock(self, qty):
        self.env["stock.quant"]._update_available_quantity(
            self.second.product_variant_id,
            self.env.ref("stock.warehouse0").lot_stock_id,
            qty,
        )
        # (a cron runs in a transaction of its own: no stale stock figures)
        self.env.invalidate_all()

    def test_published_and_in_stock_tells_recent_buyers_once(self):
        self._stock(5)
        self.assertFalse(self._announce(), "not published yet")
        self.second.is_published = True
        messages = self._announce()
        self.assertEqual(messages.partner_id, self.recent | self.silent)
        mine = messages.filtered(lambda m: m.partner_id == self.recent)
        self.assertEqual((len(mine), mine.state), (1, "queued"), "two orders, once")
        self.assertEqual(mine.subject, "Care Kettle 2 is out")
        self.assertEqual(mine.res_model, "product.template")
        other = messages - mine
        self.assertEqual((other.state, other.reason_code), ("skipped", "no_consent"))
        self.assertTrue(self.second.care_release_announced_at)
        # the sweep again, or publishing again: nothing more
        self.second.is_published = False
        self.second.is_published = True
        self.assertEqual(self._announce(), messages)

    def test_published_while_sold_out_waits_for_stock(self):
        self.second.is_published = True
        self.assertFalse(self._announce())
        self.assertFalse(self.second.care_release_announced_at)
        self._stock(3)
        self.assertEqual(self._announce().partner_id, self.recent | self.silent)

    def test_the_window_is_a_setting(self):
        self.company.care_new_release_months = 24
        self._stock(5)
        self.second.is_published = True
        self.assertIn(self.long_ago, self._announce().partner_id)

    def test_publishing_wakes_the_sweep(self):
        cron = self.env.ref("service_care.ir_cron_service_care_new_release")
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self.second.is_published = True
        self.assertTrue(Trigger.search([("cron_id", "=", cron.id)]))
