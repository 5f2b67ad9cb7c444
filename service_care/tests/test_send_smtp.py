# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A marketing email of the pipeline really leaves over SMTP, tracked."""

import re
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.modules import module
from odoo.tests import tagged

from .common import ServiceCareCase
from .stack import poll_until, smtp_sink_server, spooled_emails


@tagged("post_install", "-at_install")
class TestSendSmtp(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        smtp_sink_server(cls.env, only=True)
        cls.customer.email = "anna.smtp@example.pl"

    def test_queueing_wakes_odoo_queues_at_once(self):
        Trigger = self.env["ir.cron.trigger"]
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        sms_cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        Trigger.search([("cron_id", "in", (mail_cron | sms_cron).ids)]).unlink()
        with freeze_time("2026-11-24 10:00:00"):
            self._send(self.customer)
            self._send(self.customer, channel="sms", kind="transactional")
            for cron in (mail_cron, sms_cron):
                [trigger] = Trigger.search([("cron_id", "=", cron.id)])
                self.assertLessEqual(trigger.call_at, fields.Datetime.now())

    def test_marketing_email_leaves_with_tracking_and_unsubscribe(self):
        with freeze_time("2026-11-24 10:00:00"):
            message = self._send(self.customer)
        self.assertEqual(message.state, "queued")
        # Odoo's test runner stops mail at the SMTP client while a test runs;
        # this test is about the real exchange with the local server.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(message.state, "sent")
        [received] = poll_until(
            lambda: [
                m
                for m in spooled_emails()
                if m["X-Sink-Rcpt-To"] == self.customer.email
            ],
            "the pipeline's email did not reach the SMTP sink",
        )
        self.assertEqual(received["Subject"], "Hello Anna Kowalska")
        unsubscribe = received["List-Unsubscribe"]
        self.assertRegex(unsubscribe, rf"^<https?://\S+/care/u/{message.uuid}/\w+>$")
        self.assertEqual(
            received["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        html = received.get_body(("html",)).get_content()
        self.assertIn(f"/care/o/{message.uuid}/{message._token('open')}.gif", html)
        click = re.search(rf'href="([^"]*/care/c/{message.uuid}/[^"]+)"', html)
        self.assertTrue(click, "the offer link is not tracked")
        self.assertIn("shop.example.com%2Foffer", click.group(1))
        self.assertNotIn('href="https://shop.example.com/offer"', html)
