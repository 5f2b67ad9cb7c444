# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Smoke test of the email half of the stack: Odoo's SMTP client talking to
the local SMTP sink."""

import secrets
from unittest.mock import patch

from odoo.modules import module
from odoo.tests import TransactionCase

from .stack import poll_until, smtp_sink_server, spooled_emails


class TestStackSmtp(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_server = smtp_sink_server(cls.env)

    def test_send_email_reaches_sink(self):
        IrMailServer = self.env["ir.mail_server"]
        subject = f"Votre commande est prête ({secrets.token_hex(4)})"
        message = IrMailServer.build_email(
            email_from="shop@example.com",
            email_to=["Zoé <zoe@example.com>"],
            subject=subject,
            body="<p>Bonjour Zoé, votre commande vous attend.</p>",
            subtype="html",
        )
        # Under Odoo's test runner connect() and send_email() do nothing while
        # module.current_test is set; this test is about the real SMTP
        # exchange with the sink, so it lifts that guard for this one call.
        with patch.object(module, "current_test", False):
            IrMailServer.send_email(message, mail_server_id=self.mail_server.id)

        [received] = poll_until(
            lambda: [m for m in spooled_emails() if m["Subject"] == subject],
            f"no email with subject {subject!r} in the SMTP sink's spool",
        )
        self.assertEqual(received["X-Sink-Rcpt-To"], "zoe@example.com")
        self.assertEqual(received["To"].addresses[0].addr_spec, "zoe@example.com")
        self.assertIn(
            "Bonjour Zoé, votre commande vous attend.",
            received.get_body(("html",)).get_content(),
        )
