# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta
from types import SimpleNamespace
from uuid import uuid4

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .sms_gateway_common import SmsGatewayCase

CONTROLLER_LOGGER = "odoo.addons.service_care.controllers.sms"
REPORT_LOGGER = "odoo.addons.service_care.models.service_care_sms_report"
RECEIPT = (
    "id:{id} sub:001 dlvrd:{dlvrd} submit date:2611241000 done date:2611241001 "
    "stat:{stat} err:{err} text:Your order"
)


def receipt(stat, message_id="4711"):
    delivered = stat == "DELIVRD"
    return RECEIPT.format(
        id=message_id,
        dlvrd="001" if delivered else "000",
        stat=stat,
        err="000" if delivered else "001",
    )


@tagged("post_install", "-at_install", "service_care")
class TestSmsDeliveryReports(SmsGatewayCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reports = cls.env["service.care.sms.report"]

    def _sent(self):
        message, sms = self._queue_sms()
        sms.send()
        self.assertEqual(sms.state, "pending")
        return message, sms

    def _report(self, sms, dlr_type, answer="", token=None, gateway=None):
        gateway = gateway or self.gateway
        token = token or gateway._dlr_token(sms.uuid)
        response = self.url_open(
            f"/service_care/sms/dlr/{gateway.id}/{sms.uuid}/{token}"
            f"?type={dlr_type}&answer={answer}",
            allow_redirects=False,
        )
        self.env.invalidate_all()
        self.Reports._cron_process()
        return response

    def test_forged_reports_change_nothing(self):
        message, sms = self._sent()
        other = self._queue_sms()[1]
        good = self.gateway._dlr_token(sms.uuid)
        for token in ("0" * 64, good[:-1] + ("0" if good[-1] != "0" else "1")):
            with self.subTest(token=token):
                response = self._report(sms, 1, receipt("DELIVRD"), token=token)
                self.assertEqual(response.status_code, 403)
        # A token is only good for its own SMS.
        other_token = self.gateway._dlr_token(other.uuid)
        self.assertEqual(self._report(sms, 1, token=other_token).status_code, 403)
        response = self.url_open(
            f"/service_care/sms/dlr/999999/{sms.uuid}/{good}?type=1",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertFalse(self.Reports.search([]), "nothing stored")
        self.assertEqual(sms.state, "pending")
        self.assertFalse(sms.care_report_status)
        self.assertEqual(message.state, "sent")
        self.assertEqual(self._notification(message).notification_status, "pending")

    def test_delivered_then_replays_and_late_reports(self):
        message, sms = self._sent()
        response = self._report(sms, 8)
        self.assertEqual((response.status_code, response.text), (200, "OK"))
        self.assertEqual((sms.state, sms.care_report_status), ("pending", "sent"))
        response = self._report(sms, 1, receipt("DELIVRD"))
        self.assertEqual((response.status_code, response.text), (200, "OK"))
        self.assertEqual(sms.state, "sent")
        self.assertEqual(sms.care_report_status, "delivered")
        self.assertEqual(sms.care_provider_ref, "4711")
        self.assertTrue(sms.to_delete)
        notification = self._notification(message)
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(message.state, "delivered")
        self.assertTrue(message.delivered_at)
        # Replays and reports arriving late never move it back.
        for dlr_type, answer in [
            (1, receipt("DELIVRD")),
            (8, ""),
            (4, receipt("ACCEPTD")),
            (2, receipt("UNDELIV")),
            (16, "NACK/0x0000000b/Invalid Destination Address"),
        ]:
            with self.subTest(dlr_type=dlr_type):
                self.assertEqual(self._report(sms, dlr_type, answer).status_code, 200)
                self.assertEqual(sms.state, "sent")
                self.assertEqual(sms.care_report_status, "delivered")
                self.assertFalse(sms.failure_type)
                self.assertEqual(notification.notification_status, "sent")
                self.assertEqual(message.state, "delivered")

    def test_undeliverable_fails_with_reason(self):
        message, sms = self._sent()
        self._report(sms, 8)
        self._report(sms, 2, receipt("UNDELIV"))
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_not_delivered"))
        self.assertEqual(sms.care_failure_reason, "Undeliverable (err 001)")
        notification = self._notification(message)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "sms_not_delivered")
        self.assertEqual(notification.failure_reason, "Undeliverable (err 001)")
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.reason, "Undeliverable (err 001)")
        # A late "accepted" does not undo the failure.
        self._report(sms, 8)
        self.assertEqual(sms.state, "error")

    def test_rejected_by_smsc_then_delivered(self):
        """A handset receipt beats a failure of another attempt (merge rule)."""
        message, sms = self._sent()
        self._report(sms, 16, "NACK/0x0000000b/Invalid Destination Address")
        self.assertEqual(sms.failure_type, "sms_invalid_destination")
        self.assertEqual(
            self._notification(message).failure_reason,
            "Rejected by SMSC: Invalid Destination Address (0x0000000b)",
        )
        self._report(sms, 1, receipt("DELIVRD"))
        self.assertEqual((sms.state, sms.failure_type), ("sent", False))
        self.assertEqual(self._notification(message).notification_status, "sent")

    def test_unknown_and_malformed_reports_are_acknowledged(self):
        _message, sms = self._sent()
        ghost = SimpleNamespace(uuid=uuid4().hex)  # no such SMS (yet?)
        response = self._report(ghost, 1, receipt("DELIVRD"))
        self.assertEqual((response.status_code, response.text), (200, "OK"))
        # Kept a while: the SMS may belong to a transaction not committed yet.
        [kept] = self.Reports.search([])
        self.assertEqual((kept.sms_uuid, kept.status), (ghost.uuid, "delivered"))
        with (
            freeze_time(fields.Datetime.now() + timedelta(hours=2)),
            self.assertLogs(REPORT_LOGGER, logging.INFO) as logs,
        ):
            self.Reports._cron_process()
        self.assertIn(f"unknown SMS dropped: {ghost.uuid}", logs.output[0])
        self.assertFalse(self.Reports.search([]))
        with self.assertLogs(CONTROLLER_LOGGER, logging.WARNING) as logs:
            response = self._report(sms, 99)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Unknown Kannel DLR type 99", logs.output[0])
        self.assertFalse(self.Reports.search([]))
        self.assertEqual(sms.state, "pending")
        self.assertFalse(sms.care_report_status)

    def test_reports_in_one_batch_merge_in_any_order(self):
        message, sms = self._sent()
        token = self.gateway._dlr_token(sms.uuid)
        path = f"/service_care/sms/dlr/{self.gateway.id}/{sms.uuid}/{token}"
        for query in (
            f"type=1&answer={receipt('DELIVRD')}",
            "type=8&answer=",
            f"type=2&answer={receipt('UNDELIV')}",
            f"type=1&answer={receipt('DELIVRD')}",
        ):
            self.assertEqual(self.url_open(f"{path}?{query}").status_code, 200)
        self.assertEqual(len(self.Reports.search([])), 4)
        self.assertEqual(self.Reports._cron_process(), 4)
        self.env.invalidate_all()
        self.assertEqual((sms.state, sms.care_report_status), ("sent", "delivered"))
        self.assertEqual(message.state, "delivered")

    def test_report_for_an_sms_thought_unsent_marks_it_sent(self):
        """The gateway took it but the sending transaction was lost: the
        report proves it went out, so the queue must not send it again."""
        message, sms = self._queue_sms()
        self.assertEqual(sms.state, "outgoing")
        self._report(sms, 8)
        self.assertEqual(sms.state, "pending")
        self.assertEqual(sms.care_gateway_id, self.gateway)
        self.assertEqual(message.state, "sent")
        self.Sms._process_queue()
        self.assertFalse(self.stub.requests)

    def test_jasmin_reports_are_posted_and_acknowledged(self):
        self.gateway.write({"provider": "jasmin"})
        self.stub.script((200, 'Success "j-42"'))
        message, sms = self._sent()
        self.assertEqual(sms.care_provider_ref, "j-42")
        token = self.gateway._dlr_token(sms.uuid)
        response = self.url_open(
            f"/service_care/sms/dlr/{self.gateway.id}/{sms.uuid}/{token}",
            data={"id": "j-42", "message_status": "DELIVRD", "level": "2"},
        )
        self.assertEqual((response.status_code, response.text), (200, "ACK/Jasmin"))
        self.Reports._cron_process()
        self.env.invalidate_all()
        self.assertEqual(sms.state, "sent")
        self.assertEqual(message.state, "delivered")


@tagged("post_install", "-at_install", "service_care")
class TestSmsInbound(SmsGatewayCase, HttpCase):
    def _inbound(self, text, sender="+48601234567", token=None):
        token = token or self.gateway._mo_token()
        response = self.url_open(
            f"/service_care/sms/mo/{self.gateway.id}/{token}",
            data={"from": sender, "to": "MyShop", "text": text, "id": uuid4().hex},
        )
        self.env.invalidate_all()
        return response

    def _blacklisted(self, number="+48601234567"):
        return bool(self.env["phone.blacklist"].search([("number", "=", number)]))

    def _replies(self):
        return self.Sms.search(
            [("care_ignore_blacklist", "=", True), ("number", "=", "+48601234567")]
        )

    def test_forged_inbound_changes_nothing(self):
        response = self._inbound("STOP", token="f" * 64)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._blacklisted())
        self.assertTrue(self.customer.care_sms_consent)

    def test_stop_blacklists_confirms_once_and_start_undoes_it(self):
        response = self._inbound("Стоп")
        self.assertEqual((response.status_code, response.text), (200, ""))
        self.assertTrue(self._blacklisted())
        self.assertFalse(self.customer.care_sms_consent)
        inbound = self.customer.message_ids.filtered(
            lambda m: m.author_id == self.customer and m.message_type == "sms"
        )
        self.assertEqual(inbound.mapped("body"), ["<p>Стоп</p>"])
        [reply] = self._replies()
        self.assertIn("Reply START", reply.body)
        self.assertEqual(reply.state, "outgoing")
        # The confirmation goes out, although the number is now blacklisted.
        self.Sms._process_queue()
        self.assertEqual([r["to"] for r in self.stub.requests], ["+48601234567"])
        self.assertIn("Reply START", self.stub.requests[0]["text"])
        # Said twice: still one confirmation.
        self._inbound("STOP")
        self.assertEqual(len(self._replies()), 1)
        # A marketing SMS is now skipped with the reason.
        message = self._send(self.customer, channel="sms")
        self.assertEqual(
            (message.state, message.reason_code), ("skipped", "blacklisted")
        )
        # START undoes it: off the blacklist, consent back, one confirmation.
        self._inbound("start")
        self.assertFalse(self._blacklisted())
        self.assertTrue(self.customer.care_sms_consent)
        replies = self._replies()
        self.assertEqual(len(replies), 2)
        self.assertIn("Reply STOP", replies.sorted("id")[-1].body)

    def test_other_text_is_only_logged(self):
        response = self._inbound("Can I come at 5?")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self._blacklisted())
        self.assertFalse(self._replies())
        self.assertIn(
            "<p>Can I come at 5?</p>", self.customer.message_ids.mapped("body")
        )

    def test_start_does_not_grant_consent_never_given(self):
        partner = self._make_customer(
            "No consent", "nc@example.pl", "+48 601 555 444", consent=False
        )
        self._inbound("STOP", sender="+48601555444")
        self._inbound("START", sender="+48601555444")
        self.assertFalse(self._blacklisted("+48601555444"))
        self.assertFalse(partner.care_sms_consent)

    def test_yes_confirms_a_double_opt_in(self):
        """A number that agreed on the website gets "reply YES"; only YES from
        that number makes the consent count."""
        self.env.company.care_double_opt_in = True
        partner = self._make_customer(
            "Double", "double@example.pl", "+48 601 555 666", consent=False
        )
        [pending] = partner.sudo()._care_set_consent(
            "sms", True, "checkout", "Text me (SMS)"
        )
        self.assertTrue(pending.pending)
        self.assertFalse(partner.care_sms_consent)
        asked = self.env["service.care.message"].search(
            [("res_model", "=", pending._name), ("res_id", "=", pending.id)]
        )
        self.assertEqual(
            (asked.channel, asked.kind, asked.partner_id),
            ("sms", "transactional", partner),
        )
        self._inbound("Yes", sender="+48601234567")
        self.assertFalse(partner.care_sms_consent, "YES from another number")
        self._inbound("Так!", sender="+48601555666")
        self.assertTrue(partner.care_sms_consent)
        self.assertFalse(self._blacklisted("+48601555666"))
        confirmation = partner.care_consent_ids.filtered("confirms_id")
        self.assertEqual(confirmation.confirms_id, pending)
        self._inbound("yes", sender="+48601555666")
        self.assertEqual(len(partner.care_consent_ids), 2, "YES twice adds nothing")

    def test_jasmin_inbound_ucs2(self):
        self.gateway.provider = "jasmin"
        response = self.url_open(
            f"/service_care/sms/mo/{self.gateway.id}/{self.gateway._mo_token()}",
            data={
                "from": "+48601234567",
                "to": "MyShop",
                "coding": "8",
                "binary": "СТОП".encode("utf-16-be").hex(),
                "content": "",
            },
        )
        self.assertEqual((response.status_code, response.text), (200, "ACK/Jasmin"))
        self.assertTrue(self._blacklisted())

    def test_stop_finds_the_customer_as_sending_reads_the_number(self):
        """One normaliser: the number read as for sending, not as Odoo's
        ``phone_sanitized`` reads it (with the current company's country)."""
        self.env.company.country_id = self.env.ref("base.fr")
        polish_shop = self.env["res.company"].create(
            {"name": "Polish branch", "country_id": self.env.ref("base.pl").id}
        )
        partner = self.env["res.partner"].create(
            {
                "name": "No country",
                "mobile": "601 777 888",
                "company_id": polish_shop.id,
            }
        )
        partner._care_set_consent("sms", True, "backoffice", "Yes, send me offers.")
        self.assertEqual(partner.care_sms_address, "+48601777888")
        self._inbound("STOP", sender="+48601777888")
        self.assertTrue(self._blacklisted("+48601777888"))
        self.assertFalse(partner.care_sms_consent)
        self.assertIn("<p>STOP</p>", partner.message_ids.mapped("body"))
