# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime
from urllib.parse import unquote

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged

from .common import ServiceCareCase

# A Monday, 13:00 in Warsaw (UTC+1 in November); seven days later it is
# past 10:00 there, so the email waits for 10:00 the next morning.
DELIVERED_AT = datetime(2026, 11, 2, 12, 0)
WEEK_LATER = datetime(2026, 11, 10, 9, 30)


@tagged("post_install", "-at_install")
class TestPostPurchase(ServiceCareCase):
    """A week after delivery, at 10:00 local: "how is your …?", once, with
    consent, not after a return."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kettle = cls.env["product.product"].create(
            {"name": "Care Kettle", "type": "consu", "list_price": 40}
        )
        cls.filter = cls.env["product.product"].create(
            {"name": "Care Filter", "type": "consu", "list_price": 5}
        )
        cls.seller = cls.env["res.users"].create(
            {"name": "Marc Seller", "login": "marc.care", "email": "marc@shop.example"}
        )
        cls.scenario = cls.env.ref("service_care.service_care_scenario_post_purchase")
        # its marketing emails would take the frequency cap's slot
        cls.env.ref("service_care.service_care_scenario_repeat_order").active = False
        cls.Run = cls.env["service.care.scenario.run"]

    def _delivered_order(self, partner):
        with freeze_time(DELIVERED_AT):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": self.seller.id,
                    "order_line": [
                        fields.Command.create({"product_id": self.filter.id}),
                        fields.Command.create({"product_id": self.kettle.id}),
                    ],
                }
            )
            order.action_confirm()
            picking = order.picking_ids
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.button_validate()
            self.Run._cron_run()
        return order

    def _follow_up(self, order, when=WEEK_LATER):
        with freeze_time(when):
            self.Run._cron_run()
        return self.env["service.care.message"].search(
            [
                ("scenario_id", "=", self.scenario.id),
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
            ]
        )

    def test_a_week_later_at_ten_asks_about_the_main_product(self):
        order = self._delivered_order(self.customer)
        self.assertEqual(order.care_main_product_id, self.kettle)
        self.assertFalse(
            self._follow_up(order, datetime(2026, 11, 10, 8, 30)), "not before 10:00"
        )
        message = self._follow_up(order)
        self.assertEqual(
            (message.state, message.kind), ("queued", "marketing"), message.reason
        )
        self.assertEqual(message.subject, "Anna Kowalska, how is your Care Kettle?")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
        self.assertIn("marc@shop.example", mail.reply_to)
        self.assertIn(f"/my/orders/{order.id}?", unquote(mail.body_html))
        # the runner again, a day later: nothing more
        self.assertEqual(self._follow_up(order, datetime(2026, 11, 10, 9, 30)), message)

    def test_no_follow_up_after_a_return(self):
        order = self._delivered_order(self.customer)
        picking = order.picking_ids
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        wizard.action_create_returns()
        self.assertTrue(order.care_returned)
        self.assertIn(
            order, self.env["sale.order"].search([("care_returned", "=", True)])
        )
        self.assertFalse(self._follow_up(order))
        run = self.Run.search(
            [("scenario_id", "=", self.scenario.id), ("res_id", "=", order.id)]
        )
        self.assertEqual(run.state, "exited", "ended at the check")

    def test_without_consent_it_is_skipped_with_the_reason(self):
        silent = self._make_customer("Olga Nowak", "olga@example.pl", consent=False)
        message = self._follow_up(self._delivered_order(silent))
        self.assertEqual(
            (message.state, message.reason_code), ("skipped", "no_consent")
        )
