# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A crash between the SMTP server taking an email and "sent" being saved.

The crash itself is produced for real by ``bench/reliability.py`` (SIGKILL of
the sending process); here a journal row left by the dead try stands for it,
and the next run of Odoo's mail queue against the local SMTP server decides.
"""

import socket
import socketserver
import threading
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tests import tagged

from .common import ServiceCareCase
from .stack import poll_until, require_port, spooled_emails, stack_env


class _DroppingSmtp(socketserver.StreamRequestHandler):
    """Greets, answers EHLO, then drops the connection: a server going down."""

    def handle(self):
        self.wfile.write(b"220 dropping.localhost ESMTP\r\n")
        line = self.rfile.readline()
        if line.upper().startswith((b"EHLO", b"HELO")):
            self.wfile.write(b"250 dropping.localhost\r\n")
            self.rfile.readline()  # MAIL FROM: hang up instead of answering


def _closed_port():
    """A loopback port nothing listens on: an SMTP server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestSendInFlight(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        host = stack_env("SERVICE_CARE_SMTP_HOST")
        cls.smtp_port = int(stack_env("SERVICE_CARE_SMTP_PORT"))
        require_port("SMTP sink", host, cls.smtp_port)
        cls.env["ir.mail_server"].search([]).active = False
        cls.server = cls.env["ir.mail_server"].create(
            {
                "name": "Local SMTP sink",
                "smtp_host": host,
                "smtp_port": cls.smtp_port,
                "smtp_encryption": "none",
            }
        )
        cls.Attempt = cls.env["service.care.send.attempt"]

    def _customer(self, tag):
        return self._make_customer(f"In flight {tag}", f"{tag}.inflight@example.pl")

    def _queue(self, tag, kind="marketing"):
        customer = self._customer(tag)
        with freeze_time("2026-11-24 10:00:00"):  # inside the send window
            message = self._send(customer, kind=kind)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
        self.assertEqual((message.state, mail.state), ("queued", "outgoing"))
        return customer, message, mail

    def _run_mail_queue(self):
        # Odoo's test runner stops mail at the SMTP client while a test runs;
        # these tests are about the real exchange with the local server.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue()

    def _received(self, customer, count=1):
        return poll_until(
            lambda: (
                received
                if len(
                    received := [
                        m
                        for m in spooled_emails()
                        if m["X-Sink-Rcpt-To"] == customer.email
                    ]
                )
                >= count
                else None
            ),
            f"{count} email(s) to {customer.email} did not reach the SMTP sink",
        )

    def test_normal_send_leaves_nothing_in_flight(self):
        customer, message, mail = self._queue("normal")
        self._run_mail_queue()
        self.assertEqual(message.state, "sent")
        self.assertFalse(self.Attempt._care_pending("mail.mail", mail.ids))
        self._received(customer)

    def test_marketing_email_in_flight_is_held_then_resent_once(self):
        customer, message, mail = self._queue("marketing")
        # The try that died had journalled the mail before its SMTP exchange.
        self.Attempt._care_begin("mail.mail", mail.id)
        witness, witness_message, _witness_mail = self._queue("witness")
        self._run_mail_queue()

        self.assertEqual(witness_message.state, "sent")
        self._received(witness)  # the queue ran: its email arrived
        self.assertFalse(
            [m for m in spooled_emails() if m["X-Sink-Rcpt-To"] == customer.email],
            "an email that may have gone out was sent again blindly",
        )
        self.assertEqual(message.state, "uncertain")
        self.assertIn("may have gone out", message.reason)
        self.assertEqual(mail.state, "exception")
        self.assertIn("may have gone out", mail.failure_reason)
        self.assertFalse(self.Attempt._care_pending("mail.mail", mail.ids))

        message.action_resend()
        self.assertEqual((message.state, mail.state), ("queued", "outgoing"))
        self._run_mail_queue()
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.resent_at)
        self.assertEqual(len(self._received(customer)), 1)
        with self.assertRaisesRegex(UserError, "may have gone out"):
            message.action_resend()

    def test_order_email_in_flight_is_sent_again_and_counted(self):
        customer, message, mail = self._queue("order", kind="transactional")
        self.Attempt._care_begin("mail.mail", mail.id)
        self._run_mail_queue()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.possible_duplicate_count, 1)
        self._received(customer)

    def test_smtp_server_down_keeps_emails_queued_until_it_is_back(self):
        customer, message, mail = self._queue("down")
        self.server.smtp_port = _closed_port()
        self.env["ir.cron.trigger"].search([]).unlink()
        self._run_mail_queue()
        self.assertEqual((mail.state, message.state), ("outgoing", "queued"))
        self.assertTrue(mail.failure_reason)
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "the mail queue is not woken to try again",
        )

        self.server.smtp_port = self.smtp_port  # the server is back
        self._run_mail_queue()
        self.assertEqual(message.state, "sent")
        self._received(customer)

    def test_server_dropping_the_line_keeps_the_email_queued(self):
        customer, message, mail = self._queue("dropped")
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _DroppingSmtp)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.server.smtp_port = server.server_address[1]
        self.env["ir.cron.trigger"].search([]).unlink()
        self._run_mail_queue()
        self.assertEqual((mail.state, message.state), ("outgoing", "queued"))
        self.assertFalse(self.Attempt._care_pending("mail.mail", mail.ids))
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

        self.server.smtp_port = self.smtp_port  # a server that answers
        self._run_mail_queue()
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(self._received(customer)), 1)

    def test_email_outside_the_log_is_left_to_odoo(self):
        mail = self.env["mail.mail"].create(
            {"email_to": "plain@example.pl", "subject": "Odoo's own", "body_html": "x"}
        )
        self.server.smtp_port = _closed_port()
        self._run_mail_queue()
        self.assertEqual(mail.state, "exception")
