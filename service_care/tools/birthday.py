# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Birthdays: a day and a month, the year optional."""

import calendar
from datetime import date

import pytz


def valid(day, month, year=None):
    """Whether ``day``/``month`` (and ``year``, when given) is a real date;
    29 February is valid without a year."""
    if not (1 <= (month or 0) <= 12) or not day:
        return False
    # a leap year (2000) when there is no year: 29 February exists
    last = calendar.monthrange(year or 2000, month)[1]
    return 1 <= day <= last


def is_birthday(day, month, on):
    """Whether ``on`` (a date) is the birthday: 29 February is celebrated on
    28 February in the other years."""
    if (day, month) == (on.day, on.month):
        return True
    return (
        (day, month) == (29, 2)
        and not calendar.isleap(on.year)
        and on == date(on.year, 2, 28)
    )


def in_year(day, month, year):
    """The date the birthday is celebrated in ``year``."""
    if (day, month) == (29, 2) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def greeting_due(day, month, greeted_year, now_utc, tz_name, *, hour=10):
    """The year to greet this birthday in, if the greeting is due now, else
    None: the local day is the birthday, it is ``hour`` or later there, and
    that year was not greeted yet.

    :param now_utc: naive UTC datetime
    """
    local = pytz.utc.localize(now_utc).astimezone(pytz.timezone(tz_name or "UTC"))
    if (
        local.hour >= hour
        and (greeted_year or 0) < local.year
        and is_birthday(day, month, local.date())
    ):
        return local.year
    return None
