# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fast send pipeline: rendered once, queued in bulk, sent in batches,
and one outcome per customer and step."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo import tools
from odoo.modules import module
from odoo.tests import tagged
from odoo.tools import safe_eval
from odoo.tools.mail import email_normalize

from ..models import service_care_message as message_module
from .common import ServiceCareCase
from .stack import poll_until, smtp_sink_server, spooled_emails

IN_WINDOW = "2026-11-24 10:00:00"


@tagged("post_install", "-at_install")
class TestSendBatch(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        smtp_sink_server(cls.env, only=True)
        cls.customers = cls._make_customers(4, start=7100)
        cls.Attempt = cls.env["service.care.send.attempt"]

    def _queue(self, partners, **kwargs):
        with freeze_time(IN_WINDOW):
            return self._send(partners, **kwargs)

    def _run_mail_queue(self):
        # Odoo's test runner stops mail at the SMTP client while a test runs;
        # these tests are about the real exchange with the local server.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue()

    def _arrived(self, partners):
        emails = set(partners.mapped("email"))
        return poll_until(
            lambda: (
                found
                if len(
                    found := [
                        m for m in spooled_emails() if m["X-Sink-Rcpt-To"] in emails
                    ]
                )
                >= len(emails)
                else None
            ),
            f"not every email reached the SMTP sink: {sorted(emails)}",
        )

    def test_a_template_a_user_edited_renders_as_odoo_renders_it(self):
        editor = self.env["res.users"].create(
            {
                "name": "Template editor",
                "login": "care.template.editor",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("mail.group_mail_template_editor").id,
                        ],
                    )
                ],
            }
        )
        self.mail_template.with_user(editor).write(
            {
                "subject": "{{ object.name.upper() }}, {{ object.email or 'you' }}",
                "body_html": '<div><p>Hi <t t-out="object.name"/>!</p>'
                '<p t-if="object.email">We write to <t t-out="object.email"/>.</p>'
                "<p>Spring sale, edited by hand, from "
                '<t t-out="format_amount(9.5, user.company_id.currency_id)"/>'
                "!</p></div>",
            }
        )
        Qweb = type(self.env["ir.qweb"])
        with (
            patch.object(
                Qweb, "_compile", autospec=True, side_effect=Qweb._compile
            ) as compile_,
            patch.object(
                safe_eval, "test_expr", side_effect=safe_eval.test_expr
            ) as test_expr,
            patch.object(
                tools, "format_amount", side_effect=tools.format_amount
            ) as format_amount,
        ):
            messages = self._queue(self.customers)
        self.assertEqual(compile_.call_count, 1, "the body is compiled once")
        self.assertGreater(len(self.customers), 1)
        self.assertEqual(format_amount.call_count, 1, "the same price formatted once")
        # Two expressions in the subject, one in the sender, one in the
        # language: each checked and compiled once, not once per customer.
        self.assertLessEqual(test_expr.call_count, 4)
        odoo_subjects = self.mail_template._render_field("subject", self.customers.ids)
        odoo_bodies = self.mail_template._render_field("body_html", self.customers.ids)
        body_field = self.env["mail.message"]._fields["body"]
        for message, customer in zip(messages, self.customers, strict=True):
            self.assertEqual(message.state, "queued")
            chatter = message.mail_message_id.body
            self.assertIn(f"Hi {customer.name}!", chatter)
            self.assertIn(f"We write to {customer.email}.", chatter)
            self.assertIn("Spring sale, edited by hand, from", chatter)
            self.assertIn("9.50", chatter)
            # Odoo's render, as Odoo's chatter stores it (sanitised)
            self.assertEqual(
                str(chatter),
                body_field.convert_to_column(
                    odoo_bodies[customer.id], self.env["mail.message"]
                ),
            )
            self.assertEqual(message.subject, odoo_subjects[customer.id])
            self.assertEqual(
                message.subject, f"{customer.name.upper()}, {customer.email}"
            )

    def test_a_template_failing_on_one_record_fails_its_batch_with_the_reason(self):
        self.mail_template.body_html = (
            '<p t-out="object.name"/><p t-out="1 / (object.ref != \'broken\')"/>'
        )
        self.customers[1].ref = "broken"
        messages = self._queue(self.customers)
        self.assertEqual(
            messages.mapped("state"), ["failed"] * 4, "one template, one batch"
        )
        self.assertIn("could not be rendered", messages[0].reason)
        self.customers[1].ref = False
        self.assertEqual(self._queue(self.customers).mapped("state"), ["queued"] * 4)

    def test_a_large_send_goes_a_chunk_at_a_time_and_loses_nobody(self):
        partners = self._make_customers(7, start=7500)
        with patch.object(message_module, "SEND_CHUNK", 3):
            messages = self._queue(partners)
        self.assertEqual(messages.partner_id.ids, partners.ids, "one each, in order")
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        self.assertEqual(len(messages.mail_message_id), 7)

    def test_queued_in_bulk_with_the_chatter_copy_sanitised(self):
        self.mail_template.body_html = (
            '<p>Hello <t t-out="object.name"/></p><script>alert("x")</script>'
        )
        messages = self._queue(self.customers)
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        self.assertEqual(len(mails), 4)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertEqual(len(set(mails.mapped("message_id"))), 4)
        for message, customer in zip(messages, self.customers, strict=True):
            chatter = message.mail_message_id
            self.assertEqual(
                (chatter.model, chatter.res_id), ("res.partner", customer.id)
            )
            self.assertEqual(chatter.record_name, customer.display_name)
            self.assertEqual(chatter.author_id, self.env.user.partner_id)
            self.assertEqual(chatter.subject, f"Hello {customer.name}")
            # The template gives no Reply-To: none stored (not "false").
            self.assertIs(chatter.reply_to, False)
            self.assertNotIn("<script", chatter.body)
            self.assertIn(chatter, customer.message_ids)
            mail = mails.filtered(lambda m, c=chatter: m.mail_message_id == c)
            self.assertEqual(mail.recipient_ids, customer)
            self.assertIn(f"/care/o/{message.uuid}/", mail.body_html)

    def test_a_batch_leaves_over_one_connection_and_is_saved_once(self):
        messages = self._queue(self.customers)
        Server = type(self.env["ir.mail_server"])
        with patch.object(
            Server, "connect", autospec=True, side_effect=Server.connect
        ) as connect:
            self._run_mail_queue()
        self.assertEqual(connect.call_count, 1)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(len(self._arrived(self.customers)), 4)
        self.assertFalse(self.Attempt.search([]), "nothing left in flight")

    def test_the_next_emails_of_a_sender_read_as_odoo_builds_them(self):
        # The first email of the batch is built by Odoo, the next ones by
        # tools.mime: at the server they must not differ but by recipient.
        partners = self._make_customers(3, start=7400)
        partners[2].name = "Zażółć Gęślą"
        messages = self._queue(partners)
        self._run_mail_queue()
        received = sorted(self._arrived(partners), key=lambda m: m["X-Sink-Rcpt-To"])
        first, *others = received
        ignored = {"date", "message-id", "to", "subject", "content-type"}
        for message in others:
            self.assertEqual(
                {k.lower() for k in message} - ignored,
                {k.lower() for k in first} - ignored,
            )
            for header in (
                "From",
                "Reply-To",
                "Return-Path",
                "X-Sink-Mail-From",
                "List-Unsubscribe-Post",
                "MIME-Version",
            ):
                self.assertEqual(str(message[header]), str(first[header]), header)
            self.assertEqual(message.get_content_type(), "multipart/alternative")
        for message, partner, log in zip(received, partners, messages, strict=True):
            # Without a Reply-To of its own, replies go to the sender, as
            # Odoo's build_email has it.
            self.assertEqual(
                message["Reply-To"].addresses[0].addr_spec,
                email_normalize(log.mail_message_id.email_from),
            )
            self.assertEqual(message["Subject"], f"Hello {partner.name}")
            self.assertEqual(message["To"].addresses[0].display_name, partner.name)
            self.assertEqual(message["Message-Id"], log.mail_message_id.message_id)
            html = message.get_body(("html",)).get_content()
            self.assertIn(f"Dear {partner.name}", html)
            self.assertIn(f"/care/o/{log.uuid}/", html)
            text = message.get_body(("plain",)).get_content()
            self.assertIn(f"Dear {partner.name}", text)
            self.assertRegex(
                message["List-Unsubscribe"], rf"^<https?://\S+/care/u/{log.uuid}/\w+>$"
            )

    def test_sent_without_odoo_s_batch_session_too(self):
        partners = self._make_customers(2, start=7600)
        messages = self._queue(partners)
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        with patch.object(module, "current_test", False):
            mails._send()  # no SMTP session given: each mail connects
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(len(self._arrived(partners)), 2)

    def test_the_cron_s_queue_goes_on_after_a_batch_it_deleted(self):
        # As the cron runs it: committing each batch. The test's transaction
        # must stay, so the commit only flushes; what follows it is the point.
        partners = self._make_customers(3, start=7700)
        messages = self._queue(partners)
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        self.assertTrue(all(mails.mapped("auto_delete")))
        # Two batches in one run: the second must go out too.
        self.env["ir.config_parameter"].set_param("mail.session.batch.size", 2)
        with (
            patch.object(module, "current_test", False),
            patch.object(self.env.cr, "commit", self.env.cr.flush),
        ):
            mails.send(auto_commit=True)  # as process_email_queue in a cron
        self.assertFalse(mails.exists(), "sent, then deleted by Odoo")
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(len(self._arrived(partners)), 3)

    def test_sending_costs_one_query_more_per_email_not_a_dozen(self):
        def queries_to_send(count, start):
            partners = self._make_customers(count, start=start)
            messages = self._queue(partners)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self._run_mail_queue()
            self.assertEqual(set(messages.mapped("state")), {"sent"})
            return self.env.cr.sql_log_count - before

        few = queries_to_send(3, 7200)
        many = queries_to_send(13, 7300)
        self.assertGreater(few, 3, "the queries are counted")
        # One journal statement per email; the rest is per batch.
        self.assertLessEqual(many - few, 10 + 2)

    def test_an_email_the_server_took_before_a_crash_is_not_sent_again(self):
        customer = self._make_customer("Taken Once", "taken.once@example.pl")
        message = self._queue(customer)
        witness = self._make_customer("Witness", "taken.witness@example.pl")
        witness_message = self._queue(witness)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
        # The try that died had handed the mail over, and journalled that the
        # server took it, before saving "sent".
        with self.Attempt._care_journal("mail.mail") as journal:
            journal(mail.id, None)
            journal(None, mail.id)
        self._run_mail_queue()
        self._arrived(witness)
        self.assertEqual((message.state, witness_message.state), ("sent", "sent"))
        self.assertFalse(message.possible_duplicate_count)
        self.assertFalse(
            [m for m in spooled_emails() if m["X-Sink-Rcpt-To"] == customer.email],
            "an email the server had taken was sent again",
        )
        self.assertFalse(mail.exists(), "sent and deleted as Odoo does")
        self.assertFalse(self.Attempt._care_pending("mail.mail", [mail.id]))


@tagged("post_install", "-at_install")
class TestOneOutcomePerStep(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.env.ref("service_care.service_care_scenario_waitlist")

    def _run(self, partner):
        return self.env["service.care.scenario.run"].create(
            {
                "key": f"test:{partner.id}",
                "scenario_id": self.scenario.id,
                "partner_id": partner.id,
                "res_model": "res.partner",
                "res_id": partner.id,
                "company_id": self.company.id,
            }
        )

    def _send_step(self, partner, run, channel):
        with freeze_time(IN_WINDOW):
            return self.env["service.care.message"].send_template(
                self.mail_template if channel == "email" else self.sms_template,
                partner,
                channel,
                "transactional",
                extra_vals=[{"run_id": run.id}],
            )

    def _logged(self, run):
        return self.env["service.care.message"].search([("run_id", "=", run.id)])

    def test_no_mobile_is_no_outcome_when_the_email_went(self):
        partner = self._make_customer("No Mobile", "no.mobile@example.pl", mobile=False)
        run = self._run(partner)
        self._send_step(partner, run, "email")
        self._send_step(partner, run, "sms")
        logged = self._logged(run)
        self.assertEqual(logged.mapped("channel"), ["email"])
        self.assertEqual(logged.state, "queued")

    def test_an_earlier_channel_without_contact_is_dropped_once_one_reaches(self):
        partner = self._make_customer("Sms First", "sms.first@example.pl", mobile=False)
        run = self._run(partner)
        self._send_step(partner, run, "sms")
        self.assertEqual(self._logged(run).reason_code, "no_contact")
        self._send_step(partner, run, "email")
        self.assertEqual(self._logged(run).mapped("channel"), ["email"])

    def test_no_channel_at_all_is_one_skip_per_step_with_the_reason(self):
        partner = self._make_customer("Nowhere", False, mobile=False)
        run = self._run(partner)
        self._send_step(partner, run, "email")
        self._send_step(partner, run, "sms")
        logged = self._logged(run)
        self.assertEqual(sorted(logged.mapped("channel")), ["email", "sms"])
        self.assertEqual(set(logged.mapped("state")), {"skipped"})
        self.assertEqual(set(logged.mapped("reason_code")), {"no_contact"})
        self.assertTrue(all(logged.mapped("reason")))

    def test_a_wrong_number_is_still_a_skip_with_its_reason(self):
        partner = self._make_customer(
            "Bad Number", "bad.number@example.pl", mobile="123"
        )
        run = self._run(partner)
        self._send_step(partner, run, "email")
        self._send_step(partner, run, "sms")
        sms = self._logged(run).filtered(lambda m: m.channel == "sms")
        self.assertEqual((sms.state, sms.reason_code), ("skipped", "invalid_contact"))
