# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ServiceCareCase

# Warsaw is UTC+1 in November: the 09:00-21:00 window is 08:00-20:00 UTC.
IN_WINDOW = "2026-11-24 10:00:00"


@tagged("post_install", "-at_install")
class TestSendPipeline(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["service.care.message"]
        step = {"mail_template_id": cls.mail_template.id}
        scenarios = cls.env["service.care.scenario"].create(
            [
                {
                    "name": "Back in stock",
                    "step_ids": [(0, 0, dict(step, name="Notify"))],
                },
                {
                    "name": "Replenishment",
                    "step_ids": [(0, 0, dict(step, name="Remind"))],
                },
            ]
        )
        cls.step_stock, cls.step_refill = scenarios.step_ids

    def _chatter_mail(self, message):
        return self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )

    def test_marketing_without_consent_is_skipped_with_reason(self):
        partner = self._make_customer("Jan Nowak", "jan@example.pl", consent=False)
        with freeze_time(IN_WINDOW):
            message = self._send(partner)
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason_code, "no_consent")
        self.assertIn("consent", message.reason.lower())
        self.assertEqual(message.skipped_at, datetime(2026, 11, 24, 10, 0))
        self.assertFalse(message.mail_message_id)
        self.assertFalse(self.env["mail.mail"].search([("res_id", "=", partner.id)]))

    def test_outside_window_is_deferred_then_sent_by_the_cron(self):
        with freeze_time("2026-11-24 21:30:00"):  # 22:30 in Warsaw
            message = self._send(self.customer)
        self.assertEqual(message.state, "scheduled")
        self.assertEqual(message.scheduled_at, datetime(2026, 11, 25, 8, 0))
        self.assertFalse(message.mail_message_id)
        with freeze_time("2026-11-25 07:59:00"):
            self.Message._cron_dispatch()
        self.assertEqual(message.state, "scheduled")
        with freeze_time("2026-11-25 08:00:00"):
            self.Message._cron_dispatch()
        self.assertEqual(message.state, "queued")
        self.assertEqual(message.queued_at, datetime(2026, 11, 25, 8, 0))
        mail = self._chatter_mail(message)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(mail.subject, "Hello Anna Kowalska")
        # A second run finds nothing left to send: no second mail.
        with freeze_time("2026-11-25 08:05:00"):
            self.Message._cron_dispatch()
        self.assertEqual(
            self.env["mail.mail"].search_count([("res_id", "=", self.customer.id)]), 1
        )

    def test_cap_holds_across_two_features(self):
        other_template = self.mail_template.copy({"name": "Other feature"})
        with freeze_time(IN_WINDOW):
            first = self.Message.send_template(
                self.mail_template, self.customer, "email", "marketing", self.step_stock
            )
        with freeze_time("2026-11-24 15:00:00"):
            second = self.Message.send_template(
                other_template, self.customer, "email", "marketing", self.step_refill
            )
            sms = self._send(self.customer, channel="sms")
        self.assertEqual(first.state, "queued")
        self.assertEqual(first.scenario_id.name, "Back in stock")
        # 10:00 + 16 h = 02:00 UTC, 03:00 in Warsaw: the window opens at 09:00.
        self.assertEqual(second.state, "scheduled")
        self.assertEqual(second.scheduled_at, datetime(2026, 11, 25, 8, 0))
        self.assertEqual(second.scenario_id.name, "Replenishment")
        # The cap is per channel: the SMS is not held back by the email.
        self.assertEqual(sms.state, "queued")

    def test_a_scenario_without_the_cap_is_not_held_but_counts(self):
        """A cart left minutes ago is not held for the cap; the next
        promotion still keeps its distance from it."""
        self.step_refill.scenario_id.frequency_cap = False
        with freeze_time(IN_WINDOW):
            first = self.Message.send_template(
                self.mail_template, self.customer, "email", "marketing", self.step_stock
            )
            uncapped = self.Message.send_template(
                self.mail_template,
                self.customer,
                "email",
                "marketing",
                self.step_refill,
            )
            capped = self._send(self.customer)
        self.assertEqual((first.state, uncapped.state), ("queued", "queued"))
        self.assertEqual(capped.state, "scheduled")
        self.assertEqual(capped.reason_code, "frequency_cap")

    def test_cap_holds_within_one_call_and_between_deferred_messages(self):
        twice = self.customer | self.customer
        other = self._make_customer("Ola Maj", "ola@example.pl")
        with freeze_time(IN_WINDOW):
            first, second = self._send(self.env["res.partner"].browse(twice.ids * 2))
        self.assertEqual(first.state, "queued")
        self.assertEqual(second.state, "scheduled")
        self.assertEqual(second.reason_code, "frequency_cap")
        self.assertEqual(second.scheduled_at, datetime(2026, 11, 25, 8, 0))
        # Two messages deferred at night do not both go when the window opens.
        with freeze_time("2026-11-24 21:30:00"):
            night_one = self._send(other)
            night_two = self._send(other)
        self.assertEqual(night_one.scheduled_at, datetime(2026, 11, 25, 8, 0))
        self.assertEqual(night_two.scheduled_at, datetime(2026, 11, 26, 8, 0))
        with freeze_time("2026-11-25 08:00:00"):
            self.Message._cron_dispatch()
        self.assertEqual(night_one.state, "queued")
        self.assertEqual(night_two.state, "scheduled")

    def test_transactional_skips_consent_window_and_cap(self):
        partner = self._make_customer("Olga Iwanowa", "olga@example.pl", consent=False)
        with freeze_time("2026-11-24 02:00:00"):  # 03:00 in Warsaw
            self._send(partner, kind="transactional")
            message = self._send(partner, kind="transactional")
        self.assertEqual(message.state, "queued")
        mail = self._chatter_mail(message)
        self.assertEqual(mail.recipient_ids, partner)
        self.assertNotIn("List-Unsubscribe", mail.headers or "")
        self.assertNotIn("/care/u/", mail.body_html)

    def test_blacklist_stops_even_transactional(self):
        partner = self._make_customer("Ewa Lis", "ewa@example.pl")
        self.env["mail.blacklist"]._add(partner.email)
        with freeze_time(IN_WINDOW):
            message = self._send(partner, kind="transactional")
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason_code, "blacklisted")

    def test_invalid_phone_is_skipped_with_the_reason(self):
        partner = self._make_customer("Piotr Zieliński", "pz@example.pl", mobile="123")
        with freeze_time(IN_WINDOW):
            message = self._send(partner, channel="sms", kind="transactional")
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason_code, "invalid_contact")
        self.assertTrue(message.reason)
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", partner.id)]))

    def test_the_unsubscribe_footer_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env.ref("base.module_service_care")._update_translations(["pl_PL"])
        polish = self._make_customer("Zofia Wójcik", "zofia@example.pl")
        polish.lang = "pl_PL"
        with freeze_time(IN_WINDOW):
            message = self._send(polish)
        self.assertEqual(message.state, "queued")
        body = self._chatter_mail(message).body_html
        self.assertIn("Wypisz się", body)
        self.assertNotIn(">Unsubscribe<", body)

    def test_email_is_posted_in_the_chatter_with_tracking(self):
        with freeze_time(IN_WINDOW):
            message = self._send(self.customer)
        chatter = message.mail_message_id
        self.assertEqual(
            (chatter.model, chatter.res_id), ("res.partner", self.customer.id)
        )
        self.assertIn(chatter, self.customer.message_ids)
        mail = self._chatter_mail(message)
        self.assertIn(f"/care/o/{message.uuid}/", mail.body_html)
        self.assertIn(f"/care/c/{message.uuid}/", mail.body_html)
        self.assertNotIn('href="https://shop.example.com/offer"', mail.body_html)
        self.assertIn(f"/care/u/{message.uuid}/", mail.body_html)
        self.assertIn("List-Unsubscribe-Post", mail.headers)
        # Staff read the message as written, without tracking.
        self.assertIn("https://shop.example.com/offer", chatter.body)
        self.assertNotIn("/care/o/", chatter.body)

    def test_sms_goes_through_odoo_sms_queue_and_chatter(self):
        with freeze_time(IN_WINDOW):
            message = self._send(self.customer, channel="sms")
        self.assertEqual(message.state, "queued")
        sms = self.env["sms.sms"].search([("uuid", "=", message.sms_uuid)])
        self.assertEqual(sms.number, "+48601234567")
        # a marketing SMS says how to stop them
        self.assertEqual(sms.body, "Hello Anna Kowalska Reply STOP to opt out.")
        self.assertEqual(sms.state, "outgoing")
        chatter = message.mail_message_id
        self.assertEqual(chatter.message_type, "sms")
        self.assertIn(chatter, self.customer.message_ids)
        notification = chatter.notification_ids
        self.assertEqual(notification.notification_type, "sms")
        self.assertEqual(notification.sms_id_int, sms.id)

    def test_order_sms_carries_no_opt_out(self):
        with freeze_time(IN_WINDOW):
            message = self._send(self.customer, channel="sms", kind="transactional")
        sms = self.env["sms.sms"].search([("uuid", "=", message.sms_uuid)])
        self.assertEqual(sms.body, "Hello Anna Kowalska")

    def test_broken_template_fails_with_reason_and_others_still_go(self):
        broken = self.mail_template.copy({"subject": "{{ object.no_such_field }}"})
        broken.name = "Broken"
        other = self._make_customer("Marta Wójcik", "marta@example.pl")
        with freeze_time(IN_WINDOW):
            failed = self._send(self.customer, template=broken)
            sent = self._send(other)
        self.assertEqual(failed.state, "failed")
        self.assertEqual(failed.reason_code, "render_error")
        self.assertIn("Broken", failed.reason)
        self.assertEqual(sent.state, "queued")

    def test_queries_do_not_grow_with_recipients(self):
        few = self._make_customers(10, start=1000)
        many = self._make_customers(100, start=2000)
        with freeze_time(IN_WINDOW):
            self._send(self._make_customers(1, start=3000))  # warm the caches
            counts = []
            for partners in (few, many):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                messages = self._send(partners)
                counts.append(self.env.cr.sql_log_count - before)
                self.assertEqual(set(messages.mapped("state")), {"queued"})
        self.assertEqual(counts[0], counts[1], f"queries for 10 / 100: {counts}")

    def test_pivot_groups_by_scenario_and_state(self):
        with freeze_time(IN_WINDOW):
            self.Message.send_template(
                self.mail_template, self.customer, "email", "marketing", self.step_stock
            )
            self.Message.send_template(
                self.mail_template, self.customer, "email", "marketing", self.step_stock
            )
        groups = self.Message._read_group(
            [("partner_id", "=", self.customer.id)],
            ["scenario_id", "state"],
            ["__count"],
        )
        self.assertEqual(
            sorted((scenario.name, state, count) for scenario, state, count in groups),
            [("Back in stock", "queued", 1), ("Back in stock", "scheduled", 1)],
        )
        arch = self.Message.get_view(view_type="pivot")["arch"]
        self.assertIn('name="scenario_id" type="row"', arch)
        self.assertIn('name="state" type="col"', arch)

    def test_sms_links_are_tracked(self):
        self.sms_template.body = "Back in stock: https://shop.example.com/p/42 now"
        with freeze_time(IN_WINDOW):
            message = self._send(self.customer, channel="sms")
        sms = self.env["sms.sms"].search([("uuid", "=", message.sms_uuid)])
        self.assertIn(f"/care/c/{message.uuid}/", sms.body)
        self.assertNotIn("https://shop.example.com/p/42 ", sms.body)
        self.assertIn("https://shop.example.com/p/42", message.mail_message_id.body)
