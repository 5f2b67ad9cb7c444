# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import socket
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from .sms_gateway_common import SmsGatewayCase

# 89 UCS-2 characters: two parts, 67 + 22.
CYRILLIC_2_PARTS = " ".join(["Ваш заказ S00042 подтверждён."] * 3)


def closed_port_url():
    """A loopback URL nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cgi-bin/sendsms"


@tagged("post_install", "-at_install", "service_care")
class TestSmsGatewayConfig(SmsGatewayCase):
    def test_sender_is_validated(self):
        for sender in ("ABCDEFGHIJKL", "Магазин", "12"):
            with self.subTest(sender=sender), self.assertRaises(ValidationError):
                self.gateway.sender = sender
        self.gateway.sender = "+48601234567"
        with self.assertRaises(ValidationError):
            self.gateway.sender_ids = [
                fields.Command.create(
                    {"country_id": self.env.ref("base.ua").id, "sender": "Магазин"}
                )
            ]

    def test_one_default_gateway_per_company(self):
        second = self.env["service.care.sms.gateway"].create(
            {"name": "Jasmin", "provider": "jasmin", "url": "http://127.0.0.1:1/send"}
        )
        self.assertTrue(second.is_default)
        self.assertFalse(self.gateway.is_default)
        Gateway = self.env["service.care.sms.gateway"]
        self.assertEqual(Gateway._default_for(self.company), second)
        self.gateway.is_default = True
        self.assertFalse(second.is_default)
        self.assertEqual(Gateway._default_for(self.company), self.gateway)

    def test_url_is_checked(self):
        with self.assertRaises(ValidationError):
            self.gateway.url = "127.0.0.1:13013/cgi-bin/sendsms"

    def test_credentials_are_for_managers(self):
        user = self.env["res.users"].create(
            {
                "name": "Care user",
                "login": "care_user_sms",
                "groups_id": [
                    fields.Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("service_care.service_care_group_user").id,
                        ]
                    )
                ],
            }
        )
        gateway = self.gateway.with_user(user)
        self.assertEqual(gateway.name, "Stub Kannel")
        for secret in ("password", "username", "dlr_secret"):
            with self.subTest(field=secret), self.assertRaises(AccessError):
                gateway.read([secret])
        with self.assertRaises(AccessError):
            gateway.write({"sender": "Other"})

    def test_inbound_url(self):
        url = self.gateway.mo_url
        self.assertIn(f"/service_care/sms/mo/{self.gateway.id}/", url)
        self.assertTrue(url.endswith("?from=%p&to=%P&text=%a&id=%I"))
        token = urlsplit(url).path.rsplit("/", 1)[1]
        self.assertTrue(self.gateway._check_mo_token(token))
        self.gateway.action_new_secret()
        self.assertFalse(self.gateway._check_mo_token(token))

    def test_segments_shown_on_template_and_composer(self):
        self.sms_template.body = CYRILLIC_2_PARTS
        self.assertEqual(
            self.sms_template.care_sms_info,
            "2 SMS part(s), Unicode (UCS-2), 45 characters left in the last part, "
            f"0.1000 {self.company.currency_id.symbol} each",
        )
        self.sms_template.body = "a" * 160
        self.assertIn(
            "1 SMS part(s), GSM 7-bit, 0 characters", self.sms_template.care_sms_info
        )
        composer = Form(
            self.env["sms.composer"].with_context(
                active_model="res.partner", active_id=self.customer.id
            )
        )
        composer.body = "Hello {ok} €" * 20  # 15 septets: { } € take two each
        self.assertIn("2 SMS part(s), GSM 7-bit", composer.care_sms_info)


@tagged("post_install", "-at_install", "service_care")
class TestSmsGatewaySend(SmsGatewayCase):
    def test_accepted_with_encoding_sender_dlr_and_cost(self):
        self.sms_template.body = CYRILLIC_2_PARTS
        self.gateway.sender_ids = [
            fields.Command.create(
                {"country_id": self.env.ref("base.ua").id, "sender": "ShopUA"}
            )
        ]
        message, sms = self._queue_sms()
        sms.send()
        [request] = self.stub.requests
        self.assertEqual(request["to"], "+48601234567")
        self.assertEqual(request["from"], "MyShop")
        self.assertEqual(request["text"], CYRILLIC_2_PARTS)
        self.assertEqual((request["coding"], request["charset"]), ("2", "UTF-8"))
        self.assertEqual((request["username"], request["password"]), ("shop", "secret"))
        self.assertEqual(request["dlr-mask"], "31")
        dlr = urlsplit(request["dlr-url"])
        self.assertEqual(dlr.query, "type=%d&answer=%A")
        *_path, gateway_id, sms_uuid, token = dlr.path.split("/")
        self.assertEqual((int(gateway_id), sms_uuid), (self.gateway.id, sms.uuid))
        self.assertTrue(self.gateway._check_dlr_token(sms.uuid, token))
        # one character off (a token ending in "0" must get another)
        forged = token[:-1] + ("1" if token.endswith("0") else "0")
        self.assertFalse(self.gateway._check_dlr_token(sms.uuid, forged))
        self.assertEqual(sms.state, "pending")
        self.assertFalse(sms.to_delete, "kept until its final delivery report")
        self.assertEqual(
            (sms.care_gateway_id, sms.care_segments, sms.care_encoding, sms.care_cost),
            (self.gateway, 2, "ucs2", 0.1),
        )
        self.assertEqual(message.cost, 0.1)
        self.assertEqual(message.sms_gateway_id, self.gateway, "cost by gateway")
        self.assertEqual(message.state, "sent")
        self.assertEqual(self._notification(message).notification_status, "pending")

    def test_sender_per_country(self):
        ukrainian = self._make_customer("Олена", "olena@example.ua", "+380 50 123 4567")
        self.gateway.sender_ids = [
            fields.Command.create(
                {"country_id": self.env.ref("base.ua").id, "sender": "ShopUA"}
            )
        ]
        _message, sms = self._queue_sms(ukrainian)
        sms.send()
        self.assertEqual(self.stub.requests[0]["from"], "ShopUA")
        self.assertEqual(self.stub.requests[0]["to"], "+380501234567")

    def test_gateway_error_5xx_keeps_queued_and_retries_once(self):
        self.stub.script((503, "4: Temporal failure, try again later."))
        message, sms = self._queue_sms()
        now = fields.Datetime.now()
        with freeze_time(now):
            self.Sms._process_queue()
        self.assertEqual(len(self.stub.requests), 1)
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.care_attempts, 1)
        self.assertEqual(sms.care_next_try, now + timedelta(minutes=1))
        self.assertIn("HTTP 503", sms.care_failure_reason)
        self.assertEqual(message.state, "queued")
        self.assertEqual(self._notification(message).notification_status, "ready")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("sms.ir_cron_sms_scheduler_action").id)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(trigger.call_at, now + timedelta(minutes=1))
        # Before its next try, the queue leaves it alone.
        with freeze_time(now + timedelta(seconds=30)):
            self.Sms._process_queue()
        self.assertEqual(len(self.stub.requests), 1)
        with freeze_time(now + timedelta(minutes=1)):
            self.Sms._process_queue()
        self.assertEqual(len(self.stub.requests), 2)
        self.assertEqual(sms.state, "pending")
        self.assertFalse(sms.care_next_try)
        with freeze_time(now + timedelta(hours=2)):
            self.Sms._process_queue()
        self.assertEqual(len(self.stub.requests), 2, "never sent twice")
        self.assertEqual(message.state, "sent")

    def test_gateway_down_defers_the_whole_batch_with_back_off(self):
        self.gateway.url = closed_port_url()
        partners = self._make_customers(3, start=700)
        smses = self.Sms
        for partner in partners:
            smses |= self._queue_sms(partner)[1]
        now = fields.Datetime.now()
        for attempt, delay in [(1, 1), (2, 2), (3, 4)]:
            with freeze_time(now + timedelta(hours=attempt)):
                self.Sms._process_queue()
            self.assertEqual(set(smses.mapped("state")), {"outgoing"})
            self.assertEqual(set(smses.mapped("care_attempts")), {attempt})
            self.assertEqual(
                set(smses.mapped("care_next_try")),
                {now + timedelta(hours=attempt, minutes=delay)},
            )
            self.assertIn("cannot be reached", smses[0].care_failure_reason)
        # The gateway is back: each goes out once.
        self.gateway.url = self.stub.url
        with freeze_time(now + timedelta(hours=4)):
            self.Sms._process_queue()
            self.Sms._process_queue()
        self.assertEqual(
            sorted(r["to"] for r in self.stub.requests),
            sorted(smses.mapped("number")),
        )
        self.assertEqual(set(smses.mapped("state")), {"pending"})

    def test_send_now_by_hand_does_not_wait(self):
        self.stub.script((500, "boom"))
        _message, sms = self._queue_sms()
        self.Sms._process_queue()
        self.assertEqual(sms.state, "outgoing")
        sms.send()  # the "Send Now" button
        self.assertEqual(len(self.stub.requests), 2)
        self.assertEqual(sms.state, "pending")

    def test_gateway_refusal_4xx_fails_with_reason_in_chatter(self):
        self.stub.script((403, "Authorization failed for sendsms"))
        message, sms = self._queue_sms()
        self.Sms._process_queue()
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "sms_acc")
        notification = self._notification(message)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "sms_acc")
        self.assertIn("HTTP 403", notification.failure_reason)
        self.assertIn("Authorization failed", notification.failure_reason)
        self.assertEqual(message.state, "failed")
        self.assertIn("Authorization failed", message.reason)
        self.Sms._process_queue()
        self.assertEqual(len(self.stub.requests), 1)

    def test_blacklisted_number_never_sent(self):
        message, sms = self._queue_sms()
        # The customer opted out after the SMS was queued.
        self.env["phone.blacklist"]._add(["+48601234567"])
        self.Sms._process_queue()
        self.assertFalse(self.stub.requests)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_blacklist"))
        notification = self._notification(message)
        self.assertEqual(notification.notification_status, "exception")
        self.assertIn("blacklist", notification.failure_reason)
        self.assertEqual(message.state, "failed")

    def test_iap_path_left_to_odoo(self):
        """Without a gateway the SMS go as Odoo sends them: the numbers and the
        blacklist of Odoo's own SMS are Odoo's business (the pipeline checks
        its own messages before they become SMS)."""
        self.gateway.active = False
        listed = self.Sms.create({"number": "+48 601 234 567", "body": "Hi"})
        national = self.Sms.create(
            {"number": "601 234 568", "body": "Hi", "partner_id": self.customer.id}
        )
        self.env["phone.blacklist"]._add(["+48601234567"])
        with patch.object(
            SmsApi,
            "_send_sms_batch",
            autospec=True,
            side_effect=lambda api, messages, **kw: [
                {"uuid": n["uuid"], "state": "success"}
                for m in messages
                for n in m["numbers"]
            ],
        ) as send_batch:
            (listed | national).send()
        [[_api, messages]] = [call.args for call in send_batch.call_args_list]
        self.assertEqual(
            sorted(n["number"] for m in messages for n in m["numbers"]),
            ["+48 601 234 567", "601 234 568"],
        )
        self.assertEqual(national.number, "601 234 568", "not rewritten")
        self.assertEqual((listed.state, national.state), ("pending", "pending"))

    def test_invalid_number_fails_with_reason(self):
        sms = self.Sms.create(
            {"number": "+48 12", "body": "Hi", "partner_id": self.customer.id}
        )
        missing = self.Sms.create({"number": False, "body": "Hi"})
        (sms | missing).send()
        self.assertFalse(self.stub.requests)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_number_format"))
        self.assertIn("too short", sms.care_failure_reason)
        self.assertEqual(missing.failure_type, "sms_number_missing")

    def test_company_without_gateway_uses_iap(self):
        other = self.env["res.company"].create({"name": "Other shop"})
        order_partner = self.customer.copy({"company_id": other.id})
        sms = self.Sms.create(
            {"number": "+48601234567", "body": "Hi", "partner_id": order_partner.id}
        )
        chatter = self.env["mail.message"].create(
            {"model": "res.partner", "res_id": order_partner.id, "body": "Hi"}
        )
        sms.mail_message_id = chatter
        self.assertEqual(sms._care_companies(), {sms.id: other})
        with patch.object(
            SmsApi,
            "_send_sms_batch",
            return_value=[{"uuid": sms.uuid, "state": "success"}],
        ) as send_batch:
            sms.send()
        send_batch.assert_called_once()
        self.assertFalse(self.stub.requests)

    def test_could_not_reach_button(self):
        product = self.env["product.product"].create({"name": "Coffee beans"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [fields.Command.create({"product_id": product.id})],
            }
        )
        self.company.phone = "+48 22 123 45 67"
        action = self.env.ref("service_care.sale_order_action_sms_not_reached")
        result = action.with_context(
            active_model="sale.order", active_id=order.id, active_ids=order.ids
        ).run()
        self.assertEqual(result["params"]["type"], "success")
        message = self.env["service.care.message"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual((message.kind, message.state), ("transactional", "queued"))
        sms = self.Sms.search([("uuid", "=", message.sms_uuid)])
        self.assertEqual(
            sms.body,
            f"{self.company.name}: hello Anna Kowalska! We could not reach you by "
            f"phone about your order {order.name}. Please call us: +48 22 123 45 67",
        )
        self.assertIn(sms.body, order.message_ids[0].body)

    def test_hourly_limit_per_number_protects_the_bill(self):
        self.gateway.number_hourly_limit = 2
        queued = [self._queue_sms()[1] for _n in range(3)]
        other = self._make_customer("Other", "other@example.pl", "+48 601 999 888")
        other_sms = self._queue_sms(other)[1]
        self.Sms._process_queue()
        self.assertEqual(
            sorted(r["to"] for r in self.stub.requests),
            ["+48601234567", "+48601234567", "+48601999888"],
        )
        refused = [sms for sms in queued if sms.state == "error"]
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused[0].failure_type, "sms_not_allowed")
        self.assertIn("limit per number", refused[0].care_failure_reason)
        self.assertEqual(other_sms.state, "pending")
        # the day's cost: three SMS of one part
        self.assertAlmostEqual(self.gateway.cost_today, 0.15)
        # an hour later the number may be texted again
        with freeze_time(fields.Datetime.now() + timedelta(minutes=61)):
            later = self._queue_sms()[1]
            self.Sms._process_queue()
            self.assertEqual(later.state, "pending")

    def test_hourly_limit_per_user_at_the_sms_buttons(self):
        self.gateway.user_hourly_limit = 1
        clerk = new_test_user(
            self.env, login="sms_clerk", groups="sales_team.group_sale_salesman"
        )
        product = self.env["product.product"].create({"name": "Coffee beans"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": clerk.id,
                "order_line": [fields.Command.create({"product_id": product.id})],
            }
        )
        action = self.env.ref(
            "service_care.sale_order_action_sms_not_reached"
        ).with_context(
            active_model="sale.order", active_id=order.id, active_ids=order.ids
        )
        self.assertEqual(action.with_user(clerk).run()["params"]["type"], "success")
        with self.assertRaisesRegex(UserError, "allows 1 per user and hour"):
            action.with_user(clerk).run()
        # another user is not held back by the clerk's texts
        self.assertEqual(action.run()["params"]["type"], "success")

    def test_order_templates_in_the_customer_language(self):
        self.company.name = "OWOX"
        product = self.env["product.product"].create({"name": "Coffee beans"})
        expected = {
            "en_US": "OWOX: thank you for your order {order}. We will call you soon "
            "to confirm the details.",
            "pl_PL": "OWOX: dziękujemy za zamówienie {order}. Wkrótce zadzwonimy, "
            "aby potwierdzić szczegóły.",
            "uk_UA": "OWOX: дякуємо за ваше замовлення {order}. Ми скоро "
            "зателефонуємо вам, щоб уточнити деталі.",
            "ru_RU": "OWOX: спасибо за ваш заказ {order}. Мы скоро позвоним вам, "
            "чтобы уточнить детали.",
        }
        for lang in expected:
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["service_care"], list(expected), overwrite=True
        )
        template = self.env.ref("service_care.sms_template_order_confirmed")
        for lang, text in expected.items():
            with self.subTest(lang=lang):
                self.customer.lang = lang
                order = self.env["sale.order"].create(
                    {
                        "partner_id": self.customer.id,
                        "order_line": [
                            fields.Command.create({"product_id": product.id})
                        ],
                    }
                )
                message = self.env["service.care.message"].send_template(
                    template, order, "sms", "transactional"
                )
                sms = self.Sms.search([("uuid", "=", message.sms_uuid)])
                self.assertEqual(sms.body, text.format(order=order.name))

    def test_send_now_refuses_missing_fields(self):
        template = self.env.ref("service_care.sms_template_order_not_reached")
        with self.assertRaises(UserError):
            template._care_send_now(self.customer, required_fields=("phone",))
