"""SMS text arithmetic: encoding, segments and cost, the way an SMSC counts them.

A text is sent as GSM-7 when every character is in the GSM 03.38 default
alphabet or its extension table (the extension characters cost two septets:
ESC + the character), otherwise the whole text is sent as UCS-2, counted in
UTF-16 code units (a character outside the BMP, e.g. an emoji, costs two).

A text that fits one message uses the full single-message size; a longer text
is concatenated and every part loses room to the UDH::

    encoding  single  per part  never split across parts
    gsm7      160     153       an escape pair (ESC + character)
    ucs2      70      67        a surrogate pair

No normalisation is applied: the text is counted as given, so count exactly
what is sent (a decomposed "é", e + U+0301, is not GSM-7; NFC first if needed).
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 default alphabet, in code order 0x00-0x7F without ESC (0x1B).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table: each of these is sent as ESC + character, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SIZES = {
    # encoding: (single message, per part of a concatenated message)
    GSM7: (160, 153),
    UCS2: (70, 67),
}

KANNEL_CODING = {GSM7: "0", UCS2: "2"}

_COST_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class SmsInfo:
    """How an SMSC will count a text.

    :param encoding: ``"gsm7"`` or ``"ucs2"``
    :param length: septets (gsm7) or UTF-16 code units (ucs2)
    :param segments: number of messages billed, 0 for an empty text
    :param per_segment: capacity of one message at this length (160/153, 70/67)
    :param remaining: septets or code units still free in the last message
    """

    encoding: str
    length: int
    segments: int
    per_segment: int
    remaining: int


def is_gsm7(text):
    """Return whether ``text`` can be sent in the GSM-7 alphabet."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def get_encoding(text):
    """Return ``"gsm7"`` or ``"ucs2"``, the encoding ``text`` will be sent in."""
    return GSM7 if is_gsm7(text) else UCS2


def _char_cost(char, encoding):
    """Septets (gsm7) or UTF-16 code units (ucs2) taken by one code point."""
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _split(text, encoding):
    """Split ``text`` into its parts, as (part, used units) pairs.

    A character is never cut: Python strings iterate by code point, so an
    escape pair (gsm7) or a surrogate pair (ucs2) moves whole to the next part
    when it does not fit in the current one.
    """
    costs = [_char_cost(char, encoding) for char in text]
    total = sum(costs)
    single, per_part = SIZES[encoding]
    if not total:
        return []
    if total <= single:
        return [(text, total)]
    parts = []
    start = used = 0
    for index, char_cost in enumerate(costs):
        if used + char_cost > per_part:
            parts.append((text[start:index], used))
            start, used = index, 0
        used += char_cost
    parts.append((text[start:], used))
    return parts


def sms_info(text):
    """Return the :class:`SmsInfo` of ``text`` (``None`` counts as empty)."""
    text = text or ""
    encoding = get_encoding(text)
    parts = _split(text, encoding)
    single, per_part = SIZES[encoding]
    per_segment = per_part if len(parts) > 1 else single
    used = parts[-1][1] if parts else 0
    return SmsInfo(
        encoding=encoding,
        length=sum(_char_cost(char, encoding) for char in text),
        segments=len(parts),
        per_segment=per_segment,
        remaining=per_segment - used,
    )


def split_segments(text):
    """Return the parts ``text`` is sent in (``[]`` for an empty text)."""
    text = text or ""
    return [part for part, _used in _split(text, get_encoding(text))]


def _to_decimal(value):
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"Price per segment must be a number, got {value!r}")
    try:
        # str() first: Decimal(0.1) would carry the binary float error.
        price = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError as error:
        raise ValueError(f"Price per segment is not a number: {value!r}") from error
    if not price.is_finite() or price < 0:
        raise ValueError(f"Price per segment must be finite and >= 0, got {value!r}")
    return price


def cost(text, price_per_segment):
    """Return the price of sending ``text`` once, as a Decimal with 4 places.

    :param price_per_segment: int, float, Decimal or numeric string; floats go
        through ``str()`` so ``0.1`` means ``Decimal("0.1")``
    :raises ValueError: for a negative, non-finite or non-numeric price
    """
    price = _to_decimal(price_per_segment)
    total = price * sms_info(text).segments
    return total.quantize(_COST_QUANTUM, rounding=ROUND_HALF_UP)


def kannel_params(text):
    """Return the sendsms parameters that tell Kannel how to encode ``text``.

    The text itself is always passed UTF-8 encoded in the query string, hence
    ``charset=UTF-8`` in both cases (Kannel's default for ``coding=2`` would be
    UTF-16BE); ``coding`` is 0 (GSM 7-bit) or 2 (UCS-2).
    """
    return {"coding": KANNEL_CODING[get_encoding(text or "")], "charset": "UTF-8"}


def with_opt_out(text, opt_out):
    """``text`` followed by the opt-out sentence, unless it already says how
    to stop (the word STOP, in any case): a marketing SMS always tells the
    customer how to stop them."""
    if re.search(r"\bstop\b", text or "", re.IGNORECASE):
        return text
    return f"{(text or '').rstrip()} {opt_out}".strip()
