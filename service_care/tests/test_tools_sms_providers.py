# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import socket
import threading
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import delivery_reports, sms_providers
from odoo.addons.service_care.tools.sms_providers import (
    ACCEPTED,
    REJECTED,
    RETRY,
    UNCERTAIN,
    OutgoingSms,
)

CYRILLIC = "Спасибо за ваш заказ №42!"
DLR_URL = "http://127.0.0.1:8069/service_care/sms/dlr/1/abc/tok?type=%d&answer=%A"


@tagged("post_install", "-at_install", "service_care")
class TestKannelAdapter(BaseCase):
    def setUp(self):
        super().setUp()
        self.kannel = sms_providers.KannelHttp(
            "http://127.0.0.1:13013/cgi-bin/sendsms", "shop", "secret"
        )

    def test_request_gsm7(self):
        request = self.kannel.build_submit(
            OutgoingSms("u1", "+48601234567", "Order 42 [ok] €5", "MyShop", DLR_URL)
        )
        self.assertEqual(request.method, "GET")
        self.assertEqual(request.url, "http://127.0.0.1:13013/cgi-bin/sendsms")
        self.assertEqual(
            request.params,
            {
                "username": "shop",
                "password": "secret",
                "to": "+48601234567",
                "text": "Order 42 [ok] €5",
                "coding": "0",
                "charset": "UTF-8",
                "from": "MyShop",
                "dlr-mask": "31",
                "dlr-url": DLR_URL,
            },
        )

    def test_request_ucs2_without_sender_or_dlr(self):
        request = self.kannel.build_submit(OutgoingSms("u1", "+380501234567", CYRILLIC))
        self.assertEqual(request.params["coding"], "2")
        self.assertEqual(request.params["charset"], "UTF-8")
        self.assertEqual(request.params["text"], CYRILLIC)
        for absent in ("from", "dlr-url", "dlr-mask"):
            self.assertNotIn(absent, request.params)

    def test_answers(self):
        cases = [
            (202, "0: Accepted for delivery", ACCEPTED, None),
            (202, "3: Queued for later delivery", ACCEPTED, None),
            (503, "4: Temporal failure, try again later.", RETRY, None),
            (500, "", RETRY, None),
            (403, "Authorization failed for sendsms", REJECTED, "sms_acc"),
            (400, "Missing receiver number, rejected", REJECTED, "sms_number_format"),
            (400, "Sender missing and no global set, rejected", REJECTED, "unknown"),
        ]
        for status, body, outcome, failure_type in cases:
            with self.subTest(status=status, body=body):
                result = self.kannel.parse_submit(status, body)
                self.assertEqual(result.outcome, outcome)
                self.assertEqual(result.failure_type, failure_type)
                self.assertEqual(result.http_status, status)
                if outcome != ACCEPTED:
                    self.assertIn(f"HTTP {status}", result.reason)
                if body and outcome != ACCEPTED:
                    self.assertIn(body.split(",")[0], result.reason)

    def test_network_errors(self):
        sms = OutgoingSms("u1", "+48601234567", "Hi")
        for error, outcome in [
            (requests.ConnectionError("Connection refused"), RETRY),
            (requests.ConnectTimeout("connect timeout"), RETRY),
            (requests.ReadTimeout("read timeout"), UNCERTAIN),
        ]:
            with (
                self.subTest(error=type(error).__name__),
                patch.object(requests.Session, "request", side_effect=error),
            ):
                result = self.kannel.submit(sms)
                self.assertEqual(result.outcome, outcome)
                self.assertTrue(result.reason)
                if outcome == UNCERTAIN:
                    self.assertEqual(result.failure_type, "sms_server")
                    self.assertIn("may have gone out", result.reason)

    def test_report_and_inbound(self):
        self.assertEqual(self.kannel.dlr_query(), "type=%d&answer=%A")
        report = self.kannel.parse_report(
            {
                "type": "2",
                "answer": "id:7 sub:001 dlvrd:000 stat:UNDELIV err:001 text:x",
            }
        )
        self.assertEqual(report.status, delivery_reports.FAILED)
        self.assertEqual(report.reason, "Undeliverable (err 001)")
        self.assertEqual(report.failure_type, "sms_not_delivered")
        self.assertEqual(report.smsc_message_id, "7")
        self.assertEqual(
            self.kannel.parse_report({"type": "1"}).status, delivery_reports.DELIVERED
        )
        with self.assertRaises(ValueError):
            self.kannel.parse_report({"type": "99"})
        with self.assertRaises(ValueError):
            self.kannel.parse_report({})
        inbound = self.kannel.parse_inbound(
            {"from": "+48601234567", "to": "MyShop", "text": "СТОП", "id": "k-1"}
        )
        self.assertEqual(inbound.sender, "+48601234567")
        self.assertEqual(inbound.text, "СТОП")
        self.assertEqual(inbound.provider_id, "k-1")
        self.assertEqual(inbound.keyword, sms_providers.OPT_OUT)
        with self.assertRaises(ValueError):
            self.kannel.parse_inbound({"text": "STOP"})
        self.assertEqual(self.kannel.report_ack, "OK")
        self.assertEqual(self.kannel.inbound_ack, "")


@tagged("post_install", "-at_install", "service_care")
class TestJasminAdapter(BaseCase):
    def setUp(self):
        super().setUp()
        self.jasmin = sms_providers.make_adapter(
            "jasmin", "http://127.0.0.1:1401/send", "shop", "secret"
        )

    def test_request_gsm7(self):
        request = self.jasmin.build_submit(
            OutgoingSms("u1", "+48601234567", "Order 42 {ok}", "MyShop", "http://x/d")
        )
        self.assertEqual(request.method, "POST")
        self.assertEqual(
            request.params,
            {
                "username": "shop",
                "password": "secret",
                "to": "+48601234567",
                "coding": "0",
                "content": "Order 42 {ok}",
                "from": "MyShop",
                "dlr": "yes",
                "dlr-url": "http://x/d",
                "dlr-level": "3",
                "dlr-method": "POST",
            },
        )

    def test_request_ucs2_as_hex(self):
        request = self.jasmin.build_submit(
            OutgoingSms("u1", "+380501234567", "Дякую 😀")
        )
        self.assertEqual(request.params["coding"], "8")
        self.assertNotIn("content", request.params)
        self.assertEqual(
            bytes.fromhex(request.params["hex-content"]).decode("utf-16-be"),
            "Дякую 😀",
        )
        # The emoji is a surrogate pair: 4 octets.
        self.assertEqual(len(request.params["hex-content"]), 2 * 2 * 8)

    def test_answers(self):
        cases = [
            (200, 'Success "07033084-5cfd-4812-90a4-e4d24ffb6e3d"', ACCEPTED, None),
            (200, "Something else", UNCERTAIN, "sms_server"),
            (400, 'Error "Mandatory argument [to] is not found."', REJECTED, None),
            (403, 'Error "Authentication failure for username:shop"', REJECTED, None),
            (412, 'Error "No route found"', REJECTED, "unknown"),
            (500, 'Error "Cannot send submit_sm"', RETRY, None),
        ]
        for status, body, outcome, failure_type in cases:
            with self.subTest(status=status):
                result = self.jasmin.parse_submit(status, body)
                self.assertEqual(result.outcome, outcome)
                if failure_type:
                    self.assertEqual(result.failure_type, failure_type)
        self.assertEqual(
            self.jasmin.parse_submit(200, cases[0][1]).provider_id,
            "07033084-5cfd-4812-90a4-e4d24ffb6e3d",
        )
        self.assertEqual(
            self.jasmin.parse_submit(400, cases[2][1]).failure_type, "sms_number_format"
        )
        self.assertEqual(
            self.jasmin.parse_submit(403, cases[3][1]).failure_type, "sms_acc"
        )

    def test_report_and_inbound(self):
        self.assertEqual(self.jasmin.dlr_query(), "")
        report = self.jasmin.parse_report(
            {"id": "j-1", "message_status": "DELIVRD", "level": "2"}
        )
        self.assertEqual(report.status, delivery_reports.DELIVERED)
        self.assertEqual(report.smsc_message_id, "j-1")
        report = self.jasmin.parse_report(
            {"id": [b"j-1"], "message_status": [b"ESME_RINVDSTADR"], "level": [b"1"]}
        )
        self.assertEqual(report.status, delivery_reports.FAILED)
        self.assertEqual(report.failure_type, "sms_invalid_destination")
        with self.assertRaises(ValueError):
            self.jasmin.parse_report({"id": "j-1", "message_status": "DELIVRD"})
        inbound = self.jasmin.parse_inbound(
            {
                "from": "+380501234567",
                "to": "MyShop",
                "coding": "8",
                "binary": "Стоп".encode("utf-16-be").hex(),
                "content": "garbage",
            }
        )
        self.assertEqual(inbound.text, "Стоп")
        self.assertEqual(inbound.keyword, sms_providers.OPT_OUT)
        inbound = self.jasmin.parse_inbound(
            {"from": "48601234567", "coding": "0", "content": "start"}
        )
        self.assertEqual(inbound.keyword, sms_providers.OPT_IN)
        with self.assertRaises(ValueError):
            self.jasmin.parse_inbound({"from": "1", "coding": "8", "binary": "zz"})
        self.assertEqual(self.jasmin.report_ack, "ACK/Jasmin")
        self.assertEqual(self.jasmin.inbound_ack, "ACK/Jasmin")

    def test_unknown_provider(self):
        with self.assertRaises(ValueError):
            sms_providers.make_adapter("iap", "http://x")


@tagged("post_install", "-at_install", "service_care")
class TestSmsProviderRules(BaseCase):
    def test_keywords(self):
        for text, keyword in [
            ("STOP", "stop"),
            ("stop", "stop"),
            (" Stop. ", "stop"),
            ("СТОП", "stop"),
            ("стоп!", "stop"),
            ("StopAll", "stop"),
            ("UNSUBSCRIBE me please", "stop"),
            ("quit", "stop"),
            ("START", "start"),
            ("старт", "start"),
            ("Unstop", "start"),
            ("Please stop", None),
            ("stopped", None),
            ("", None),
            (None, None),
            ("Thanks!", None),
        ]:
            with self.subTest(text=text):
                self.assertEqual(sms_providers.inbound_keyword(text), keyword)

    def test_sender_ids(self):
        for sender in ("MyShop", "OWOX", "Shop 24", "A-B_C.D&E", "ABCDEFGHIJK"):
            with self.subTest(sender=sender):
                self.assertIsNone(sms_providers.sender_problem(sender))
        for number in ("+48601234567", "48601234567", "7040", "+123456789012345"):
            with self.subTest(number=number):
                self.assertIsNone(sms_providers.sender_problem(number))
        for sender, words in [
            ("", "empty"),
            ("ABCDEFGHIJKL", "at most 11"),
            ("Магазин", "Latin letters"),
            ("Zoé", "Latin letters"),
            ("Shop!", "Latin letters"),
            ("12", "neither"),
            ("+1234567890123456", "neither"),
        ]:
            with self.subTest(sender=sender):
                self.assertIn(words, sms_providers.sender_problem(sender))

    def test_retry_delay(self):
        self.assertEqual(
            [sms_providers.retry_delay(n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 50)],
            [
                timedelta(minutes=1),
                timedelta(minutes=1),
                timedelta(minutes=2),
                timedelta(minutes=4),
                timedelta(minutes=8),
                timedelta(minutes=16),
                timedelta(minutes=32),
                timedelta(hours=1),
                timedelta(hours=1),
                timedelta(hours=1),
            ],
        )


@tagged("post_install", "-at_install", "service_care")
class TestSubmitNetworkErrors(BaseCase):
    """Refused before sending is retried; broken after sending may be out."""

    def _server_that_hangs_up(self):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def serve():
            connection, _address = server.accept()
            connection.recv(65536)  # the whole request arrived...
            connection.close()  # ...and the gateway drops it unanswered
            server.close()

        threading.Thread(target=serve, daemon=True).start()
        return server.getsockname()[1]

    def test_dropped_after_the_request_is_uncertain(self):
        port = self._server_that_hangs_up()
        adapter = sms_providers.KannelHttp(
            f"http://127.0.0.1:{port}/cgi-bin/sendsms", "shop", "secret"
        )
        result = adapter.submit(
            OutgoingSms("u1", "+48601234567", "Hi", "Shop", DLR_URL)
        )
        adapter.close()
        self.assertEqual(result.outcome, UNCERTAIN)
        self.assertIn("may have gone out", result.reason)

    def test_refused_connection_is_retried(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()  # nothing listens there any more
        adapter = sms_providers.KannelHttp(
            f"http://127.0.0.1:{port}/cgi-bin/sendsms", "shop", "secret"
        )
        result = adapter.submit(
            OutgoingSms("u1", "+48601234567", "Hi", "Shop", DLR_URL)
        )
        adapter.close()
        self.assertEqual(result.outcome, RETRY)
