# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which marketing a customer agreed to, read from their consent log.

A consent row is for a channel and either one purpose or, with no purpose,
every marketing purpose of the channel. For a purpose, the later of the
channel's latest general row and the purpose's latest row decides: "stop
everything" after "yes to reminders" stops the reminders, "yes to reminders"
after "stop everything" allows them again. A row waiting for its double
opt-in confirmation counts for nothing yet. No ORM here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

# Marketing purposes a customer can choose one by one. Order updates are
# transactional: they need no consent and cannot be turned off.
PURPOSES = ("replenishment", "back_in_stock", "news")
PURPOSE_SELECTION = [
    ("replenishment", "Replenishment reminders"),
    ("back_in_stock", "Back in stock"),
    ("news", "News and digests"),
]
# A message with no purpose of its own (sent by hand, say) is "news".
DEFAULT_PURPOSE = "news"
# A consent given online, where the shop may ask for a confirmation.
ONLINE_SOURCES = frozenset({"checkout", "portal", "website"})


@dataclass(frozen=True)
class Row:
    """One consent row as far as deciding goes."""

    channel: str
    purpose: str | None
    granted: bool
    date: datetime
    id: int


def latest_rows(rows: Iterable[Row]) -> dict[tuple[str, str | None], Row]:
    """The latest row per (channel, purpose or None); later date, then id, wins."""
    latest: dict[tuple[str, str | None], Row] = {}
    for row in rows:
        key = (row.channel, row.purpose or None)
        known = latest.get(key)
        if known is None or (row.date, row.id) > (known.date, known.id):
            latest[key] = row
    return latest


def decide(
    latest: Mapping[tuple[str, str | None], Row], channel: str, purpose: str
) -> bool | None:
    """True (agreed), False (said no) or None (never said) for one purpose."""
    candidates = [
        row
        for row in (latest.get((channel, None)), latest.get((channel, purpose)))
        if row is not None
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda row: (row.date, row.id)).granted


def any_purpose(latest: Mapping[tuple[str, str | None], Row], channel: str) -> bool:
    """Whether some marketing on ``channel`` may be sent with consent."""
    return any(decide(latest, channel, purpose) for purpose in PURPOSES)


def allowed(
    said: bool | None, purpose: str, soft_opt_in_purposes: Iterable[str]
) -> bool:
    """May marketing for ``purpose`` go out, given what the customer said?

    Soft opt-in (EU ePrivacy Directive art. 13(2)): a recent buyer who never
    said no may be told about products like those they bought; the caller
    passes the purposes it covers for this customer (none when off or not a
    recent buyer). A "no" always wins.
    """
    if said is None:
        return purpose in soft_opt_in_purposes
    return said
