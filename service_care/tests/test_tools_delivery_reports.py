from itertools import permutations

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import delivery_reports as dr
from odoo.addons.service_care.tools.delivery_reports import Report

RECEIPT = (
    "id:123 sub:001 dlvrd:{dlvrd} submit date:2611240930 done date:2611240931 "
    "stat:{stat} err:{err} text:Your order 1042"
)


def receipt(stat, err="000", dlvrd="001"):
    return RECEIPT.format(stat=stat, err=err, dlvrd=dlvrd)


@tagged("service_care")
class TestDeliveryReports(BaseCase):
    def test_kannel_types(self):
        for mask, expected in [
            (1, Report("delivered")),
            (
                2,
                Report("failed", "Delivery failure", failure_type="sms_not_delivered"),
            ),
            (4, Report("buffered")),
            (8, Report("sent")),
            (16, Report("failed", "Rejected by SMSC", failure_type="sms_rejected")),
        ]:
            for value in (mask, str(mask), f" {mask} "):
                with self.subTest(mask=value):
                    self.assertEqual(dr.parse_kannel(value), expected)
        self.assertEqual(dr.KANNEL_DLR_MASK_ALL, 31)

    def test_kannel_answer_with_smpp_receipt(self):
        self.assertEqual(
            dr.parse_kannel(1, receipt("DELIVRD")),
            Report("delivered", None, "123", "000", None),
        )
        self.assertEqual(
            dr.parse_kannel("2", receipt("UNDELIV", err="001", dlvrd="000")),
            Report(
                "failed", "Undeliverable (err 001)", "123", "001", "sms_not_delivered"
            ),
        )
        self.assertEqual(
            dr.parse_kannel(2, receipt("EXPIRED", err="027")),
            Report("failed", "Expired (err 027)", "123", "027", "sms_expired"),
        )
        self.assertEqual(
            dr.parse_kannel(4, receipt("ENROUTE")),
            Report("buffered", None, "123", "000", None),
        )
        # the %d value decides, a contradicting or unknown stat only adds detail
        self.assertEqual(
            dr.parse_kannel(2, receipt("DELIVRD", err="005")),
            Report(
                "failed",
                "Delivery failure (err 005)",
                "123",
                "005",
                "sms_not_delivered",
            ),
        )
        self.assertEqual(
            dr.parse_kannel(2, receipt("NOSUCH")),
            Report("failed", "Delivery failure", "123", "000", "sms_not_delivered"),
        )
        # a "stat:" inside the message text is not read
        self.assertEqual(
            dr.parse_kannel(2, "id:9 stat:REJECTD err:0 text:stat:DELIVRD"),
            Report("failed", "Rejected", "9", "0", "sms_rejected"),
        )
        # not an SMPP receipt (HTTP SMSC): kept as detail of a failure only
        self.assertEqual(
            dr.parse_kannel(2, "Absent subscriber"),
            Report(
                "failed",
                "Delivery failure: Absent subscriber",
                failure_type="sms_not_delivered",
            ),
        )
        self.assertEqual(dr.parse_kannel(1, "OK"), Report("delivered"))
        self.assertEqual(dr.parse_kannel(8, "ACK/"), Report("sent"))

    def test_kannel_smsc_reject(self):
        self.assertEqual(
            dr.parse_kannel(16, "NACK/0x0000000b/Invalid destination address"),
            Report(
                "failed",
                "Rejected by SMSC: Invalid destination address (0x0000000b)",
                None,
                "0x0000000b",
                "sms_invalid_destination",
            ),
        )
        self.assertEqual(
            dr.parse_kannel(16, "NACK/0x00000045/Submit failed"),
            Report(
                "failed",
                "Rejected by SMSC: Submit failed (0x00000045)",
                None,
                "0x00000045",
                "sms_rejected",
            ),
        )
        self.assertEqual(
            dr.parse_kannel(16, "NACK/Retries Exceeded"),
            Report(
                "failed",
                "Rejected by SMSC: Retries Exceeded",
                failure_type="sms_rejected",
            ),
        )
        self.assertEqual(
            dr.parse_kannel(16, "NACK/"),
            Report("failed", "Rejected by SMSC", failure_type="sms_rejected"),
        )

    def test_kannel_malformed(self):
        for mask in ("", "abc", "1.5", None, True, 0, 3, 32, -1, "0x01"):
            with self.subTest(mask=mask), self.assertRaises(ValueError):
                dr.parse_kannel(mask, receipt("DELIVRD"))

    def test_smpp_every_stat_word(self):
        for stat, status, reason, failure_type in [
            ("DELIVRD", "delivered", None, None),
            ("ACCEPTD", "buffered", None, None),
            ("ENROUTE", "buffered", None, None),
            ("EXPIRED", "failed", "Expired (err 001)", "sms_expired"),
            ("DELETED", "failed", "Deleted (err 001)", "sms_not_delivered"),
            ("UNDELIV", "failed", "Undeliverable (err 001)", "sms_not_delivered"),
            ("UNKNOWN", "failed", "Unknown state (err 001)", "unknown"),
            ("REJECTD", "failed", "Rejected (err 001)", "sms_rejected"),
        ]:
            with self.subTest(stat=stat):
                self.assertEqual(
                    dr.parse_smpp_receipt(receipt(stat, err="001")),
                    Report(status, reason, "123", "001", failure_type),
                )

    def test_smpp_receipt_fields(self):
        # a zero error code is kept but not shown in the reason
        self.assertEqual(
            dr.parse_smpp_receipt(receipt("UNDELIV")).reason, "Undeliverable"
        )
        # keys are case-insensitive, the stat word too; id and err optional
        self.assertEqual(
            dr.parse_smpp_receipt("Id:0A1B Stat:delivrd Text:hi"),
            Report("delivered", smsc_message_id="0A1B"),
        )
        self.assertEqual(
            dr.parse_smpp_receipt("stat:EXPIRED"),
            Report("failed", "Expired", failure_type="sms_expired"),
        )
        self.assertTrue(dr.parse_smpp_receipt(receipt("DELIVRD")).is_final)
        self.assertFalse(dr.parse_smpp_receipt(receipt("ENROUTE")).is_final)

    def test_smpp_malformed(self):
        for text in (
            "",
            "   ",
            None,
            b"stat:DELIVRD",
            "id:1 err:000",
            "id:1 stat:WHATEVER err:000",
            "id:1 text:stat:DELIVRD",
            "stat: DELIVRD",
        ):
            with self.subTest(text=text), self.assertRaises(ValueError):
                dr.parse_smpp_receipt(text)

    def test_jasmin_smsc_level(self):
        message_id = "16fd2706-8baf-433b-82eb-8c7fada847da"
        self.assertEqual(
            dr.parse_jasmin(
                {"id": message_id, "message_status": "ESME_ROK", "level": "1"}
            ),
            Report("sent", smsc_message_id=message_id),
        )
        self.assertEqual(
            dr.parse_jasmin(
                {"id": message_id, "message_status": "ESME_RINVNUMDESTS", "level": 1}
            ),
            Report(
                "failed",
                "Rejected by SMSC (ESME_RINVNUMDESTS)",
                message_id,
                "ESME_RINVNUMDESTS",
                "sms_rejected",
            ),
        )
        self.assertEqual(
            dr.parse_jasmin(
                {"id": message_id, "message_status": "ESME_RINVDSTADR", "level": "3"}
            ).failure_type,
            "sms_invalid_destination",
        )

    def test_jasmin_terminal_level(self):
        fields = {
            "id": "16fd2706-8baf-433b-82eb-8c7fada847da",
            "id_smsc": "2567",
            "message_status": "DELIVRD",
            "level": "2",
            "subdate": "2611240930",
            "donedate": "2611240931",
            "sub": "1",
            "dlvrd": "1",
            "err": "0",
            "text": "Your order 1042",
        }
        self.assertEqual(
            dr.parse_jasmin(fields),
            Report("delivered", None, fields["id"], "0", None),
        )
        self.assertEqual(
            dr.parse_jasmin({**fields, "message_status": "UNDELIV", "err": "1"}),
            Report(
                "failed",
                "Undeliverable (err 1)",
                fields["id"],
                "1",
                "sms_not_delivered",
            ),
        )
        # form values may come as bytes
        self.assertEqual(
            dr.parse_jasmin(
                {"id": b"abc", "message_status": b"ENROUTE", "level": b"2"}
            ),
            Report("buffered", smsc_message_id="abc"),
        )

    def test_jasmin_level_3_sends_both_reports(self):
        submit = {"id": "m1", "message_status": "ESME_ROK", "level": "3"}
        receipt_fields = {"id": "m1", "message_status": "DELIVRD", "level": "3"}
        reports = [dr.parse_jasmin(submit), dr.parse_jasmin(receipt_fields)]
        self.assertEqual([report.status for report in reports], ["sent", "delivered"])
        for first, second in (reports, reports[::-1]):
            self.assertEqual(dr.merge(first.status, second.status), "delivered")

    def test_jasmin_malformed(self):
        good = {"id": "m1", "message_status": "DELIVRD", "level": "2"}
        for fields in (
            {key: value for key, value in good.items() if key != "id"},
            {**good, "id": " "},
            {key: value for key, value in good.items() if key != "message_status"},
            {key: value for key, value in good.items() if key != "level"},
            {**good, "level": "4"},
            {**good, "level": "two"},
            {**good, "message_status": "HELLO"},
            [("id", "m1"), ("message_status", "DELIVRD"), ("level", "2")],
            None,
        ):
            with self.subTest(fields=fields), self.assertRaises(ValueError):
                dr.parse_jasmin(fields)

    def test_is_final(self):
        self.assertTrue(dr.is_final("delivered"))
        self.assertTrue(dr.is_final("failed"))
        self.assertFalse(dr.is_final("sent"))
        self.assertFalse(dr.is_final("buffered"))
        with self.assertRaises(ValueError):
            dr.is_final("pending")

    def test_merge_out_of_order(self):
        for current, incoming, expected in [
            (None, "sent", "sent"),
            ("", "failed", "failed"),
            ("sent", "buffered", "buffered"),
            ("buffered", "sent", "buffered"),
            ("sent", "delivered", "delivered"),
            # a final state never goes back to an intermediate one
            ("delivered", "buffered", "delivered"),
            ("delivered", "sent", "delivered"),
            ("failed", "buffered", "failed"),
            ("failed", "sent", "failed"),
            # delivered wins over failed, whichever arrives first
            ("delivered", "failed", "delivered"),
            ("failed", "delivered", "delivered"),
            ("failed", "failed", "failed"),
        ]:
            with self.subTest(current=current, incoming=incoming):
                self.assertEqual(dr.merge(current, incoming), expected)

    def test_merge_does_not_depend_on_arrival_order(self):
        for statuses, expected in [
            (("sent", "buffered", "failed", "delivered"), "delivered"),
            (("sent", "buffered", "failed"), "failed"),
            (("sent", "buffered"), "buffered"),
        ]:
            for order in permutations(statuses):
                with self.subTest(order=order):
                    status = None
                    for incoming in order:
                        status = dr.merge(status, incoming)
                    self.assertEqual(status, expected)

    def test_merge_unknown_status(self):
        for current, incoming in (
            ("sent", "pending"),
            ("error", "sent"),
            ("sent", None),
        ):
            with (
                self.subTest(current=current, incoming=incoming),
                self.assertRaises(ValueError),
            ):
                dr.merge(current, incoming)

    def test_merge_reports(self):
        expired = dr.parse_kannel(2, receipt("EXPIRED", err="027"))
        rejected = dr.parse_kannel(16, "NACK/0x00000045/Submit failed")
        delivered = dr.parse_kannel(1, receipt("DELIVRD"))
        buffered = dr.parse_kannel(4, receipt("ENROUTE"))
        self.assertIs(dr.merge_reports(None, buffered), buffered)
        self.assertIs(dr.merge_reports(buffered, expired), expired)
        # the first failure reason stays
        self.assertIs(dr.merge_reports(expired, rejected), expired)
        self.assertIs(dr.merge_reports(expired, buffered), expired)
        self.assertIs(dr.merge_reports(expired, delivered), delivered)
        self.assertIs(dr.merge_reports(delivered, expired), delivered)
