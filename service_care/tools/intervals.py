"""Replenishment intervals: when a customer will run out of a product.

Functional core, no ORM. A product has a consumption rate, ``days_per_unit``: how
many days one unit (one pack, one bag, as the product is sold) lasts. A purchase
of ``quantity`` units then lasts ``quantity * days_per_unit`` days.

The rate comes from the product's own setting, or, once a customer has bought
the product often enough, from that customer's history
(``learned_days_per_unit``). Dates are calendar dates in the shop's time zone:
convert Odoo's UTC datetimes before calling (a ``datetime`` is refused).
"""

import itertools
import math
import statistics
from collections.abc import Sequence
from datetime import date, datetime, timedelta

# float products such as 3 * (10 / 3) may fall a hair short of a whole day
_DAY_TOLERANCE = 1e-9


def product_interval_days(days_per_unit: float, quantity: float) -> float:
    """Return how many days a purchase of ``quantity`` units lasts.

    :raises ValueError: a rate or quantity that is not a finite number above 0
    """
    _check_positive("days_per_unit", days_per_unit)
    _check_positive("quantity", quantity)
    return float(quantity) * float(days_per_unit)


def learned_days_per_unit(
    purchases: Sequence[tuple[date, float]], min_orders: int = 3
) -> float | None:
    """Estimate a customer's days per unit from their own purchases of a product.

    :param purchases: ``(date, quantity)`` of confirmed purchases, in any order;
        purchases on the same day count as one purchase of their total quantity,
        and non-positive quantities (returns, cancelled lines) are ignored
    :param min_orders: fewest purchases (distinct days) to learn from, at least 2
    :return: the median, over consecutive purchases, of the days until the next
        purchase divided by the quantity bought; None with fewer than
        ``min_orders`` purchases (fall back to the product's rate). The median
        keeps one late or early reorder from moving the estimate (with at least
        three gaps, i.e. four purchases).
    """
    if isinstance(min_orders, bool) or not isinstance(min_orders, int):
        raise ValueError(f"min_orders must be an integer, got {min_orders!r}.")
    if min_orders < 2:
        raise ValueError(f"min_orders must be at least 2, got {min_orders}.")
    by_day: dict[date, float] = {}
    for day, given in purchases:
        _check_date("purchase date", day)
        quantity = float(given)
        if not math.isfinite(quantity):
            raise ValueError(f"Purchase quantity must be finite, got {given!r}.")
        if quantity > 0:
            by_day[day] = by_day.get(day, 0.0) + quantity
    if len(by_day) < min_orders:
        return None
    days = sorted(by_day)
    rates = [
        (later - earlier).days / by_day[earlier]
        for earlier, later in itertools.pairwise(days)
    ]
    return float(statistics.median(rates))


def due_date(
    order_date: date, quantity: float, days_per_unit: float, lead_days: int = 0
) -> date:
    """Return the day to remind the customer, ``lead_days`` before they run out.

    The purchase runs out ``quantity * days_per_unit`` days after ``order_date``;
    a fraction of a day is dropped (rounded down): 30.9 days from a purchase runs
    out on day 30, so the reminder is never late. ``lead_days`` earlier is the
    due date, but never before the day after the order.

    :raises ValueError: a non-positive quantity or rate, negative ``lead_days``,
        or a date beyond the calendar
    """
    _check_date("order_date", order_date)
    if isinstance(lead_days, bool) or not isinstance(lead_days, int):
        raise ValueError(f"lead_days must be an integer, got {lead_days!r}.")
    if lead_days < 0:
        raise ValueError(f"lead_days must be >= 0, got {lead_days}.")
    days = math.floor(product_interval_days(days_per_unit, quantity) + _DAY_TOLERANCE)
    try:
        return order_date + timedelta(days=max(days - lead_days, 1))
    except OverflowError as error:
        raise ValueError(
            f"A due date {days} days after {order_date} is beyond the calendar."
        ) from error


def _check_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number above 0, got {value!r}.")


def _check_date(name: str, value: date) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(
            f"{name} must be a date (in the shop's time zone), got {value!r}."
        )
