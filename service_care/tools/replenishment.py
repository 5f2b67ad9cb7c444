# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Replenishment carts: when the weekly run happens, what it gathers, where
postponed reminders go. Functional core, no ORM.

The shop gathers due reminders once a week, on its *run day* (a weekday, at an
hour, in the shop's time zone). A run on day ``D`` gathers what is due up to
``D + 6``: the coming week. A postponed reminder moves by whole weeks counted
from the run day of the week it was postponed in, so "postpone 2 weeks" puts it
in the cart two run days later, whatever day of the week the customer clicked.

Datetimes are naive: local wall-clock time where the name says ``local``,
dates are calendar dates in the shop's time zone.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

# the choices a customer has when postponing a cart
POSTPONE_WEEKS = (1, 2, 4)
# a run gathers the reminders due up to this many days after its run day
HORIZON_DAYS = 6


def _check_weekday(weekday: int) -> None:
    if isinstance(weekday, bool) or not isinstance(weekday, int):
        raise ValueError(f"A weekday is an integer, got {weekday!r}.")
    if not 0 <= weekday <= 6:
        raise ValueError(f"A weekday is from 0 (Monday) to 6 (Sunday), got {weekday}.")


def _hour_to_time(hour: float) -> time:
    if not 0 <= hour < 24:
        raise ValueError(f"An hour of the day is from 0 to 24, got {hour}.")
    minutes = round(hour * 60)
    return time(minutes // 60, minutes % 60)


def week_start(day: date, weekday: int) -> date:
    """The last ``weekday`` (0 = Monday) on or before ``day``."""
    _check_weekday(weekday)
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def last_run_slot(now_local: datetime, weekday: int, hour: float) -> datetime:
    """The latest weekly run moment (``weekday`` at ``hour``) not after ``now_local``.

    >>> last_run_slot(datetime(2025, 3, 12, 10, 0), 0, 8.0)  # a Wednesday
    datetime.datetime(2025, 3, 10, 8, 0)
    """
    if now_local.tzinfo is not None:
        raise ValueError("now_local must be a naive local datetime.")
    slot = datetime.combine(week_start(now_local.date(), weekday), _hour_to_time(hour))
    if slot > now_local:
        slot -= timedelta(days=7)
    return slot


def horizon(run_day: date) -> date:
    """The last due date a run on ``run_day`` gathers: the coming week."""
    return run_day + timedelta(days=HORIZON_DAYS)


def moved_due_date(day: date, weeks: int, weekday: int) -> date:
    """Where a reminder postponed on ``day`` by ``weeks`` weeks is due.

    On the run day ``weeks`` weeks after the run day of ``day``'s week: the
    reminder joins the cart of that run, and no earlier one.

    :raises ValueError: ``weeks`` below 1
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"Postpone by at least one whole week, got {weeks!r}.")
    return week_start(day, weekday) + timedelta(weeks=weeks)


def expiry(created: datetime, days: int) -> datetime:
    """When a cart made at ``created`` stops accepting decisions."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"A cart lasts at least one day, got {days!r}.")
    return created + timedelta(days=days)


@dataclass
class CartLine:
    """One product of a cart: the quantity to propose and the reminders behind it."""

    product_id: int
    quantity: float
    reminder_ids: list[int] = field(default_factory=list)


@dataclass
class Cart:
    """The lines of one customer's cart, in the order of their first reminder."""

    partner_id: int
    lines: list[CartLine] = field(default_factory=list)

    @property
    def reminder_ids(self) -> list[int]:
        return [rid for line in self.lines for rid in line.reminder_ids]


def group_carts(rows: Iterable[tuple[int, int, int, float]]) -> list[Cart]:
    """Gather due reminders into one cart per customer.

    :param rows: ``(reminder_id, partner_id, product_id, quantity)``; two
        reminders of one customer for one product make one line of their
        total quantity; a reminder without a positive quantity proposes one
    :return: carts sorted by partner id, lines in the order of their first
        reminder id
    """
    by_partner: dict[int, dict[int, CartLine]] = defaultdict(dict)
    for reminder_id, partner_id, product_id, quantity in sorted(rows):
        lines = by_partner[partner_id]
        qty = float(quantity) if quantity and quantity > 0 else 1.0
        if product_id in lines:
            lines[product_id].quantity += qty
            lines[product_id].reminder_ids.append(reminder_id)
        else:
            lines[product_id] = CartLine(product_id, qty, [reminder_id])
    return [
        Cart(partner_id, list(by_partner[partner_id].values()))
        for partner_id in sorted(by_partner)
    ]


def is_short(free_quantity: float, quantity: float) -> bool:
    """Whether the stock free to sell cannot cover a cart line."""
    return free_quantity < quantity


# A customer types a quantity; more than this many units of one line is a typo.
MAX_LINE_QUANTITY = 1000.0


def parse_quantity(raw):
    """The quantity a customer typed, or None when it is not a usable one.

    Negative amounts mean zero (remove the line); text, NaN, infinity and
    more than ``MAX_LINE_QUANTITY`` are refused.
    """
    try:
        quantity = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(quantity) or quantity > MAX_LINE_QUANTITY:
        return None
    return max(quantity, 0.0)


def case_constant_fields(depends, varying, relation, constant_paths):
    """The computed fields whose value follows from the case alone.

    Cart lines of one *case* (same product, quantity, pricelist, fiscal
    position, currency, language) get the same values for every field computed
    only from what the case fixes. A field is *varying* when it is given as
    such, when it declares no dependency (it may read anything), or when one of
    its dependencies starts with a varying field or goes through ``relation``
    (the order) by a path not in ``constant_paths``.

    :param depends: ``{field name: [dependency paths]}`` of the computed fields
    :param varying: field names that differ between the lines of one case
    :param relation: the field leading to the record that differs per line
    :param constant_paths: paths through ``relation`` that the case fixes
    :return: the names of ``depends`` that are not varying
    """
    varying = set(varying) | {name for name, paths in depends.items() if not paths}
    changed = True
    while changed:
        changed = False
        for name, paths in depends.items():
            if name in varying:
                continue
            for path in paths:
                head = path.split(".", 1)[0]
                if head in varying or (head == relation and path not in constant_paths):
                    varying.add(name)
                    changed = True
                    break
    return set(depends) - varying
