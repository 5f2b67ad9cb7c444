# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Adapters for the shop's own SMS gateways: Kannel and Jasmin over HTTP.

Plain classes, like ``addons/sms/tools/sms_api.py``: no ORM. A gateway record
builds one with :func:`make_adapter` and hands it one :class:`OutgoingSms` at a
time; the adapter answers with a :class:`SubmitResult` whose ``outcome`` tells
the caller what to do with the SMS:

``accepted``   the gateway took it: wait for its delivery reports;
``retry``      the gateway is down or busy (connection refused, HTTP 5xx):
               nothing went out, keep the SMS queued and try again later;
``rejected``   the gateway refused it (HTTP 4xx): it will never go out as is,
               fail it with the reason;
``uncertain``  the gateway took the request but never answered (read timeout):
               it may have gone out, so it is not retried (never twice) but
               failed with a reason that says so.

Building a request and reading the answer are pure (``build_submit`` and
``parse_submit``); only ``submit`` does HTTP. Delivery reports and inbound
(MO) messages are read from the callback's fields by ``parse_report`` and
``parse_inbound``; ``report_ack`` / ``inbound_ack`` are the bodies to answer.
"""

import re
import string
from dataclasses import dataclass, field
from datetime import timedelta

import requests
import urllib3

from . import delivery_reports, sms_text

ACCEPTED = "accepted"
RETRY = "retry"
REJECTED = "rejected"
UNCERTAIN = "uncertain"

# sms.sms / mail.notification failure types of refused submissions.
FAILURE_ACCOUNT = "sms_acc"
FAILURE_NUMBER_FORMAT = "sms_number_format"
FAILURE_SERVER = "sms_server"
FAILURE_UNKNOWN = "unknown"

DEFAULT_TIMEOUT = 10  # seconds
_BODY_LIMIT = 200  # characters of a gateway answer kept in a reason

# Back-off between two attempts while a gateway is down: 1, 2, 4 ... minutes,
# then once an hour, for ever (a queued SMS is never dropped).
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)

# Inbound keywords (the whole message, or its first word; any case).
OPT_OUT_KEYWORDS = frozenset({"stop", "стоп", "stopall", "unsubscribe", "quit"})
OPT_IN_KEYWORDS = frozenset({"start", "старт", "unstop"})
# A double opt-in confirmation: yes (en), да (ru), tak (pl), так (uk).
CONFIRM_KEYWORDS = frozenset({"yes", "да", "tak", "так"})
OPT_OUT = "stop"
OPT_IN = "start"
CONFIRM = "yes"

# Sender ids: an alphanumeric name (GSM characters, at most 11) or a number.
SENDER_NAME_MAX = 11
_SENDER_NAME_CHARS = frozenset(string.ascii_letters + string.digits + " .-_&")
_SENDER_NUMBER = re.compile(r"^\+?\d{3,15}$")
_PUNCTUATION = string.punctuation + "«»“”„…!¡¿"


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS to submit: ``number`` in E.164, ``dlr_url`` where reports go."""

    uuid: str
    number: str
    text: str
    sender: str = ""
    dlr_url: str = ""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitResult:
    """What became of one submission (see the module docstring for outcomes).

    :param reason: readable, for staff: why it was refused or is retried
    :param failure_type: for ``rejected`` / ``uncertain``, the sms.sms
        failure_type (``sms_acc``, ``sms_number_format``, ``sms_server``...)
    :param provider_id: the gateway's own message id, when it gives one
    """

    outcome: str
    reason: str = ""
    failure_type: str | None = None
    provider_id: str | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class InboundSms:
    """A mobile-originated message: ``sender`` is the customer's number."""

    sender: str
    recipient: str
    text: str
    provider_id: str | None = None

    @property
    def keyword(self):
        return inbound_keyword(self.text)


def inbound_keyword(text):
    """Return ``"stop"``, ``"start"``, ``"yes"`` or None for an inbound text.

    The first word decides, in any case and without surrounding punctuation:
    "Stop.", "стоп", "UNSUBSCRIBE me" opt out; "Start" opts back in; "Yes!",
    "так" confirm a consent given on the website (double opt-in).
    """
    words = (text or "").split()
    if not words:
        return None
    word = words[0].strip(_PUNCTUATION).casefold()
    if word in OPT_OUT_KEYWORDS:
        return OPT_OUT
    if word in OPT_IN_KEYWORDS:
        return OPT_IN
    if word in CONFIRM_KEYWORDS:
        return CONFIRM
    return None


def sender_problem(sender):
    """Return why ``sender`` cannot be an SMS sender id, or None if it can.

    A sender id is either a name of at most 11 GSM characters (letters,
    digits, space and ``.-_&``, with at least one letter) or a phone number
    (3 to 15 digits, optionally after ``+``).
    """
    sender = sender or ""
    if _SENDER_NUMBER.match(sender):
        return None
    if not sender.strip():
        return "The sender id is empty."
    if any(char.isdigit() for char in sender) and not any(
        char.isalpha() for char in sender
    ):
        return f"{sender!r} is neither a name nor a phone number of 3 to 15 digits."
    if len(sender) > SENDER_NAME_MAX:
        return (
            f"{sender!r} is {len(sender)} characters long: a sender name has at "
            f"most {SENDER_NAME_MAX}."
        )
    wrong = sorted({char for char in sender if char not in _SENDER_NAME_CHARS})
    if wrong:
        return (
            f"{sender!r} contains {''.join(wrong)!r}: a sender name may only use "
            "Latin letters, digits, spaces and . - _ &."
        )
    return None


def retry_delay(attempts):
    """Wait before the next try after ``attempts`` failed tries (1 or more)."""
    attempts = max(int(attempts), 1)
    if attempts > 7:  # 2**6 minutes is past the cap already
        return RETRY_MAX
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)


def _short(text):
    text = " ".join((text or "").split())
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + "..."


def _field(fields, name):
    value = fields.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "" if value is None else str(value)


class GatewayAdapter:
    """Common HTTP part: one ``requests.Session`` for keep-alive."""

    name = ""
    report_ack = "OK"
    inbound_ack = ""

    def __init__(self, url, username="", password="", timeout=DEFAULT_TIMEOUT):
        self.url = url
        self.username = username or ""
        self.password = password or ""
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._session = None

    # -- to implement -------------------------------------------------

    def build_submit(self, sms):
        """Return the :class:`HttpRequest` that submits ``sms``."""
        raise NotImplementedError

    def parse_submit(self, status_code, body):
        """Return the :class:`SubmitResult` of an HTTP answer."""
        raise NotImplementedError

    def dlr_query(self):
        """Query string to add to the dlr-url (placeholders the gateway fills)."""
        return ""

    def parse_report(self, fields):
        """Return the ``delivery_reports.Report`` of a dlr-url callback.

        :raises ValueError: malformed report (the webhook logs it)
        """
        raise NotImplementedError

    def parse_inbound(self, fields):
        """Return the :class:`InboundSms` of an MO callback.

        :raises ValueError: no sender or no text field
        """
        raise NotImplementedError

    # -- HTTP ---------------------------------------------------------

    @property
    def session(self):
        if self._session is None:
            self._session = requests.Session()
        return self._session

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None

    def submit(self, sms):
        """Submit one SMS; never raises for a network or HTTP problem."""
        request = self.build_submit(sms)
        try:
            response = self.session.request(
                request.method,
                request.url,
                params=request.params if request.method == "GET" else None,
                data=request.params if request.method != "GET" else None,
                timeout=self.timeout,
            )
        except requests.ReadTimeout:
            return SubmitResult(
                UNCERTAIN,
                reason=(
                    f"The gateway did not answer within {self.timeout} s: the SMS "
                    "may have gone out. Check with the gateway before resending."
                ),
                failure_type=FAILURE_SERVER,
            )
        except (requests.ConnectTimeout, requests.exceptions.InvalidURL) as error:
            return SubmitResult(
                RETRY, reason=f"The gateway cannot be reached: {_short(str(error))}"
            )
        except requests.ConnectionError as error:
            if _sent_before_failing(error):
                return SubmitResult(
                    UNCERTAIN,
                    reason=(
                        "The connection broke after the gateway received the SMS: "
                        "it may have gone out. Check with the gateway before "
                        f"resending. ({_short(str(error))})"
                    ),
                    failure_type=FAILURE_SERVER,
                )
            return SubmitResult(
                RETRY, reason=f"The gateway cannot be reached: {_short(str(error))}"
            )
        except requests.RequestException as error:
            return SubmitResult(
                RETRY, reason=f"The gateway cannot be reached: {_short(str(error))}"
            )
        return self.parse_submit(response.status_code, response.text)

    def _http_error(self, status_code, body):
        """The result of an HTTP error answer (4xx refused, 5xx retried)."""
        detail = _short(body) or "no detail"
        if status_code >= 500:
            return SubmitResult(
                RETRY,
                reason=f"The gateway is unavailable (HTTP {status_code}): {detail}",
                http_status=status_code,
            )
        failure_type = FAILURE_UNKNOWN
        if status_code in (401, 403):
            failure_type = FAILURE_ACCOUNT
        elif re.search(r"receiver|destination|\bto\b|number", body or "", re.I):
            failure_type = FAILURE_NUMBER_FORMAT
        return SubmitResult(
            REJECTED,
            reason=f"The gateway refused the SMS (HTTP {status_code}): {detail}",
            failure_type=failure_type,
            http_status=status_code,
        )


class KannelHttp(GatewayAdapter):
    """Kannel's smsbox ``sendsms`` interface (one GET per SMS).

    The text goes UTF-8 encoded with ``coding`` 0 (GSM 7-bit) or 2 (UCS-2),
    as ``sms_text.kannel_params`` decides; every delivery report type is asked
    for (``dlr-mask`` 31) and comes back to the dlr-url with ``%d`` (type) and
    ``%A`` (the SMSC's answer, e.g. the SMPP receipt).
    """

    name = "kannel"
    report_ack = "OK"
    inbound_ack = ""  # an empty answer: Kannel (omit-empty) sends no reply

    def build_submit(self, sms):
        params = {
            "username": self.username,
            "password": self.password,
            "to": sms.number,
            "text": sms.text,
            **sms_text.kannel_params(sms.text),
        }
        if sms.sender:
            params["from"] = sms.sender
        if sms.dlr_url:
            params["dlr-mask"] = str(delivery_reports.KANNEL_DLR_MASK_ALL)
            params["dlr-url"] = sms.dlr_url
        return HttpRequest("GET", self.url, params)

    def parse_submit(self, status_code, body):
        """``202 0: Accepted for delivery`` / ``3: Queued for later delivery``."""
        if 200 <= status_code < 300:
            return SubmitResult(ACCEPTED, reason=_short(body), http_status=status_code)
        return self._http_error(status_code, body)

    def dlr_query(self):
        return "type=%d&answer=%A"

    def parse_report(self, fields):
        return delivery_reports.parse_kannel(
            _field(fields, "type"), _field(fields, "answer")
        )

    def parse_inbound(self, fields):
        """Fields of the sms-service get-url ``from=%p&to=%P&text=%a&id=%I``."""
        sender, text = _field(fields, "from").strip(), _field(fields, "text")
        if not sender:
            raise ValueError("Kannel MO without sender (from)")
        return InboundSms(
            sender=sender,
            recipient=_field(fields, "to").strip(),
            text=text,
            provider_id=_field(fields, "id").strip() or None,
        )


class JasminHttp(GatewayAdapter):
    """Jasmin's HTTP API ``/send`` (one POST per SMS).

    GSM-7 texts go as ``content`` with ``coding`` 0 (Jasmin converts UTF-8 to
    GSM 03.38); UCS-2 texts go as ``hex-content`` (UTF-16BE) with ``coding``
    8. Both levels of delivery report are asked for (``dlr-level`` 3), posted
    to the dlr-url. Jasmin answers ``Success "<message id>"``.
    """

    name = "jasmin"
    report_ack = "ACK/Jasmin"
    inbound_ack = "ACK/Jasmin"
    _SUCCESS = re.compile(r'^\s*Success\s+"([^"]*)"', re.I)

    def build_submit(self, sms):
        params = {
            "username": self.username,
            "password": self.password,
            "to": sms.number,
        }
        if sms_text.get_encoding(sms.text) == sms_text.UCS2:
            params["coding"] = "8"
            params["hex-content"] = sms.text.encode("utf-16-be").hex()
        else:
            params["coding"] = "0"
            params["content"] = sms.text
        if sms.sender:
            params["from"] = sms.sender
        if sms.dlr_url:
            params.update(
                {
                    "dlr": "yes",
                    "dlr-url": sms.dlr_url,
                    "dlr-level": "3",
                    "dlr-method": "POST",
                }
            )
        return HttpRequest("POST", self.url, params)

    def parse_submit(self, status_code, body):
        if 200 <= status_code < 300:
            match = self._SUCCESS.match(body or "")
            if not match:
                return SubmitResult(
                    UNCERTAIN,
                    reason=f"Unexpected answer from Jasmin: {_short(body)}",
                    failure_type=FAILURE_SERVER,
                    http_status=status_code,
                )
            return SubmitResult(
                ACCEPTED, provider_id=match.group(1) or None, http_status=status_code
            )
        return self._http_error(status_code, body)

    def parse_report(self, fields):
        return delivery_reports.parse_jasmin(
            {key: _field(fields, key) for key in fields}
        )

    def parse_inbound(self, fields):
        """Jasmin's MO fields: ``from``, ``to``, ``content``/``binary``, ``coding``."""
        sender = _field(fields, "from").strip()
        if not sender:
            raise ValueError("Jasmin MO without sender (from)")
        coding = _field(fields, "coding").strip()
        binary = _field(fields, "binary").strip()
        if coding == "8" and binary:
            try:
                text = bytes.fromhex(binary).decode("utf-16-be", "replace")
            except ValueError as error:
                raise ValueError(f"Jasmin MO with bad binary: {error}") from None
        else:
            text = _field(fields, "content")
        return InboundSms(
            sender=sender,
            recipient=_field(fields, "to").strip(),
            text=text,
            provider_id=_field(fields, "id").strip() or None,
        )


ADAPTERS = {KannelHttp.name: KannelHttp, JasminHttp.name: JasminHttp}


def make_adapter(provider, url, username="", password="", timeout=DEFAULT_TIMEOUT):
    """Return the adapter of ``provider`` (``"kannel"`` or ``"jasmin"``)."""
    try:
        adapter_class = ADAPTERS[provider]
    except KeyError:
        raise ValueError(
            f"Unknown SMS gateway provider {provider!r}, expected one of "
            f"{', '.join(ADAPTERS)}"
        ) from None
    return adapter_class(url, username, password, timeout)


def _sent_before_failing(error):
    """Whether a connection error came after the request was sent.

    Connection refused (the gateway is down) happens before; a dropped
    connection while the answer was awaited (urllib3's ProtocolError, e.g.
    RemoteDisconnected) happens after, when the SMS may already be out.
    """
    cause = error.args[0] if error.args else None
    return isinstance(cause, urllib3.exceptions.ProtocolError)
