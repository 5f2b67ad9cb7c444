"""Delivery reports from SMS gateways, normalised to one status.

Statuses, in precedence order::

    sent       accepted by the SMSC (Kannel 8, Jasmin ESME_ROK)   intermediate
    buffered   queued in the SMSC, e.g. phone off (Kannel 4,      intermediate
               ENROUTE, ACCEPTD)
    failed     final, with a reason (Kannel 2 and 16, EXPIRED, UNDELIV, ...)
    delivered  final: the handset has the message (Kannel 1, DELIVRD)

Merge rule (:func:`merge`): keep the status of higher precedence. Reports come
out of order (an SMSC "buffered" can arrive after the handset receipt, a
gateway retries a callback), so:

- a final status never goes back to an intermediate one;
- ``delivered`` is never replaced, not even by a later ``failed``;
- ``failed`` followed by ``delivered`` becomes ``delivered``: a delivery
  receipt is proof from the handset, while a failure may come from one route
  or attempt (an expiry upstream, a rejected retry) of a message that another
  attempt delivered. Odoo's ``sms.tracker`` follows the same rule for the
  chatter notification (``sent`` overrides ``exception``, never the reverse).

The rule is a maximum over a total order, so the result does not depend on the
order the reports arrive in. Between two reports of the same status the first
one stays (:func:`merge_reports` keeps the first failure reason).

Parsers raise ``ValueError`` with a readable message on malformed input: the
webhook logs it and still answers the gateway without error.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

SENT = "sent"
BUFFERED = "buffered"
FAILED = "failed"
DELIVERED = "delivered"

STATUSES = (SENT, BUFFERED, FAILED, DELIVERED)  # lowest to highest precedence
FINAL_STATUSES = frozenset({FAILED, DELIVERED})
_RANK = {status: rank for rank, status in enumerate(STATUSES)}

# Normalised status -> sms.sms state (Odoo labels: pending "Sent", sent
# "Delivered", error "Error").
ODOO_SMS_STATE = {
    SENT: "pending",
    BUFFERED: "pending",
    FAILED: "error",
    DELIVERED: "sent",
}

# mail.notification failure types Odoo uses for SMS delivery errors.
FAILURE_EXPIRED = "sms_expired"
FAILURE_NOT_DELIVERED = "sms_not_delivered"
FAILURE_REJECTED = "sms_rejected"
FAILURE_INVALID_DESTINATION = "sms_invalid_destination"
FAILURE_UNKNOWN = "unknown"

# SMPP delivery receipt ``stat:`` words -> (status, reason, failure type).
# The buffered aliases (ACKED, BUFFRED, BUFFERD) are the ones Kannel accepts.
SMPP_STATS = {
    "DELIVRD": (DELIVERED, None, None),
    "ACCEPTD": (BUFFERED, None, None),
    "ENROUTE": (BUFFERED, None, None),
    "ACKED": (BUFFERED, None, None),
    "BUFFRED": (BUFFERED, None, None),
    "BUFFERD": (BUFFERED, None, None),
    "EXPIRED": (FAILED, "Expired", FAILURE_EXPIRED),
    "DELETED": (FAILED, "Deleted", FAILURE_NOT_DELIVERED),
    "UNDELIV": (FAILED, "Undeliverable", FAILURE_NOT_DELIVERED),
    "UNKNOWN": (FAILED, "Unknown state", FAILURE_UNKNOWN),
    "REJECTD": (FAILED, "Rejected", FAILURE_REJECTED),
}

# Kannel dlr-url ``%d`` values (gw/dlr.h) -> (status, reason, failure type).
KANNEL_TYPES = {
    1: (DELIVERED, None, None),  # DLR_SUCCESS
    2: (FAILED, "Delivery failure", FAILURE_NOT_DELIVERED),  # DLR_FAIL
    4: (BUFFERED, None, None),  # DLR_BUFFERED
    8: (SENT, None, None),  # DLR_SMSC_SUCCESS
    16: (FAILED, "Rejected by SMSC", FAILURE_REJECTED),  # DLR_SMSC_FAIL
}
# dlr-mask to request every report above.
KANNEL_DLR_MASK_ALL = 1 | 2 | 4 | 8 | 16

JASMIN_LEVELS = (1, 2, 3)

# SMPP command statuses that mean the destination number is wrong.
_INVALID_DESTINATION = {
    "ESME_RINVDSTADR": 0x0B,
    "ESME_RINVDSTTON": 0x50,
    "ESME_RINVDSTNPI": 0x51,
}

_RECEIPT_FIELD = re.compile(
    r"\b(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.IGNORECASE
)
_RECEIPT_TEXT = re.compile(r"\btext:", re.IGNORECASE)
_KANNEL_NACK = re.compile(r"^(0x[0-9a-f]+)(?:/(.*))?$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Report:
    """One delivery report, normalised.

    :param status: ``sent``, ``buffered``, ``failed`` or ``delivered``
    :param reason: readable failure reason, e.g. "Undeliverable (err 001)"
    :param smsc_message_id: the provider's message id when the report carries
        one (``id:`` of an SMPP receipt, Jasmin's ``id``)
    :param error_code: raw provider code: SMPP ``err:``, Jasmin ``ESME_*``
        status, Kannel's NACK command status (``0x0000000b``)
    :param failure_type: for ``failed``, the ``mail.notification``
        failure_type to show in chatter (``sms_expired``, ``sms_rejected``, ...)
    """

    status: str
    reason: str | None = None
    smsc_message_id: str | None = None
    error_code: str | None = None
    failure_type: str | None = None

    @property
    def is_final(self):
        return is_final(self.status)


def _check_status(status):
    if status not in _RANK:
        raise ValueError(
            f"Unknown delivery status {status!r}, expected one of {STATUSES}"
        )
    return status


def is_final(status):
    """Return whether ``status`` is final (``delivered`` or ``failed``)."""
    return _check_status(status) in FINAL_STATUSES


def merge(current, incoming):
    """Return the status after ``incoming`` arrives on a message in ``current``.

    ``current`` may be falsy (no report yet). See the module docstring for the
    rule: the status of higher precedence wins, ``delivered`` above all.
    """
    _check_status(incoming)
    if not current:
        return incoming
    if _RANK[incoming] > _RANK[_check_status(current)]:
        return incoming
    return current


def merge_reports(current, incoming):
    """Like :func:`merge` for :class:`Report`: return the report that wins.

    On equal status the ``current`` report stays, with its reason.
    """
    if current is None:
        return incoming
    if merge(current.status, incoming.status) == current.status:
        return current
    return incoming


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _with_error(reason, error_code):
    """Append a non-zero provider error code to a reason."""
    if reason and error_code and error_code.strip("0"):
        return f"{reason} (err {error_code})"
    return reason


def _receipt_fields(text):
    """Return the lower-cased ``key: value`` fields of an SMPP receipt text.

    Everything from ``text:`` on is the start of the message itself and is not
    searched (a message may well contain "stat:").
    """
    head = _RECEIPT_TEXT.split(text, maxsplit=1)[0]
    fields = {}
    for key, value in _RECEIPT_FIELD.findall(head):
        fields.setdefault(key.lower(), value)
    return fields


def parse_smpp_receipt(text):
    """Parse an SMPP delivery receipt text (SMPP 3.4 appendix B).

    ``id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm
    done date:YYMMDDhhmm stat:DDDDDDD err:E text:...``; only ``stat:`` is
    required, keys are case-insensitive.

    :raises ValueError: empty text, no ``stat:`` or an unknown stat word
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"Empty SMPP delivery receipt: {_short(text)}")
    fields = _receipt_fields(text)
    stat = fields.get("stat", "").upper()
    if not stat:
        raise ValueError(f"SMPP delivery receipt without stat: {_short(text)}")
    if stat not in SMPP_STATS:
        raise ValueError(f"Unknown SMPP receipt stat {stat!r} in {_short(text)}")
    status, reason, failure_type = SMPP_STATS[stat]
    error_code = fields.get("err") or None
    return Report(
        status=status,
        reason=_with_error(reason, error_code),
        smsc_message_id=fields.get("id") or None,
        error_code=error_code,
        failure_type=failure_type,
    )


def _parse_nack(answer, reason, failure_type):
    """Read Kannel's ``NACK/<command status>/<text>`` answer to a rejection."""
    detail = ""
    if answer.upper().startswith("NACK/"):
        detail = answer[len("NACK/") :].strip()
    match = _KANNEL_NACK.match(detail)
    if not match:
        return (f"{reason}: {detail}" if detail else reason), None, failure_type
    error_code, text = match.group(1).lower(), (match.group(2) or "").strip()
    if int(error_code, 16) in _INVALID_DESTINATION.values():
        failure_type = FAILURE_INVALID_DESTINATION
    reason = f"{reason}: {text} ({error_code})" if text else f"{reason} ({error_code})"
    return reason, error_code, failure_type


def parse_kannel(mask, answer=""):
    """Parse a Kannel dlr-url callback: ``%d`` (``mask``) and ``%A`` (``answer``).

    The ``%d`` value decides the status (Kannel derived it already); ``%A``
    adds detail: the SMPP receipt (``stat:``, ``err:``, ``id:``) for types
    1, 2 and 4, or ``NACK/<command status>/<text>`` for type 16.

    :param mask: 1, 2, 4, 8 or 16, as int or string
    :raises ValueError: a type that is not one of those
    """
    if isinstance(mask, bool):
        raise ValueError(f"Kannel DLR type must be an integer, got {mask!r}")
    try:
        dlr_type = int(str(mask).strip())
    except ValueError:
        raise ValueError(
            f"Kannel DLR type must be an integer, got {_short(mask)}"
        ) from None
    if dlr_type not in KANNEL_TYPES:
        raise ValueError(
            f"Unknown Kannel DLR type {dlr_type}, expected one of "
            f"{', '.join(map(str, KANNEL_TYPES))}"
        )
    status, reason, failure_type = KANNEL_TYPES[dlr_type]
    answer = (answer or "").strip()
    if dlr_type == 16:
        reason, error_code, failure_type = _parse_nack(answer, reason, failure_type)
        return Report(status, reason, None, error_code, failure_type)
    if dlr_type == 8 or not answer:
        return Report(status, reason, None, None, failure_type)
    fields = _receipt_fields(answer)
    if "stat" not in fields:
        # Not an SMPP receipt (HTTP or fake SMSC): keep the text as detail.
        if status == FAILED:
            reason = f"{reason}: {answer[:100]}"
        return Report(status, reason, None, None, failure_type)
    error_code = fields.get("err") or None
    stat_status, stat_reason, stat_failure = SMPP_STATS.get(
        fields["stat"].upper(), (None, None, None)
    )
    if stat_status == status:
        reason, failure_type = stat_reason, stat_failure
    return Report(
        status=status,
        reason=_with_error(reason, error_code),
        smsc_message_id=fields.get("id") or None,
        error_code=error_code,
        failure_type=failure_type,
    )


def _field(fields, name):
    value = fields.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip() if value is not None else ""


def parse_jasmin(fields):
    """Parse a Jasmin HTTP DLR callback (GET or POST fields).

    ``message_status`` is an SMPP command status for the SMSC-level report
    (``ESME_ROK`` = accepted, any other ``ESME_*`` = rejected) or a receipt stat
    word for the terminal-level one. ``level`` is the dlr-level requested at
    send time (1 SMSC, 2 terminal, 3 both), so with level 3 both kinds arrive;
    the status word, not the level, tells them apart.

    :raises ValueError: missing ``id``/``message_status``, a level other than
        1, 2, 3, or an unknown status word
    """
    if not isinstance(fields, Mapping):
        raise ValueError(f"Jasmin DLR fields must be a mapping, got {_short(fields)}")
    message_id = _field(fields, "id")
    message_status = _field(fields, "message_status").upper()
    level = _field(fields, "level")
    if not message_id:
        raise ValueError(f"Jasmin DLR without id: {_short(dict(fields))}")
    if not message_status:
        raise ValueError(f"Jasmin DLR without message_status: {_short(dict(fields))}")
    if level not in {str(allowed) for allowed in JASMIN_LEVELS}:
        raise ValueError(f"Jasmin DLR level must be 1, 2 or 3, got {level!r}")
    if message_status == "ESME_ROK":
        return Report(SENT, smsc_message_id=message_id)
    if message_status.startswith("ESME_"):
        failure_type = (
            FAILURE_INVALID_DESTINATION
            if message_status in _INVALID_DESTINATION
            else FAILURE_REJECTED
        )
        return Report(
            FAILED,
            reason=f"Rejected by SMSC ({message_status})",
            smsc_message_id=message_id,
            error_code=message_status,
            failure_type=failure_type,
        )
    if message_status not in SMPP_STATS:
        raise ValueError(f"Unknown Jasmin DLR message_status {message_status!r}")
    status, reason, failure_type = SMPP_STATS[message_status]
    error_code = _field(fields, "err") or None
    return Report(
        status=status,
        reason=_with_error(reason, error_code),
        smsc_message_id=message_id,
        error_code=error_code,
        failure_type=failure_type,
    )
