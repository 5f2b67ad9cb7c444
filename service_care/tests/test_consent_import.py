# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ServiceCareCase

FILE = """email,phone,channel,purpose,date,source,granted
anna.import@example.pl,,email,,2025-03-14,Klaviyo,yes
,+48 601 777 111,sms,news,2025-03-15 08:00:00,Klaviyo,yes
nobody@example.pl,,email,,2025-03-14,Klaviyo,yes
ola@example.pl,,email,sales,2025-03-14,Klaviyo,yes
ola@example.pl,,email,replenishment,2025-03-16,Klaviyo,no
"""


@tagged("post_install", "-at_install")
class TestConsentImport(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consent = cls.env["service.care.consent"]
        cls.company.country_id = cls.poland
        cls.anna = cls._make_customer(
            "Anna Import", "Anna.Import@Example.pl", "601 777 111", consent=False
        )
        cls.ola = cls._make_customer(
            "Ola Import", "ola@example.pl", "+48 601 999 888", consent=False
        )

    def _import(self, text):
        wizard = self.env["service.care.consent.import"].create(
            {"file": base64.b64encode(text.encode()), "filename": "consents.csv"}
        )
        wizard.action_import()
        return wizard

    def test_imports_good_lines_and_reports_the_rest(self):
        wizard = self._import(FILE)
        self.assertEqual((wizard.imported_count, wizard.known_count), (3, 0))
        report = wizard.report.splitlines()
        self.assertEqual(len(report), 2)
        self.assertIn("Line 4", report[0])
        self.assertIn("nobody@example.pl", report[0])
        self.assertIn("Line 5", report[1])
        self.assertIn("sales", report[1])
        # Anna by her email (whatever its case), and by her number for SMS.
        self.assertEqual(
            {
                (row.channel, row.purpose, row.granted, str(row.date))
                for row in self.anna.care_consent_ids
            },
            {
                ("email", False, True, "2025-03-14 00:00:00"),
                ("sms", "news", True, "2025-03-15 08:00:00"),
            },
        )
        self.assertEqual(set(self.anna.care_consent_ids.mapped("source")), {"import"})
        self.assertIn("Klaviyo", self.anna.care_consent_ids[0].wording)
        self.assertTrue(self.anna.care_email_consent)
        self.assertTrue(self.anna.care_sms_consent)
        self.assertRecordValues(
            self.ola.care_consent_ids,
            [{"channel": "email", "purpose": "replenishment", "granted": False}],
        )

    def test_importing_twice_changes_nothing(self):
        self._import(FILE)
        before = self.Consent.search([]).ids
        wizard = self._import(FILE)
        self.assertEqual((wizard.imported_count, wizard.known_count), (0, 3))
        self.assertEqual(self.Consent.search([]).ids, before)

    def test_a_line_repeated_in_the_file_is_imported_once(self):
        line = "anna.import@example.pl,,email,news,2025-04-01,Shopify,yes\n"
        wizard = self._import(FILE.splitlines(keepends=True)[0] + line + line)
        self.assertEqual((wizard.imported_count, wizard.known_count), (1, 1))
        self.assertEqual(len(self.anna.care_consent_ids), 1)

    def test_a_file_without_the_columns_is_refused_whole(self):
        with self.assertRaisesRegex(UserError, "missing: date, source"):
            self._import("email,channel\nanna.import@example.pl,email\n")
        self.assertFalse(self.anna.care_consent_ids)
