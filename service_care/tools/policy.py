"""Send policy: send a message now, defer it until a moment, or skip it.

Functional core of the send pipeline: no ORM here. Every datetime taken or returned
is naive UTC, as Odoo stores datetimes; the hours of a ``SendWindow`` are wall-clock
times in the recipient's time zone. Where local time is skipped (spring forward) it
resolves to the first instant after the gap; where it repeats (fall back) it resolves
to its first occurrence.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

import pytz

TRANSACTIONAL = "transactional"
MARKETING = "marketing"
KINDS = frozenset({TRANSACTIONAL, MARKETING})
CHANNELS = frozenset({"email", "sms"})

SEND = "send"
DEFER = "defer"
SKIP = "skip"

ALL_WEEKDAYS = frozenset(range(7))
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_WEEKDAY_NAMES = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

# Weekdays as Odoo selection fields store them, Monday ("0") first.
WEEKDAY_SELECTION = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]

_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class SendWindow:
    """Local hours [start, end) on allowed weekdays; end <= start crosses midnight.

    ``weekdays`` (Monday=0) are the days on which the window *opens*: a 22:00-02:00
    window opened on Friday stays open until Saturday 02:00. ``start == end`` is a
    window open for 24 hours.
    """

    start: time = time(9, 0)
    end: time = time(21, 0)
    weekdays: frozenset[int] = ALL_WEEKDAYS

    def __post_init__(self) -> None:
        """Validate the hours and freeze the weekdays."""
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"Send window {name} must be a naive time: {value!r}")
        weekdays = frozenset(self.weekdays)
        if not weekdays:
            raise ValueError("A send window needs at least one weekday.")
        if not weekdays <= ALL_WEEKDAYS:
            raise ValueError(
                f"Weekdays go from 0 (Monday) to 6 (Sunday), got {set(weekdays)}."
            )
        object.__setattr__(self, "weekdays", weekdays)

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window closes on the day after it opens."""
        return self.end <= self.start


def _default_caps() -> dict[str, timedelta]:
    """Default marketing caps: one email per 16 hours, one SMS per 24 hours."""
    return {"email": timedelta(hours=16), "sms": timedelta(hours=24)}


@dataclass(frozen=True)
class Policy:
    """Default send window, per-country windows and per-channel marketing caps."""

    window: SendWindow = SendWindow()
    country_windows: Mapping[str, SendWindow] = field(default_factory=dict)
    caps: Mapping[str, timedelta] = field(default_factory=_default_caps)

    def __post_init__(self) -> None:
        """Validate and freeze the mappings; country codes are upper-cased."""
        countries = {}
        for code, window in self.country_windows.items():
            if not isinstance(window, SendWindow):
                raise ValueError(f"Window for country {code!r} is not a SendWindow.")
            countries[code.strip().upper()] = window
        for channel, cap in self.caps.items():
            if not isinstance(cap, timedelta) or cap <= timedelta(0):
                raise ValueError(f"Cap for {channel!r} must be a positive timedelta.")
        object.__setattr__(self, "country_windows", MappingProxyType(countries))
        object.__setattr__(self, "caps", MappingProxyType(dict(self.caps)))

    def window_for(self, country: str | None) -> SendWindow:
        """Send window for a country code, falling back to the default window."""
        return self.country_windows.get((country or "").strip().upper(), self.window)

    def cap_for(self, channel: str) -> timedelta | None:
        """Minimum time between two marketing messages on a channel, if capped."""
        return self.caps.get(channel)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Decision:
    """Outcome of the policy: ``action`` send/defer/skip, ``at`` (UTC) for defer."""

    action: str
    at: datetime | None = None
    reason: str = ""
    message: str = ""

    @classmethod
    def send(cls, message: str = "") -> "Decision":
        """Send now."""
        return cls(SEND, None, "", message)

    @classmethod
    def defer(cls, at: datetime, reason: str, message: str) -> "Decision":
        """Send later, at ``at`` (naive UTC)."""
        return cls(DEFER, at, reason, message)

    @classmethod
    def skip(cls, reason: str, message: str) -> "Decision":
        """Do not send; ``reason`` is a machine code, ``message`` a sentence."""
        return cls(SKIP, None, reason, message)


# --- parsing settings -------------------------------------------------------------


def _parse_clock(text: str, *, allow_24: bool = False) -> time:
    """Parse ``HH:MM`` (``24:00`` only when allowed, meaning midnight)."""
    match = _CLOCK_RE.match(text.strip())
    if not match:
        raise ValueError(f"Invalid time {text.strip()!r}: expected HH:MM, e.g. 08:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if allow_24 and (hour, minute) == (24, 0):
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"Invalid time {text.strip()!r}: out of range 00:00-23:59.")
    return time(hour, minute)


def parse_hours(text: str) -> tuple[time, time]:
    """Parse ``"08:00-22:00"`` into (start, end); ``24:00`` is accepted as an end."""
    parts = (text or "").split("-")
    if len(parts) != 2:
        raise ValueError(
            f"Invalid send hours {text!r}: expected HH:MM-HH:MM, e.g. 08:00-22:00."
        )
    return _parse_clock(parts[0]), _parse_clock(parts[1], allow_24=True)


def _parse_weekday(token: str) -> int:
    """Parse one weekday: ``0``-``6`` (Monday=0), ``mon`` or ``monday``."""
    name = token.strip().lower()
    if name.isdigit() and int(name) < 7:
        return int(name)
    for names in (WEEKDAY_NAMES, FULL_WEEKDAY_NAMES):
        if name in names:
            return names.index(name)
    raise ValueError(
        f"Invalid weekday {token.strip()!r}: use mon..sun or 0..6 (Monday=0)."
    )


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse ``"mon-fri, sun"`` or ``"0,1,2"`` into weekday numbers (Monday=0)."""
    tokens = [t for t in re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", text or "")) if t]
    if not tokens:
        raise ValueError("No weekday given: use e.g. mon-sat or 0,1,2,3,4,5.")
    days = set()
    for token in tokens:
        bounds = token.split("-")
        if len(bounds) > 2 or not all(bounds):
            raise ValueError(f"Invalid weekday range {token!r}: use e.g. mon-fri.")
        first, last = _parse_weekday(bounds[0]), _parse_weekday(bounds[-1])
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    return frozenset(days)


def parse_window(hours: str, weekdays: str | Iterable[int] | None = None) -> SendWindow:
    """Build a SendWindow from settings: ``"08:00-22:00"`` and ``"mon-sat"``."""
    start, end = parse_hours(hours)
    if weekdays is None:
        days = ALL_WEEKDAYS
    elif isinstance(weekdays, str):
        days = parse_weekdays(weekdays)
    else:
        days = frozenset(weekdays)
    return SendWindow(start, end, days)


def float_to_time(hours: float) -> time:
    """Wall-clock time of an Odoo ``float_time`` value; 24:00 is midnight."""
    minutes = round(hours * 60)
    return time(minutes // 60 % 24, minutes % 60)


def time_to_float(value: time, is_end: bool = False) -> float:
    """Odoo ``float_time`` value of a wall-clock time; an end at 00:00 is 24.0."""
    hours = value.hour + value.minute / 60
    return 24.0 if is_end and not hours else hours


def parse_country_windows(text: str) -> dict[str, SendWindow]:
    """``{country code: SendWindow}`` of lines like ``FR 08:00-22:00 mon-sat``.

    The format of the former "Send Hours per Country" text setting, read
    once when a database is upgraded to send windows as records. Empty lines
    and text after ``#`` are ignored; a ValueError names the line at fault.
    """
    windows = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        content = re.sub(r"\s*-\s*", "-", line.split("#", 1)[0]).strip()
        if not content:
            continue
        parts = content.split(None, 2)
        try:
            if len(parts) < 2 or not re.fullmatch(r"[A-Za-z]{2}", parts[0]):
                raise ValueError(
                    "expected a country code, hours and optionally weekdays, "
                    "e.g. FR 08:00-22:00 mon-sat."
                )
            code = parts[0].upper()
            if code in windows:
                raise ValueError(f"{code} already has send hours on a line above.")
            windows[code] = parse_window(parts[1], parts[2] if parts[2:] else None)
        except ValueError as error:
            raise ValueError(f"line {number} ({line.strip()}): {error}") from None
    return windows


# --- time zones ---------------------------------------------------------------------


def get_zone(tz: str) -> pytz.BaseTzInfo:
    """Time zone for a name such as ``Europe/Warsaw``; ValueError if unknown."""
    if not tz or not isinstance(tz, str):
        raise ValueError(f"A time zone name is required, got {tz!r}.")
    try:
        return pytz.timezone(tz)
    except pytz.UnknownTimeZoneError:
        raise ValueError(f"Unknown time zone {tz!r}.") from None


def _check_naive(value: datetime, what: str) -> None:
    """Reject anything that is not a naive datetime (naive UTC is expected)."""
    if not isinstance(value, datetime) or value.tzinfo is not None:
        raise ValueError(f"{what} must be a naive UTC datetime, got {value!r}.")


def _to_local(utc: datetime, zone: pytz.BaseTzInfo) -> datetime:
    """Naive local wall-clock time of a naive UTC instant."""
    return pytz.utc.localize(utc).astimezone(zone).replace(tzinfo=None)


def _to_utc(aware: datetime) -> datetime:
    """Naive UTC of an aware datetime."""
    return aware.astimezone(pytz.utc).replace(tzinfo=None)


def _both_offsets(local: datetime, zone: pytz.BaseTzInfo) -> list[datetime]:
    """UTC instants for ``local`` read with the DST and the standard offset, sorted."""
    return sorted(_to_utc(zone.localize(local, is_dst=flag)) for flag in (True, False))


def _first_instant_after_gap(local: datetime, zone: pytz.BaseTzInfo) -> datetime:
    """First UTC instant whose local time is past the skipped ``local``."""
    low, high = _both_offsets(local, zone)
    while high - low > _ONE_SECOND:  # local(low) < local < local(high)
        middle = low + (high - low) // 2
        if _to_local(middle, zone) < local:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)  # transitions fall on whole seconds


def _local_to_utc(local: datetime, zone: pytz.BaseTzInfo) -> datetime:
    """Naive UTC of a naive local time: gap → after the gap, repeat → first one."""
    try:
        return _to_utc(zone.localize(local, is_dst=None))
    except pytz.AmbiguousTimeError:
        return _both_offsets(local, zone)[0]
    except pytz.NonExistentTimeError:
        return _first_instant_after_gap(local, zone)


def local_to_utc(local: datetime, tz: str) -> datetime:
    """Naive UTC of a naive local time in ``tz`` (DST gaps and repeats resolved)."""
    _check_naive(local, "local")
    return _local_to_utc(local, get_zone(tz))


# --- send windows -------------------------------------------------------------------


def _opening_interval(
    day: date, zone: pytz.BaseTzInfo, window: SendWindow
) -> tuple[datetime, datetime]:
    """UTC [open, close) of the window opening on local ``day``."""
    end_day = day + timedelta(days=1) if window.crosses_midnight else day
    return (
        _local_to_utc(datetime.combine(day, window.start), zone),
        _local_to_utc(datetime.combine(end_day, window.end), zone),
    )


def _intervals(
    now_utc: datetime, zone: pytz.BaseTzInfo, window: SendWindow, days: range
) -> Iterable[tuple[datetime, datetime]]:
    """Non-empty UTC intervals of the window opening ``days`` from today (local)."""
    today = _to_local(now_utc, zone).date()
    for offset in days:
        day = today + timedelta(days=offset)
        if day.weekday() in window.weekdays:
            opening, closing = _opening_interval(day, zone, window)
            if opening < closing:
                yield opening, closing


def _in_window(now_utc: datetime, zone: pytz.BaseTzInfo, window: SendWindow) -> bool:
    """Whether ``now_utc`` falls inside one of the window's intervals."""
    intervals = _intervals(now_utc, zone, window, range(-2, 1))
    return any(opening <= now_utc < closing for opening, closing in intervals)


def _next_opening(
    now_utc: datetime, zone: pytz.BaseTzInfo, window: SendWindow
) -> datetime:
    """``now_utc`` if the window is open, else the next moment it opens."""
    if _in_window(now_utc, zone, window):
        return now_utc
    intervals = _intervals(now_utc, zone, window, range(-1, 15))
    return min(opening for opening, _closing in intervals if opening > now_utc)


def in_window(now_utc: datetime, tz: str, window: SendWindow) -> bool:
    """Whether the recipient's send window is open at ``now_utc`` (naive UTC)."""
    _check_naive(now_utc, "now_utc")
    return _in_window(now_utc, get_zone(tz), window)


def next_window_opening(now_utc: datetime, tz: str, window: SendWindow) -> datetime:
    """Earliest instant at or after ``now_utc`` (naive UTC) when the window is open."""
    _check_naive(now_utc, "now_utc")
    return _next_opening(now_utc, get_zone(tz), window)


# --- frequency caps -----------------------------------------------------------------


def _clear_of_cap(
    at: datetime, sends: list[datetime], cap: timedelta | None
) -> datetime:
    """Earliest instant >= ``at`` at least ``cap`` away from every send."""
    while cap:
        blocking = [sent for sent in sends if abs(at - sent) < cap]
        if not blocking:
            break
        at = max(blocking) + cap
    return at


def _earliest_slot(
    now: datetime,
    zone: pytz.BaseTzInfo,
    window: SendWindow,
    sends: list[datetime],
    cap: timedelta | None,
) -> datetime:
    """Earliest instant >= ``now`` inside the window and clear of the cap."""
    at = now
    while True:
        at = _next_opening(at, zone, window)
        cleared = _clear_of_cap(at, sends, cap)
        if cleared == at:
            return at
        at = cleared


# --- decision -----------------------------------------------------------------------


def _check_choice(value: str, choices: frozenset[str], what: str) -> None:
    """Raise a ValueError naming the valid choices when ``value`` is not one."""
    if value not in choices:
        raise ValueError(
            f"Unknown {what} {value!r}: expected one of {sorted(choices)}."
        )


def decide(  # noqa: PLR0917 - the pipeline's agreed call signature
    kind: str,
    channel: str,
    now: datetime,
    tz: str,
    country: str | None,
    recent_sends: Iterable[datetime],
    *,
    has_consent: bool,
    contact_valid: bool,
    blacklisted: bool,
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide whether a message is sent now, deferred, or skipped (and why).

    ``recent_sends`` are the naive UTC times of the recipient's marketing messages on
    this ``channel``, sent or already queued (later queued ones count too).
    """
    _check_choice(kind, KINDS, "message kind")
    _check_choice(channel, CHANNELS, "channel")
    _check_naive(now, "now")
    zone = get_zone(tz)
    if blacklisted:
        return Decision.skip(
            "blacklisted", f"The recipient's {channel} is blacklisted."
        )
    if not contact_valid:
        return Decision.skip(
            "invalid_contact", f"The recipient's {channel} is invalid."
        )
    if kind == TRANSACTIONAL:
        return Decision.send(
            "Transactional message: sent regardless of hours and caps."
        )
    if not has_consent:
        return Decision.skip(
            "no_consent", f"The recipient has not agreed to marketing by {channel}."
        )
    return _decide_marketing(
        channel, now, zone, country=country, recent_sends=recent_sends, policy=policy
    )


def _decide_marketing(
    channel: str,
    now: datetime,
    zone: pytz.BaseTzInfo,
    *,
    country: str | None,
    recent_sends: Iterable[datetime],
    policy: Policy,
) -> Decision:
    """Send, or defer a consented marketing message past quiet hours and the cap."""
    sends = list(recent_sends)
    for sent in sends:
        _check_naive(sent, "recent_sends item")
    window, cap = policy.window_for(country), policy.cap_for(channel)
    at = _earliest_slot(now, zone, window, sends, cap)
    if at == now:
        return Decision.send("Inside the send window and under the frequency cap.")
    if _clear_of_cap(now, sends, cap) != now:
        return Decision.defer(
            at,
            "frequency_cap",
            f"Another marketing {channel} was sent less than {cap} ago.",
        )
    return Decision.defer(
        at,
        "quiet_hours",
        f"Outside the recipient's send window {window.start:%H:%M}-"
        f"{window.end:%H:%M} ({zone.zone}).",
    )
