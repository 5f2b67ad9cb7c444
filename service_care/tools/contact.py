# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Is this a contact we can send to? Email and phone checks, no ORM.

``check_email`` and ``check_phone`` return a ``ContactStatus``: the normalized
address (lower-case email, E.164 number) when it is usable, otherwise a machine
``reason_code`` and a sentence for the back office. Blacklists live in the database,
so the caller looks the normalized address up and marks the status with
``ContactStatus.with_blacklist()``.

Emails are normalized exactly as Odoo's ``email_normalized`` (and so
``mail.blacklist``) does, so that a lookup by the normalized address matches.
Numbers are parsed with ``phonenumbers`` (with Odoo's metadata patches once
``phone_validation`` is loaded), national numbers in the given country.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from odoo.tools.mail import email_normalize

# Reason codes: stable strings the message log and the reports can group on.
MISSING = "missing"
INVALID_EMAIL = "invalid_email"
NOT_A_NUMBER = "not_a_number"
MISSING_COUNTRY = "missing_country"
INVALID_COUNTRY_CODE = "invalid_country_code"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
INVALID_FOR_COUNTRY = "invalid_for_country"
NOT_MOBILE = "not_mobile"
BLACKLISTED = "blacklisted"

# Number types that cannot receive a text message. FIXED_LINE_OR_MOBILE (the US,
# Canada, ...) and UNKNOWN are given the benefit of the doubt.
NOT_SMS_CAPABLE = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
    }
)

_E164 = phonenumbers.PhoneNumberFormat.E164


@dataclass(frozen=True)
class ContactStatus:
    """Whether a recipient can be sent to on a channel, and why not.

    ``ok``: a valid address that is not blacklisted. ``address``: the normalized
    email or the E.164 number, empty when the contact is invalid (a blacklisted
    contact keeps its address). ``reason_code`` / ``reason``: False when ok.
    """

    ok: bool
    address: str = ""
    blacklisted: bool = False
    reason_code: str | bool = False
    reason: str | bool = False

    @property
    def contact_valid(self) -> bool:
        """The address itself is usable, blacklisted or not (policy's input)."""
        return bool(self.address)

    def with_blacklist(self) -> "ContactStatus":
        """The same contact, found on a blacklist: never sent to."""
        return replace(
            self,
            ok=False,
            blacklisted=True,
            reason_code=BLACKLISTED,
            reason=f"{self.address} is on the blacklist (the customer opted out).",
        )


def _valid(address: str) -> ContactStatus:
    return ContactStatus(ok=True, address=address)


def _invalid(reason_code: str, reason: str) -> ContactStatus:
    return ContactStatus(ok=False, reason_code=reason_code, reason=reason)


def check_email(email: str | None) -> ContactStatus:
    """Normalize an email address (first address of a list, as Odoo does).

    Stricter than Odoo where Odoo lets a typo through: a domain without a dot
    (``jan@gmail``) or nothing before the @ is refused.
    """
    text = (email or "").strip()
    if not text:
        return _invalid(MISSING, "No email address.")
    normalized = email_normalize(text, strict=False)
    if not normalized:
        return _invalid(INVALID_EMAIL, f"{text!r} is not an email address.")
    local, _at, domain = normalized.rpartition("@")
    if not local:
        return _invalid(INVALID_EMAIL, f"{text!r} has nothing before the @.")
    if "." not in domain.strip("."):
        return _invalid(
            INVALID_EMAIL,
            f"The domain of {normalized} has no dot: the address is incomplete.",
        )
    return _valid(normalized)


def _in_region(number: phonenumbers.PhoneNumber) -> str:
    """`` in PL (+48)`` for the country the number was read in, if any."""
    region = phonenumbers.region_code_for_country_code(number.country_code)
    return f" in {region} (+{number.country_code})" if region != "ZZ" else ""


def _parse(text: str, country_code: str | None) -> phonenumbers.PhoneNumber:
    """Parse, reading ``00`` as ``+`` when there is no country to know the IDD."""
    if not country_code and text.startswith("00"):
        text = "+" + text[2:]
    return phonenumbers.parse(text, (country_code or "").upper() or None)


def _parse_failure(
    error: NumberParseException, text: str, country_code: str | None
) -> ContactStatus:
    """Why ``phonenumbers`` could not read the text at all."""
    if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        if not country_code and not text.startswith(("+", "00")):
            return _invalid(
                MISSING_COUNTRY,
                f"{text} has no country: set the customer's country "
                "or write the number with its international prefix (+...).",
            )
        return _invalid(
            INVALID_COUNTRY_CODE, f"{text} does not start with a country prefix."
        )
    if error.error_type in (
        NumberParseException.TOO_SHORT_NSN,
        NumberParseException.TOO_SHORT_AFTER_IDD,
    ):
        return _invalid(TOO_SHORT, f"{text} is too short to be a phone number.")
    if error.error_type == NumberParseException.TOO_LONG:
        return _invalid(TOO_LONG, f"{text} is too long to be a phone number.")
    return _invalid(NOT_A_NUMBER, f"{text!r} is not a phone number.")


def _number_failure(
    parsed: phonenumbers.PhoneNumber, text: str
) -> ContactStatus | None:
    """Why a parsed number is not a valid one, or None when it is valid."""
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        return _invalid(
            INVALID_COUNTRY_CODE,
            f"{text}: +{parsed.country_code} is not a country prefix.",
        )
    if possible in (
        ValidationResult.TOO_SHORT,
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ):
        return _invalid(
            TOO_SHORT, f"{text} is too short for a number{_in_region(parsed)}."
        )
    if possible == ValidationResult.TOO_LONG:
        return _invalid(
            TOO_LONG, f"{text} is too long for a number{_in_region(parsed)}."
        )
    if not phonenumbers.is_valid_number(parsed):
        # INVALID_LENGTH lands here too: a length between two valid ones.
        return _invalid(
            INVALID_FOR_COUNTRY,
            f"{text} is not a valid number{_in_region(parsed) or ' in any country'}.",
        )
    return None


def check_phone(
    number: str | None, country_code: str | None, mobile_only: bool = False
) -> ContactStatus:
    """Validate a phone number and format it as E.164.

    ``country_code`` (ISO 3166 alpha-2) reads national numbers (``601 234 567``);
    numbers written with ``+`` or ``00`` need none and may belong to another
    country. With ``mobile_only`` (SMS), numbers that cannot receive texts
    (landlines, toll-free, premium...) are refused.
    """
    text = (number or "").strip()
    if not text:
        return _invalid(MISSING, "No phone number.")
    try:
        parsed = _parse(text, country_code)
    except NumberParseException as error:
        return _parse_failure(error, text, country_code)
    failure = _number_failure(parsed, text)
    if failure:
        return failure
    if mobile_only and phonenumbers.number_type(parsed) in NOT_SMS_CAPABLE:
        return _invalid(
            NOT_MOBILE,
            f"{text} is not a mobile number: it cannot receive text messages.",
        )
    return _valid(phonenumbers.format_number(parsed, _E164))


def check_phones(
    numbers: Iterable[str | None], country_code: str | None, mobile_only: bool = False
) -> ContactStatus:
    """The first usable number of several (mobile first, then phone).

    When none is usable, the status of the first number given explains why;
    when none is given at all, the contact is missing.
    """
    first = None
    for number in numbers:
        if not (number or "").strip():
            continue
        status = check_phone(number, country_code, mobile_only=mobile_only)
        if status.ok:
            return status
        first = first or status
    return first or _invalid(MISSING, "No phone number.")


def national_digits(e164: str) -> str:
    """The digits of an E.164 number without its country code.

    What a number typed in any format on a contact (``601 234 567``,
    ``+48 601-234-567``, ``0048601234567``) contains, to find the candidates
    whose numbers then go through ``check_phone``.
    """
    return str(phonenumbers.parse(e164, None).national_number)


def is_number_of(e164: str, numbers: Iterable[str | None], country_code: str | None):
    """Whether one of ``numbers``, read as for sending, is ``e164``."""
    return any(
        check_phone(number, country_code).address == e164
        for number in numbers
        if (number or "").strip()
    )
