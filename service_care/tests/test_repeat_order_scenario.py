# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The repeat-order scenario the addon ships, walked end to end."""

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestRepeatOrderScenario(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.env.ref("service_care.service_care_scenario_repeat_order")
        # its "how is it?" email would take the frequency cap's slot
        cls.env.ref("service_care.service_care_scenario_post_purchase").active = False
        cls.Run = cls.env["service.care.scenario.run"]
        cls.Message = cls.env["service.care.message"]
        cls.filters = cls.env["product.product"].create(
            {"name": "Paper filters x100", "is_published": True, "list_price": 4.0}
        )
        cls.coffee = cls.env["product.product"].create(
            {
                "name": "House blend 1 kg",
                "is_storable": True,
                "is_published": True,
                "list_price": 20.0,
                "accessory_product_ids": [(6, 0, cls.filters.ids)],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.coffee, cls.env.ref("stock.stock_location_stock"), 50
        )

    def _delivered_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.coffee.id})],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.write({"quantity": 1, "picked": True})
        order.picking_ids.button_validate()
        return order

    def test_delivered_order_gets_cross_sell_then_best_sellers(self):
        with freeze_time("2026-11-24 12:00:00"):
            order = self._delivered_order()
            # (the demo shop's history has runs of its own: keys "demo:…")
            run = self.Run.search(
                [("scenario_id", "=", self.scenario.id), ("key", "not like", "demo:%")]
            )
            self.assertEqual(run.res_id, order.id)
            self.Run._cron_run()
        # Two days later is 13:00 in Warsaw on the 26th: the next 10:00 local
        # (09:00 UTC) is on the 27th.
        self.assertEqual(run.next_at, datetime(2026, 11, 27, 9, 0))
        with freeze_time("2026-11-27 09:00:00"):
            self.Run._cron_run()
        email, sms = (
            self.Message.search([("run_id", "=", run.id), ("channel", "=", channel)])
            for channel in ("email", "sms")
        )
        self.assertEqual(email.state, "queued")
        self.assertEqual(sms.state, "queued")
        body = (
            self.env["mail.mail"]
            .search([("mail_message_id", "=", email.mail_message_id.id)])
            .body_html
        )
        self.assertIn("Paper filters x100", body)
        self.assertIn(order.name, email.subject)
        self.assertIn("/care/c/", body)
        with freeze_time("2026-12-04 09:00:00"):
            self.Run._cron_run()
        best = self.Message.search(
            [
                ("run_id", "=", run.id),
                ("scenario_step_id.name", "=", "Best sellers email"),
            ]
        )
        self.assertEqual(best.state, "queued")
        self.assertEqual(run.state, "done")
        best_body = (
            self.env["mail.mail"]
            .search([("mail_message_id", "=", best.mail_message_id.id)])
            .body_html
        )
        with freeze_time("2026-12-04 09:00:00"):
            best_sellers = order._care_best_sellers()
        self.assertTrue(best_sellers)
        for product in best_sellers:
            self.assertIn(product.display_name, best_body)

    def test_test_on_a_customer_shows_what_would_be_sent(self):
        wizard = self.env["service.care.scenario.test"].create(
            {"scenario_id": self.scenario.id, "partner_id": self.customer.id}
        )
        with freeze_time("2026-11-24 12:00:00"):
            wizard.action_simulate()
        self.assertIn("Cross-sell email", wizard.result)
        self.assertIn("2026-11-27 09:00:00", wizard.result)
        self.assertIn("sends Service Care: goes well with your order", wizard.result)
        self.assertIn("Europe/Warsaw", wizard.result)
