# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import signed_link


@tagged("service_care")
class TestSignedLinkTools(BaseCase):
    def test_token_format(self):
        self.assertEqual(signed_link.join(1767225600, "ab12"), "1767225600.ab12")
        self.assertEqual(signed_link.split("1767225600.ab12"), (1767225600, "ab12"))
        for malformed in (None, "", "ab12", "x.ab12", "1767225600.", "-1.ab12"):
            with self.subTest(token=malformed):
                self.assertEqual(signed_link.split(malformed), (None, None))

    def test_message_is_the_subject_then_the_expiry(self):
        self.assertEqual(signed_link.message([7, 3, "cart"]), (7, 3, "cart"))
        self.assertEqual(signed_link.message((7, 3), "99"), (7, 3, 99))

    def test_timestamp_is_utc(self):
        self.assertEqual(signed_link.timestamp(datetime(2026, 1, 1)), 1767225600)

    def test_verdict(self):
        good, other = "a" * 64, "b" * 64
        self.assertEqual(signed_link.verdict([good], good), signed_link.VALID)
        self.assertEqual(signed_link.verdict([other, good], good), signed_link.VALID)
        self.assertIs(signed_link.verdict([good], other), signed_link.INVALID)
        self.assertIs(signed_link.verdict([good], ""), signed_link.INVALID)
        self.assertIs(signed_link.verdict([good], None), signed_link.INVALID)
        # the expiry is checked only for a genuine link: a forged one never
        # learns whether it would have expired
        self.assertEqual(
            signed_link.verdict([good], good, expires=100, now=100), signed_link.VALID
        )
        self.assertEqual(
            signed_link.verdict([good], good, expires=100, now=101),
            signed_link.EXPIRED,
        )
        self.assertIs(
            signed_link.verdict([good], other, expires=100, now=101),
            signed_link.INVALID,
        )
