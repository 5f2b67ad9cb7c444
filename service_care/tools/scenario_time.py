# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When a scenario's wait step ends, in the recipient's local time.

Datetimes are naive UTC, as Odoo stores them.
"""

from datetime import datetime, time, timedelta

import pytz

from .policy import get_zone, local_to_utc


def hour_to_time(hour):
    """Turn a float hour (9.5) into a time (09:30)."""
    if not 0 <= hour < 24:
        raise ValueError(f"An hour of the day is from 0 to 24, got {hour}.")
    minutes = round(hour * 60)
    return time(minutes // 60, minutes % 60)


def wait_until(start_utc, tz, delay=timedelta(0), weekday=None, hour=None):
    """End of a wait: ``delay`` after ``start_utc``, then the first moment that
    falls on ``weekday`` (0 = Monday) at ``hour`` local time, when given.

    With only ``hour``, the wait ends at the next such hour on any day; with
    only ``weekday``, at the start of that day's first moment after the delay
    (the same instant when it already is that weekday).
    """
    zone = get_zone(tz)
    earliest = start_utc + delay
    if weekday is None and hour is None:
        return earliest
    if weekday is not None and not 0 <= weekday <= 6:
        raise ValueError(f"A weekday is from 0 (Monday) to 6 (Sunday), got {weekday}.")
    local = pytz.utc.localize(earliest).astimezone(zone).replace(tzinfo=None)
    at = hour_to_time(hour) if hour is not None else None
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if weekday is not None and day.weekday() != weekday:
            continue
        if at is None:
            candidate = local if days == 0 else datetime.combine(day, time(0, 0))
        else:
            candidate = datetime.combine(day, at)
        utc = local_to_utc(candidate, tz)
        if utc >= earliest:
            return utc
    # Eight days always hold the wanted weekday after today's has passed.
    raise AssertionError("unreachable: no matching moment within eight days")
