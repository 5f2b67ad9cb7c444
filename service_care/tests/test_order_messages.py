# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order messages end to end: the order's events start the shipped
scenarios, the runner sends through the pipeline, the SMS reach the SMSC
simulator through Kannel and the emails the local SMTP server."""

import secrets
import threading
from unittest.mock import patch
from urllib.parse import unquote

from odoo import fields
from odoo.modules import module
from odoo.tests import tagged

from odoo.addons.stock.models.stock_picking import Picking as StockPicking

from .common import ServiceCareCase
from .stack import (
    poll_until,
    smsc_messages,
    smtp_sink_server,
    spooled_emails,
    stack_env,
)


@tagged("post_install", "-at_install")
class TestOrderMessages(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        smtp_sink_server(cls.env, only=True)
        cls.env["service.care.sms.gateway"].search([]).active = False
        cls.env["service.care.sms.gateway"].create(
            {
                "name": "Kannel",
                "provider": "kannel",
                "url": stack_env("SERVICE_CARE_KANNEL_SENDSMS_URL"),
                "username": stack_env("SERVICE_CARE_KANNEL_USER"),
                "password": stack_env("SERVICE_CARE_KANNEL_PASSWORD"),
                "sender": "Shop",
                # delivery reports are another test's business
                "callback_base_url": "http://127.0.0.1:9",
            }
        )
        cls.company.write({"name": "Care Shop", "phone": "+48 22 123 45 67"})
        cls.product = cls.env["product.product"].create(
            {"name": "Care Kettle", "type": "consu", "list_price": 40}
        )
        cls.Run = cls.env["service.care.scenario.run"]
        cls.Message = cls.env["service.care.message"]

    def _customer(self, mobile=None):
        number = mobile or f"+48 601 {secrets.randbelow(10**6):06d}"
        name = secrets.token_hex(3)
        # no marketing consent: order messages are transactional
        return self._make_customer(
            f"Ola {name}", f"ola.{name}@example.pl", number, consent=False
        )

    def _order(self, partner, qty=1):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    fields.Command.create(
                        {"product_id": self.product.id, "product_uom_qty": qty}
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def _messages(self, order, scenario):
        self.Run._cron_run()
        return self.Message.search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("scenario_id", "=", self.env.ref(f"service_care.{scenario}").id),
            ],
            order="id",
        )

    def _deliver(self, order, qty=None):
        picking = order.picking_ids.filtered(lambda p: p.state != "done")
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
        # a part delivered leaves a backorder for the rest
        picking.with_context(skip_backorder=True).button_validate()
        return picking

    def _at_smsc(self, partner, count=1):
        number = partner.care_sms_address.removeprefix("+")
        self.env["sms.sms"]._process_queue()
        return poll_until(
            lambda: len(smsc_messages(number)) >= count and smsc_messages(number),
            f"{count} SMS to {number} did not reach the SMSC",
        )

    def _at_smtp(self, partner, subject):
        # Odoo's test runner stops mail at the SMTP client; this is about
        # the real exchange with the local server.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue()
        return poll_until(
            lambda: [
                mail
                for mail in spooled_emails()
                if partner.email in mail["To"] and subject in mail["Subject"]
            ],
            f"no email '{subject}' to {partner.email}",
        )

    def test_confirming_texts_the_order_number(self):
        customer = self._customer()
        order = self._order(customer)
        message = self._messages(order, "service_care_scenario_order_confirmed")
        self.assertEqual(
            (message.channel, message.kind, message.state),
            ("sms", "transactional", "queued"),
        )
        [received] = self._at_smsc(customer)
        self.assertIn(order.name, received["text"])
        self.assertTrue(received["text"].startswith("Care Shop:"))
        self.assertNotIn("STOP", received["text"], "not a marketing text")

    def test_delivering_the_order_texts_and_emails_delivered(self):
        customer = self._customer()
        order = self._order(customer)
        self._deliver(order)
        self.assertEqual(order.delivery_status, "full")
        messages = self._messages(order, "service_care_scenario_order_delivered")
        self.assertEqual(messages.mapped("channel"), ["email", "sms"])
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        self.assertFalse(
            self._messages(order, "service_care_scenario_order_shipped"),
            "one message per delivery: delivered, not shipped too",
        )
        texts = [sms["text"] for sms in self._at_smsc(customer, count=2)]
        self.assertTrue(any("delivered" in text for text in texts), texts)
        [mail] = self._at_smtp(customer, f"your order {order.name} is delivered")
        body = unquote(mail.get_body(("html",)).get_content())
        self.assertIn(f"/my/orders/{order.id}?access_token=", body)

    def test_a_partial_shipment_says_shipped_then_delivered(self):
        customer = self._customer()
        order = self._order(customer, qty=2)
        self._deliver(order, qty=1)
        self.assertEqual(order.delivery_status, "partial")
        shipped = self._messages(order, "service_care_scenario_order_shipped")
        self.assertEqual(shipped.mapped("channel"), ["email", "sms"])
        self._at_smtp(customer, f"your order {order.name} is on its way")
        self._deliver(order)
        self.assertEqual(
            len(self._messages(order, "service_care_scenario_order_delivered")), 2
        )

    def test_cancelling_texts_cancelled_and_leaves_the_email_to_odoo(self):
        customer = self._customer()
        order = self._order(customer)
        self.Run._cron_run()
        order._action_cancel()
        [message] = self._messages(order, "service_care_scenario_order_cancelled")
        self.assertEqual(message.channel, "sms", "the email step ships off")
        [_confirmed, received] = self._at_smsc(customer, count=2)
        self.assertIn(f"{order.name} is cancelled", received["text"])
        self.assertIn("+48 22 123 45 67", received["text"])

    def test_a_bad_number_is_skipped_with_its_reason(self):
        customer = self._customer(mobile="+48 12")
        order = self._order(customer)
        message = self._messages(order, "service_care_scenario_order_confirmed")
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason_code, "invalid_contact")
        self.assertTrue(message.reason)

    def test_a_blacklisted_number_gets_no_order_sms(self):
        customer = self._customer()
        self.env["phone.blacklist"].sudo()._add([customer.mobile])
        order = self._order(customer)
        message = self._messages(order, "service_care_scenario_order_confirmed")
        self.assertEqual(
            (message.state, message.reason_code), ("skipped", "blacklisted")
        )

    def test_a_step_switched_off_is_passed_by(self):
        self.env.ref(
            "service_care.service_care_scenario_order_confirmed_step_sms"
        ).enabled = False
        order = self._order(self._customer())
        self.assertFalse(self._messages(order, "service_care_scenario_order_confirmed"))
        run = self.Run.search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(run.state, "done")

    def test_odoo_does_not_ask_to_text_deliveries_while_we_do(self):
        """Outside tests, Odoo's first delivery validated asks whether to
        text customers (stock_sms): not while ours do."""
        self.company.write(
            {"stock_move_sms_validation": True, "has_received_warning_stock_sms": False}
        )

        def validate(order):
            picking = order.picking_ids
            picking.move_ids.quantity = 1
            thread = threading.current_thread()
            with (
                patch.object(thread, "testing", False),
                patch.object(type(self.registry), "in_test_mode", lambda _r: False),
            ):
                return picking.button_validate()

        self.assertIs(validate(self._order(self._customer())), True)
        self.env.ref(
            "service_care.service_care_scenario_order_delivered_step_sms"
        ).enabled = False
        self.env.ref(
            "service_care.service_care_scenario_order_shipped_step_sms"
        ).enabled = False
        asked = validate(self._order(self._customer()))
        self.assertEqual(asked["res_model"], "confirm.stock.sms")

    def test_odoo_delivery_sms_gives_way_to_ours(self):
        """Odoo's stock_sms texts on delivery unless ``skip_sms``: it is set
        while a delivery scenario texts, and only then."""
        seen = []

        def confirmation(pickings):  # Odoo's delivery email and SMS
            seen.append(bool(pickings.env.context.get("skip_sms")))

        with patch.object(StockPicking, "_send_confirmation_email", confirmation):
            self._deliver(self._order(self._customer()))
            ours_on, seen[:] = list(seen), []
            steps = self.env.ref(
                "service_care.service_care_scenario_order_delivered_step_sms"
            ) | self.env.ref(
                "service_care.service_care_scenario_order_shipped_step_sms"
            )
            steps.enabled = False
            self._deliver(self._order(self._customer()))
        self.assertTrue(ours_on and all(ours_on), "Odoo's SMS skipped")
        self.assertTrue(seen and not any(seen), "Odoo's SMS as usual")
