# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import consent_import

NOW = datetime(2026, 12, 3, 12, 0)


@tagged("service_care")
class TestConsentImportTools(BaseCase):
    def test_good_and_bad_lines(self):
        data = (
            b"Email;Phone;Channel;Purpose;Date;Source;Granted\n"
            b"a@example.com;;email;;2025-03-14;Klaviyo;yes\n"
            b";+48601234567;SMS;news;2025-03-14 10:22:00;Klaviyo;0\n"
            b"b@example.com;;fax;;2025-03-14;Klaviyo;yes\n"
            b";;email;;2025-03-14;Klaviyo;yes\n"
            b"c@example.com;;email;sales;2025-03-14;Klaviyo;yes\n"
            b"d@example.com;;email;;14/03/2025;Klaviyo;yes\n"
            b"e@example.com;;email;;2027-01-01;Klaviyo;yes\n"
            b"f@example.com;;email;;2025-03-14;;yes\n"
            b"g@example.com;;email;;2025-03-14;Klaviyo;maybe\n"
            b";;;;;;\n"
        )
        rows, errors = consent_import.read(data, NOW)
        self.assertEqual(
            [(row.line, row.channel, row.purpose, row.granted) for row in rows],
            [(2, "email", None, True), (3, "sms", "news", False)],
        )
        self.assertEqual(rows[1].date, datetime(2025, 3, 14, 10, 22))
        self.assertEqual(
            [(line, error.code, error.value) for line, error in errors],
            [
                (4, "channel", "fax"),
                (5, "no_contact", ""),
                (6, "purpose", "sales"),
                (7, "date", "14/03/2025"),
                (8, "future", "2027-01-01 00:00:00"),
                (9, "source", ""),
                (10, "granted", "maybe"),
            ],
        )

    def test_whole_file_errors(self):
        for data, code in (
            (b"email,channel,date\n", "columns"),
            (b"name,channel,date,source\n", "columns"),
            ("email,channel,date,source\n".encode("utf-16"), "not_utf8"),
        ):
            with (
                self.subTest(code=code),
                self.assertRaises(consent_import.ImportFileError) as caught,
            ):
                consent_import.read(data, NOW)
            self.assertEqual(caught.exception.code, code)

    def test_excel_bom_and_comma(self):
        data = (
            "\ufeffemail,channel,date,source,wording\n"
            'A@Example.com,email,2025-01-02,Shopify,"Yes, mail me"\n'
        )
        rows, errors = consent_import.read(data.encode(), NOW)
        self.assertFalse(errors)
        self.assertEqual(
            (rows[0].email, rows[0].wording), ("A@Example.com", "Yes, mail me")
        )
