# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dataclasses import FrozenInstanceError

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import contact
from odoo.addons.service_care.tools.contact import (
    ContactStatus,
    check_email,
    check_phone,
    check_phones,
)


@tagged("service_care")
class TestCheckPhone(BaseCase):
    def assertValid(self, number, country, e164, mobile_only=False):
        status = check_phone(number, country, mobile_only=mobile_only)
        self.assertEqual(status, ContactStatus(ok=True, address=e164), number)

    def assertInvalid(self, number, country, reason_code, mobile_only=False):
        status = check_phone(number, country, mobile_only=mobile_only)
        self.assertFalse(status.ok, number)
        self.assertFalse(status.address, number)
        self.assertFalse(status.blacklisted, number)
        self.assertEqual(status.reason_code, reason_code, status.reason)
        self.assertTrue(status.reason, number)
        return status

    def test_valid_national_numbers(self):
        for number, country, e164 in [
            ("601 234 567", "PL", "+48601234567"),  # mobile
            ("22 123 45 67", "PL", "+48221234567"),  # Warsaw landline
            ("050 123 4567", "UA", "+380501234567"),
            ("067-123-45-67", "UA", "+380671234567"),
            ("8 912 345-67-89", "RU", "+79123456789"),  # trunk prefix 8
            ("8 (495) 123-45-67", "RU", "+74951234567"),
            ("0151 23456789", "DE", "+4915123456789"),
            ("030 123456", "DE", "+4930123456"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("01 12 34 56 78", "FR", "+33112345678"),
            ("(201) 555-0123", "US", "+12015550123"),
            ("07400 123456", "GB", "+447400123456"),
            ("020 7946 0018", "GB", "+442079460018"),
        ]:
            with self.subTest(number=number, country=country):
                self.assertValid(number, country, e164)

    def test_country_code_is_case_insensitive(self):
        self.assertValid("601 234 567", "pl", "+48601234567")

    def test_international_numbers_need_no_country(self):
        for number, country, e164 in [
            ("+48 601 234 567", None, "+48601234567"),
            ("0048 601 234 567", None, "+48601234567"),  # 00 read as +
            ("0048 601 234 567", "PL", "+48601234567"),  # Polish IDD
            ("+380 50 123 4567", "RU", "+380501234567"),  # another country wins
            ("+44 7400 123456", "DE", "+447400123456"),
            ("+1 201 555 0123", "FR", "+12015550123"),
        ]:
            with self.subTest(number=number, country=country):
                self.assertValid(number, country, e164)

    def test_invalid_for_the_country(self):
        for number, country in [
            ("100 234 567", "PL"),  # no Polish number starts with 10
            ("601 234 5678", "PL"),  # ten digits
            ("020 123 4567", "UA"),  # no area 20
            ("8 012 345 67 89", "RU"),  # no area 012
            ("0100 123456", "DE"),
            ("(123) 555-0123", "US"),  # area codes never start with 1
            ("07400 12345", "GB"),  # a digit short for a mobile
        ]:
            with self.subTest(number=number, country=country):
                status = self.assertInvalid(
                    number, country, contact.INVALID_FOR_COUNTRY
                )
                self.assertIn(number, status.reason)

    def test_reason_names_the_country(self):
        status = check_phone("100 234 567", "PL")
        self.assertEqual(
            status.reason, "100 234 567 is not a valid number in PL (+48)."
        )

    def test_too_short(self):
        for number, country in [
            ("12", "PL"),
            ("06 12 34 56", "FR"),
            ("555-0123", "US"),  # possible locally only: no area code
            ("+7 912 345 67", None),
        ]:
            with self.subTest(number=number, country=country):
                self.assertInvalid(number, country, contact.TOO_SHORT)

    def test_too_long(self):
        self.assertInvalid("6012345678901234567", "PL", contact.TOO_LONG)
        self.assertInvalid("123 456 789 012 345 678", "US", contact.TOO_LONG)

    def test_not_a_number(self):
        for number in ("abc", "n/a", "+", "1"):
            with self.subTest(number=number):
                self.assertInvalid(number, "PL", contact.NOT_A_NUMBER)

    def test_missing(self):
        for number in (None, False, "", "   "):
            with self.subTest(number=number):
                self.assertInvalid(number, "PL", contact.MISSING)

    def test_missing_country(self):
        for country in (None, False, ""):
            with self.subTest(country=country):
                status = self.assertInvalid(
                    "601 234 567", country, contact.MISSING_COUNTRY
                )
                self.assertIn("country", status.reason)

    def test_invalid_country_prefix(self):
        self.assertInvalid("+999 1234 5678", None, contact.INVALID_COUNTRY_CODE)
        self.assertInvalid("+999 1234 5678", "PL", contact.INVALID_COUNTRY_CODE)

    def test_mobile_only_refuses_landlines(self):
        for number, country in [
            ("22 123 45 67", "PL"),
            ("044 123 4567", "UA"),
            ("8 495 123 45 67", "RU"),
            ("030 123456", "DE"),
            ("01 12 34 56 78", "FR"),
            ("020 7946 0018", "GB"),
            ("0800 123 4567", "GB"),  # toll free
        ]:
            with self.subTest(number=number, country=country):
                self.assertInvalid(number, country, contact.NOT_MOBILE, True)

    def test_mobile_only_accepts_mobiles(self):
        for number, country, e164 in [
            ("601 234 567", "PL", "+48601234567"),
            ("050 123 4567", "UA", "+380501234567"),
            ("8 912 345-67-89", "RU", "+79123456789"),
            ("0151 23456789", "DE", "+4915123456789"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("07400 123456", "GB", "+447400123456"),
            # US numbers do not tell mobile from landline: accepted.
            ("(201) 555-0123", "US", "+12015550123"),
        ]:
            with self.subTest(number=number, country=country):
                self.assertValid(number, country, e164, mobile_only=True)

    def test_check_phones_first_usable_wins(self):
        # mobile first
        self.assertEqual(
            check_phones(["601 234 567", "602 345 678"], "PL").address,
            "+48601234567",
        )
        # an unusable mobile falls back on the phone
        self.assertEqual(
            check_phones(["22 123 45 67", "602 345 678"], "PL", True).address,
            "+48602345678",
        )
        self.assertEqual(
            check_phones([False, "602 345 678"], "PL").address, "+48602345678"
        )

    def test_check_phones_explains_with_the_first_number(self):
        status = check_phones(["12", "22 123 45 67"], "PL", mobile_only=True)
        self.assertFalse(status.ok)
        self.assertEqual(status.reason_code, contact.TOO_SHORT)
        self.assertEqual(check_phones([None, ""], "PL").reason_code, contact.MISSING)
        self.assertEqual(check_phones([], "PL").reason_code, contact.MISSING)


@tagged("service_care")
class TestNumberMatching(BaseCase):
    """How a STOP finds the contacts texted at its number."""

    def test_national_digits(self):
        self.assertEqual(contact.national_digits("+48601234567"), "601234567")
        self.assertEqual(contact.national_digits("+380501234567"), "501234567")

    def test_number_read_as_for_sending(self):
        e164 = "+48601234567"
        for numbers, country in (
            (("601 234 567",), "PL"),
            (("0048 601-234-567",), "FR"),
            ((None, "+48 601 234 567"), None),
            (("", "garbage", "601234567"), "PL"),
        ):
            with self.subTest(numbers=numbers, country=country):
                self.assertTrue(contact.is_number_of(e164, numbers, country))
        for numbers, country in (
            (("601 234 567",), "FR"),  # a French number with these digits
            (("601 234 568",), "PL"),
            ((None, ""), "PL"),
        ):
            with self.subTest(numbers=numbers, country=country):
                self.assertFalse(contact.is_number_of(e164, numbers, country))


class TestCheckEmail(BaseCase):
    def test_valid_emails_are_normalized(self):
        for email, normalized in [
            ("jan.kowalski@example.pl", "jan.kowalski@example.pl"),
            ("  Jan.Kowalski@Example.PL ", "jan.kowalski@example.pl"),
            ('"Jan Kowalski" <Jan@Example.com>', "jan@example.com"),
            # as Odoo's email_normalized: the first address of a list
            ("jan@example.com, anna@example.com", "jan@example.com"),
            # non-ASCII local parts are kept as they are (SMTPUTF8)
            ("Żaneta@example.pl", "Żaneta@example.pl"),
        ]:
            with self.subTest(email=email):
                self.assertEqual(
                    check_email(email), ContactStatus(ok=True, address=normalized)
                )

    def test_invalid_emails(self):
        for email in ("jan", "jan@", "@example.com", "jan@gmail", "jan.example.com"):
            with self.subTest(email=email):
                status = check_email(email)
                self.assertFalse(status.ok)
                self.assertFalse(status.address)
                self.assertEqual(status.reason_code, contact.INVALID_EMAIL)
                self.assertTrue(status.reason)

    def test_missing_email(self):
        for email in (None, False, "", "  "):
            with self.subTest(email=email):
                self.assertEqual(check_email(email).reason_code, contact.MISSING)


@tagged("service_care")
class TestContactStatus(BaseCase):
    def test_with_blacklist_keeps_the_address(self):
        status = check_email("jan@example.com").with_blacklist()
        self.assertFalse(status.ok)
        self.assertTrue(status.blacklisted)
        self.assertTrue(status.contact_valid)
        self.assertEqual(status.address, "jan@example.com")
        self.assertEqual(status.reason_code, contact.BLACKLISTED)
        self.assertIn("jan@example.com", status.reason)

    def test_contact_valid(self):
        self.assertTrue(check_phone("601 234 567", "PL").contact_valid)
        self.assertFalse(check_phone("12", "PL").contact_valid)

    def test_frozen(self):
        status = check_email("jan@example.com")
        with self.assertRaises(FrozenInstanceError):
            status.ok = False
