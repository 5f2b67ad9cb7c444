# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SMS gateway end to end: Odoo -> Kannel -> SMPP simulator, and back.

Delivery reports travel SMSC -> Kannel -> our dlr-url on this test's HTTP
server; inbound SMS travel simulator -> Kannel -> the stack's MO relay -> our
inbound URL. Those requests come while the test runs, so every access to the
database from the test is made under the registry's test lock (``_db``):
Kannel's calls wait for it, as they would wait for a real transaction.
"""

import secrets
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import ServiceCareCase
from .stack import poll_until, smsc_control, smsc_messages, stack_env, stack_request

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class KannelDoor(ThreadingHTTPServer):
    """A door in front of Kannel's sendsms that the test closes and opens.

    Closed, nothing listens on its port (connection refused), which is what
    Odoo sees of a stopped Kannel; open, it passes every request through.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target, port=0):
        super().__init__(("127.0.0.1", port), _DoorHandler)
        self.target = target
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}/cgi-bin/sendsms"

    def close(self):
        self.shutdown()
        self.server_close()


class _DoorHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        query = self.path.partition("?")[2]
        try:
            with _opener.open(f"{self.server.target}?{query}", timeout=10) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        """Quiet."""


@tagged("post_install", "-at_install", "service_care")
class TestSmsGatewayStack(ServiceCareCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sendsms_url = stack_env("SERVICE_CARE_KANNEL_SENDSMS_URL")
        cls.company.write({"name": "OWOX", "phone": "+380 44 237 3940"})
        cls.gateway = cls.env["service.care.sms.gateway"].create(
            {
                "name": "Kannel",
                "provider": "kannel",
                "url": cls.sendsms_url,
                "username": stack_env("SERVICE_CARE_KANNEL_USER"),
                "password": stack_env("SERVICE_CARE_KANNEL_PASSWORD"),
                "sender": "OWOX",
                "price_per_segment": 0.03,
            }
        )
        # Kannel's MO get-url goes to the relay; send it on to this server.
        relay = stack_env("SERVICE_CARE_MO_RELAY_URL")
        mo_url = cls.gateway.mo_url.partition("?")[0]
        stack_request("MO relay", "PUT", f"{relay}/target", json={"url": mo_url})
        cls.addClassCleanup(
            stack_request, "MO relay", "PUT", f"{relay}/target", json={"url": None}
        )
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(
            ["service_care"], ["ru_RU"], overwrite=True
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Ноутбук", "list_price": 4695}
        )
        cls.Sms = cls.env["sms.sms"]
        cls.env.flush_all()

    def setUp(self):
        # Kannel calls back (delivery reports) when it likes: a callback
        # answered while a test begins or ends would lose its savepoint to
        # the test's own, fail, and leave the test lock held for good. The
        # test's savepoint is made and rolled back with callbacks held off.
        lock = self.registry.test_lock
        self.addCleanup(lock.release)  # cleanups run last first
        with lock:
            super().setUp()
        self.addCleanup(lock.acquire)

    @contextmanager
    def _db(self):
        """Work on the database with Kannel's callbacks held off."""
        with self.registry.test_lock:
            self.env.invalidate_all()
            yield
            self.env.flush_all()

    def _number(self):
        """A Ukrainian mobile no other test uses (the simulator is shared)."""
        return f"+38050{secrets.randbelow(10**7):07d}"

    def _customer(self, number, lang="ru_RU", consent=True):
        partner = self._make_customer(
            "Андрей", f"{number[1:]}@example.ua", number, consent=consent
        )
        partner.write({"lang": lang, "country_id": self.env.ref("base.ua").id})
        return partner

    def _order(self, partner):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [fields.Command.create({"product_id": self.product.id})],
            }
        )

    def _send(self, template_xmlid, records, kind="transactional"):
        message = self.env["service.care.message"].send_template(
            self.env.ref(template_xmlid), records, "sms", kind
        )
        sms = self.Sms.search([("uuid", "in", message.mapped("sms_uuid"))])
        return message, sms

    def _at_smsc(self, number, count=1):
        destination = number.removeprefix("+")
        return poll_until(
            lambda: (
                len(smsc_messages(destination)) >= count and smsc_messages(destination)
            ),
            f"{count} message(s) to {number} did not reach the SMSC simulator",
        )

    def _poll_db(self, check, failure):
        """Poll ``check`` with the delivery reports received so far applied."""

        def fetch():
            with self._db():
                self.env["service.care.sms.report"]._cron_process()
                return check()

        return poll_until(fetch, failure)

    def _notification(self, message):
        return self.env["mail.notification"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )

    def test_cyrillic_order_confirmation_delivered(self):
        number = self._number()
        with self._db():
            order = self._order(self._customer(number))
            message, sms = self._send(
                "service_care.sms_template_order_confirmed", order
            )
            text = sms.body
            self.assertEqual(
                text,
                f"OWOX: спасибо за ваш заказ {order.name}. Мы скоро позвоним вам, "
                "чтобы уточнить детали.",
            )
            self.Sms._process_queue()
            self.assertEqual(sms.state, "pending")
            self.assertEqual((sms.care_segments, sms.care_encoding), (2, "ucs2"))
            self.assertEqual(message.cost, 0.06)
        [received] = self._at_smsc(number)
        self.assertEqual(received["text"], text)
        self.assertEqual(received["data_coding"], 8, "UCS-2")
        self.assertEqual(received["parts"], 2)
        self.assertEqual(received["source"], "OWOX")
        self._poll_db(
            lambda: message.state == "delivered",
            "the delivery receipt did not come back through Kannel",
        )
        with self._db():
            self.assertEqual(self._notification(message).notification_status, "sent")
            self.assertEqual(sms.care_report_status, "delivered")
            self.assertEqual(sms.care_provider_ref, received["id"])
            self.assertIn(text, order.message_ids.mapped("body")[0])

    def test_undeliverable_receipt_fails_with_reason(self):
        number = self._number()
        smsc_control("POST", "/outcomes", {number: "UNDELIV"})
        with self._db():
            order = self._order(self._customer(number, lang="en_US"))
            message, _sms = self._send(
                "service_care.sms_template_order_delivered", order
            )
            self.Sms._process_queue()
        [received] = self._at_smsc(number)
        self.assertEqual(received["data_coding"], 0, "GSM 7-bit")
        self._poll_db(
            lambda: message.state == "failed", "the UNDELIV receipt did not come back"
        )
        with self._db():
            notification = self._notification(message)
            self.assertEqual(notification.notification_status, "exception")
            self.assertEqual(notification.failure_type, "sms_not_delivered")
            self.assertEqual(notification.failure_reason, "Undeliverable (err 001)")
            self.assertEqual(message.reason, "Undeliverable (err 001)")

    def test_kannel_down_keeps_sms_queued_then_each_goes_once(self):
        """Kannel "stopped": its port refuses connections (a door the test closes).

        The real smsbox is not stopped (the stack is shared by the run): Odoo
        sees exactly what a stopped Kannel gives, a refused connection.
        """
        door = KannelDoor(self.sendsms_url)
        port = door.server_port
        numbers = [self._number() for _index in range(3)]
        with self._db():
            self.gateway.url = door.url
            door.close()
            orders = self.env["sale.order"].concat(
                *(self._order(self._customer(number)) for number in numbers)
            )
            messages, smses = self._send(
                "service_care.sms_template_order_confirmed", orders
            )
            now = fields.Datetime.now()
            with freeze_time(now):
                self.Sms._process_queue()
            self.assertEqual(set(smses.mapped("state")), {"outgoing"})
            self.assertEqual(set(smses.mapped("care_attempts")), {1})
            self.assertIn("cannot be reached", smses[0].care_failure_reason)
            self.assertEqual(set(messages.mapped("state")), {"queued"})
        for number in numbers:
            self.assertFalse(smsc_messages(number[1:]))
        door = KannelDoor(self.sendsms_url, port)  # Kannel is back
        self.addCleanup(door.close)
        with self._db(), freeze_time(now + timedelta(minutes=2), tick=True):
            self.Sms._process_queue()
            self.assertEqual(set(smses.mapped("state")), {"pending"})
            self.Sms._process_queue()  # nothing left to send
        for number in numbers:
            self._at_smsc(number)
        self._poll_db(
            lambda: set(messages.mapped("state")) == {"delivered"},
            "the delivery receipts did not come back",
        )
        with self._db(), freeze_time(now + timedelta(hours=2), tick=True):
            self.Sms._process_queue()
        for number in numbers:
            self.assertEqual(len(smsc_messages(number[1:])), 1, "sent exactly once")

    def test_stop_from_handset_blacklists_and_skips_marketing(self):
        number = self._number()
        with self._db():
            partner = self._customer(number)
            self.assertTrue(partner.care_sms_consent)
        answer = smsc_control(
            "POST", "/mo", {"source": number, "destination": "OWOX", "text": "СТОП"}
        )
        self.assertTrue(answer["delivered"])
        self._poll_db(
            lambda: self.env["phone.blacklist"].search([("number", "=", number)]),
            "the STOP did not reach Odoo through Kannel",
        )
        with self._db():
            self.assertFalse(partner.care_sms_consent)
            self.assertIn("<p>СТОП</p>", partner.message_ids.mapped("body"))
            self.Sms._process_queue()  # the confirmation
        [confirmation] = self._at_smsc(number)
        self.assertEqual(
            confirmation["text"],
            "OWOX: вы больше не будете получать от нас SMS. Чтобы снова получать "
            "их, ответьте START.",
        )
        with self._db():
            message = self.env["service.care.message"].send_template(
                self.sms_template, partner, "sms", "marketing"
            )
            self.assertEqual(message.state, "skipped")
            self.assertEqual(message.reason_code, "blacklisted")
            self.assertIn("blacklist", message.reason)
            self.Sms._process_queue()
        self.assertEqual(len(smsc_messages(number[1:])), 1, "nothing after STOP")

    def _in_flight(self, kind):
        """An SMS that a dead try had journalled before handing it to Kannel."""
        number = self._number()
        with self._db(), freeze_time("2026-11-24 10:00:00"):  # in the window
            message, sms = self._send(
                "service_care.sms_template_order_confirmed",
                self._order(self._customer(number)),
                kind=kind,
            )
            self.assertEqual(message.state, "queued")
            self.env["service.care.send.attempt"]._care_begin("sms.sms", sms.id)
            self.Sms._process_queue()
        return number, message, sms

    def test_marketing_sms_in_flight_is_held_not_sent_again(self):
        number, message, sms = self._in_flight("marketing")
        with self._db():
            self.assertEqual(message.state, "uncertain")
            self.assertEqual(sms.state, "error")
            self.assertIn("may have gone out", sms.care_failure_reason)
            self.assertFalse(
                self.env["service.care.send.attempt"]._care_pending("sms.sms", sms.ids)
            )
            self.Sms._process_queue()
        witness = self._number()
        with self._db():
            self._send(
                "service_care.sms_template_order_confirmed",
                self._order(self._customer(witness)),
            )
            self.Sms._process_queue()
        self._at_smsc(witness)  # Kannel passed on what came after
        self.assertFalse(smsc_messages(number[1:]), "sent again blindly")
        with self._db():
            message.action_resend()
            self.Sms._process_queue()
            self.assertEqual(sms.state, "pending")
        self.assertEqual(len(self._at_smsc(number)), 1)

    def test_order_sms_in_flight_is_sent_again_and_counted(self):
        number, message, sms = self._in_flight("transactional")
        with self._db():
            self.assertEqual(sms.state, "pending")
            self.assertEqual(message.possible_duplicate_count, 1)
        self._at_smsc(number)
