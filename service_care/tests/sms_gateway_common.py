# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A scripted HTTP gateway on loopback, and a test base with a gateway on it."""

import collections
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .common import ServiceCareCase

KANNEL_ACCEPTED = (202, "0: Accepted for delivery")


class GatewayStub(ThreadingHTTPServer):
    """Answers each request with the next scripted (status, body).

    Keeps the fields of every request it received (query and form body).
    """

    daemon_threads = True

    def __init__(self, default=KANNEL_ACCEPTED):
        super().__init__(("127.0.0.1", 0), _StubHandler)
        self.default = default
        self.answers = collections.deque()
        self.requests = []  # appended from handler threads (atomic)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}/cgi-bin/sendsms"

    def script(self, *answers):
        self.answers.extend(answers)

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()


class _StubHandler(BaseHTTPRequestHandler):
    def _answer(self):
        fields = dict(parse_qsl(urlsplit(self.path).query))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            fields.update(parse_qsl(self.rfile.read(length).decode()))
        self.server.requests.append(fields)
        status, body = (
            self.server.answers.popleft()
            if self.server.answers
            else self.server.default
        )
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, fmt, *args):
        """Keep the stub out of the test output."""


class SmsGatewayCase(ServiceCareCase):
    """A Kannel gateway on a stub for the current company, sender "MyShop"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stub = GatewayStub()
        cls.stub.start()
        cls.addClassCleanup(cls.stub.stop)
        cls.gateway = cls.env["service.care.sms.gateway"].create(
            {
                "name": "Stub Kannel",
                "provider": "kannel",
                "url": cls.stub.url,
                "username": "shop",
                "password": "secret",
                "sender": "MyShop",
                "price_per_segment": 0.05,
                "timeout": 5,
            }
        )
        cls.Sms = cls.env["sms.sms"]

    def setUp(self):
        super().setUp()
        self.stub.requests.clear()
        self.stub.answers.clear()

    def _queue_sms(self, partner=None, template=None, kind="transactional"):
        """Send a template through the pipeline; return (message, sms)."""
        message = self._send(
            partner or self.customer, channel="sms", kind=kind, template=template
        )
        sms = self.Sms.search([("uuid", "=", message.sms_uuid)])
        return message, sms

    def _notification(self, message):
        return self.env["mail.notification"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
