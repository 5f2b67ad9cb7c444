# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Back-in-stock waitlists: who is told in a restock round, and how a line ends.

Plain data in, plain data out: the ``service.care.waitlist`` model reads the
lines and the stock, these functions decide.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

PURCHASED = "purchased"
OUT_AGAIN = "out_again"


@dataclass(frozen=True)
class Entry:
    """A customer waiting for a variant.

    ``stock_key`` names the stock the variant is sold from (variant and
    website), ``customer_key`` who gets one message per round (customer and
    website), ``since`` when they joined the queue.
    """

    id: int
    stock_key: Hashable
    customer_key: Hashable
    since: datetime


def is_available(free_qty: float, min_free_qty: float) -> bool:
    """Whether a variant counts as back: at least ``min_free_qty`` (>= 1) free."""
    return free_qty >= max(min_free_qty, 1)


def select_round(
    entries: Iterable[Entry],
    free: dict,
    outstanding: dict,
    min_free_qty: float = 1,
) -> list[Entry]:
    """The entries to notify in this round, oldest first.

    Per stock key, nothing unless the variant is available; then no more
    customers than free units, minus the customers told in earlier rounds who
    are still deciding (``outstanding``), the longest waiting first. The
    others stay for a later round.
    """
    queues = defaultdict(list)
    for entry in entries:
        queues[entry.stock_key].append(entry)
    chosen = []
    for key, queue in queues.items():
        qty = free.get(key, 0)
        if not is_available(qty, min_free_qty):
            continue
        slots = math.floor(qty) - outstanding.get(key, 0)
        if slots > 0:
            queue.sort(key=lambda e: (e.since, e.id))
            chosen.extend(queue[:slots])
    return sorted(chosen, key=lambda e: (e.since, e.id))


def group_by_customer(entries: Iterable[Entry]) -> dict[Hashable, list[Entry]]:
    """One group per customer (in the order customers first appear)."""
    groups = {}
    for entry in entries:
        groups.setdefault(entry.customer_key, []).append(entry)
    return groups


def settle(bought: bool, free_qty: float) -> str | None:
    """How a notified line ends once its buying window is over.

    Bought: ``purchased``. Not bought and nothing free any more:
    ``out_again``. Not bought but still in stock: ``None``, still deciding.
    """
    if bought:
        return PURCHASED
    if free_qty <= 0:
        return OUT_AGAIN
    return None
