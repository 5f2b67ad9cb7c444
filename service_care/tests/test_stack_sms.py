# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Smoke test of the SMS half of the stack: Kannel's sendsms in front of the
SMSC simulator, with delivery reports coming back to a dlr-url."""

import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from odoo.tests import BaseCase

from .stack import (
    poll_until,
    smsc_control,
    smsc_messages,
    stack_env,
    stack_request,
)

# Kannel's delivery report types (%d), also the bits of dlr-mask: 1 delivered,
# 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC.
DLR_DELIVERED, DLR_FAILED, DLR_SMSC_ACCEPTED = "1", "2", "8"
DLR_MASK_ALL = 31


class DlrReceiver(ThreadingHTTPServer):
    """Stands in for the addon's webhook: keeps the query of every GET."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), DlrHandler)
        self.reports = []  # appended from handler threads; list.append is atomic

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}/dlr"


class DlrHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.reports.append(dict(parse_qsl(urlsplit(self.path).query)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        """Keep Kannel's calls out of the test output."""


class TestStackSms(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sendsms_url = stack_env("SERVICE_CARE_KANNEL_SENDSMS_URL")
        cls.credentials = {
            "username": stack_env("SERVICE_CARE_KANNEL_USER"),
            "password": stack_env("SERVICE_CARE_KANNEL_PASSWORD"),
        }
        cls.receiver = DlrReceiver()
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        # Class cleanups run last in, first out: shutdown, then close.
        cls.addClassCleanup(cls.receiver.server_close)
        cls.addClassCleanup(cls.receiver.shutdown)

    def _new_number(self):
        """A number no other test uses: the simulator is shared by the run."""
        return f"+3361{secrets.randbelow(10**7):07d}"

    def _sendsms(self, number, text, coding):
        """Send through Kannel; return the token its delivery reports carry."""
        token = secrets.token_hex(8)
        response = stack_request(
            "Kannel sendsms",
            "GET",
            self.sendsms_url,
            params={
                **self.credentials,
                "from": "ServiceCare",
                "to": number,
                "text": text,
                "coding": coding,
                "charset": "UTF-8",
                "dlr-mask": DLR_MASK_ALL,
                # Kannel fills in %d (report type) and %A (the SMSC's answer).
                "dlr-url": f"{self.receiver.url}?token={token}&type=%d&answer=%A",
            },
        )
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("Accepted for delivery", response.text)
        return token

    def _received(self, number):
        destination = number.removeprefix("+")
        return poll_until(
            lambda: smsc_messages(destination),
            f"no message to {destination} reached the SMSC simulator",
        )

    def _report(self, token, dlr_type):
        return poll_until(
            lambda: [
                report
                for report in self.receiver.reports
                if report.get("token") == token and report.get("type") == dlr_type
            ],
            f"no delivery report of type {dlr_type} reached the dlr-url",
        )

    def _assert_delivered(self, text, coding, data_coding):
        number = self._new_number()
        token = self._sendsms(number, text, coding)
        [message] = self._received(number)
        self.assertEqual(message["text"], text)
        self.assertEqual(message["data_coding"], data_coding)
        self.assertEqual(message["parts"], 1)
        self.assertEqual(message["source"], "ServiceCare")
        self.assertTrue(message["registered_delivery"] & 0x01, "receipt requested")
        self._report(token, DLR_SMSC_ACCEPTED)
        [report] = self._report(token, DLR_DELIVERED)
        self.assertIn(f"id:{message['id']} ", report["answer"])
        self.assertIn("stat:DELIVRD", report["answer"])

    def test_gsm7_delivered(self):
        # With characters from the GSM 03.38 extension table: € [ ] { } ~ ^ | \
        text = "Zoé, order #42 is ready: 12,50 € [code {A1}] ~^|\\ ¿ñ? @home"
        self._assert_delivered(text, coding=0, data_coding=0)

    def test_ucs2_delivered(self):
        # Cyrillic needs UCS-2: Kannel's coding 2 is SMPP data_coding 8.
        self._assert_delivered("Ваш заказ №42 готов. Спасибо!", coding=2, data_coding=8)

    def test_undeliverable_reported_as_failed(self):
        number = self._new_number()
        smsc_control("POST", "/outcomes", {number.removeprefix("+"): "UNDELIV"})
        token = self._sendsms(number, "Your parcel is on its way", 0)
        [report] = self._report(token, DLR_FAILED)
        self.assertIn("stat:UNDELIV", report["answer"])
        self.assertNotIn(
            DLR_DELIVERED,
            {r["type"] for r in self.receiver.reports if r["token"] == token},
        )
