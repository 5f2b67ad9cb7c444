# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a file of consents exported from the shop's previous system.

A CSV with a header line; columns, in any order and case:

- ``email`` and/or ``phone``: who (at least one);
- ``channel``: ``email`` or ``sms``;
- ``purpose``: ``replenishment``, ``back_in_stock``, ``news`` or empty (every
  kind of marketing);
- ``date``: when the customer answered (``2025-03-14`` or
  ``2025-03-14 10:22:00``, UTC);
- ``source``: where they answered (the previous system's name);
- ``granted`` (optional, yes by default): ``yes``/``no``, ``1``/``0``,
  ``true``/``false``;
- ``wording`` (optional): what they agreed to, word for word.

Each line is read on its own: a bad line is reported with its number, a
reason code and the value at fault (the model words them in the user's
language), and the others are still read. No ORM here.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from .consent import PURPOSES

CHANNELS = ("email", "sms")
REQUIRED_COLUMNS = ("channel", "date", "source")
_TRUE = {"yes", "y", "1", "true", "granted", "opt-in", "subscribed"}
_FALSE = {"no", "n", "0", "false", "withdrawn", "opt-out", "unsubscribed"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
# A spreadsheet of a whole customer base is big, not endless.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    phone: str
    channel: str
    purpose: str | None
    date: datetime
    granted: bool
    source: str
    wording: str


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not the fault of one line):
    ``code`` is ``too_big``, ``not_utf8`` or ``columns``, ``value`` what is
    at fault."""

    def __init__(self, code, value=""):
        super().__init__(code, value)
        self.code = code
        self.value = value


class RowError(ValueError):
    """One line cannot be read: ``code`` says why, ``value`` what is at fault.

    Codes: ``no_contact``, ``channel``, ``purpose``, ``date``, ``future``,
    ``source``, ``granted``.
    """

    def __init__(self, code, value=""):
        super().__init__(code, value)
        self.code = code
        self.value = value


def _date(text):
    text = text.strip().removesuffix("Z")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise RowError("date", text)


def _row(line, record, now):
    email = (record.get("email") or "").strip()
    phone = (record.get("phone") or "").strip()
    if not email and not phone:
        raise RowError("no_contact")
    channel = (record.get("channel") or "").strip().lower()
    if channel not in CHANNELS:
        raise RowError("channel", channel)
    purpose = (record.get("purpose") or "").strip().lower() or None
    if purpose is not None and purpose not in PURPOSES:
        raise RowError("purpose", purpose)
    date = _date(record.get("date") or "")
    if date > now:
        raise RowError("future", str(date))
    source = (record.get("source") or "").strip()
    if not source:
        raise RowError("source")
    granted_text = (record.get("granted") or "yes").strip().lower()
    if granted_text not in _TRUE | _FALSE:
        raise RowError("granted", granted_text)
    return ImportRow(
        line,
        email,
        phone,
        channel,
        purpose,
        date,
        granted_text in _TRUE,
        source,
        (record.get("wording") or "").strip(),
    )


def read(data: bytes, now: datetime):
    """(rows, errors) of a CSV file: ``errors`` are ``(line, RowError)``.

    :raises ImportFileError: not a CSV with the required columns
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_big", f"{MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("not_utf8") from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing or not columns & {"email", "phone"}:
        raise ImportFileError("columns", ", ".join(missing or ["email, phone"]))
    rows, errors = [], []
    for raw in reader:
        line = reader.line_num
        # DictReader puts the cells of a line longer than the header in a
        # list under None: they are not ours to read.
        record = {
            (key or "").strip().lower(): value
            for key, value in raw.items()
            if key is not None
        }
        if not any((value or "").strip() for value in record.values()):
            continue
        try:
            rows.append(_row(line, record, now))
        except RowError as error:
            errors.append((line, error))
    return rows, errors
