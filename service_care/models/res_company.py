# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.policy import Policy, SendWindow, local_to_utc, parse_window
from ..tools.replenishment import last_run_slot

# fields of the weekdays the send window opens on, Monday (0) first
WINDOW_WEEKDAY_FIELDS = (
    "care_window_mon",
    "care_window_tue",
    "care_window_wed",
    "care_window_thu",
    "care_window_fri",
    "care_window_sat",
    "care_window_sun",
)
COUNTRY_WINDOWS_HELP = """\
One line per country whose customers get other hours than the default window:
the two-letter country code, the hours, then optionally the weekdays.
    FR 08:00-22:00 mon-sat
    DE 09:00-20:00
    US 10:00-20:00 mon-fri, sun
Empty lines and text after # are ignored."""


def _float_to_time(hours):
    """Wall-clock time of a ``float_time`` value; 24:00 is midnight."""
    minutes = round(hours * 60)
    return time(minutes // 60 % 24, minutes % 60)


WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    care_window_start = fields.Float(
        string="Send From",
        default=9.0,
        help="Marketing messages reach customers from this local time of the "
        "recipient (their time zone, else the company's). Order updates are sent "
        "at any hour.",
    )
    care_window_end = fields.Float(
        string="Send Until",
        default=21.0,
        help="Marketing messages wait for the next morning from this local time. "
        "An end before the start makes the window run past midnight.",
    )
    care_window_mon = fields.Boolean(string="Monday", default=True)
    care_window_tue = fields.Boolean(string="Tuesday", default=True)
    care_window_wed = fields.Boolean(string="Wednesday", default=True)
    care_window_thu = fields.Boolean(string="Thursday", default=True)
    care_window_fri = fields.Boolean(string="Friday", default=True)
    care_window_sat = fields.Boolean(string="Saturday", default=True)
    care_window_sun = fields.Boolean(string="Sunday", default=True)
    care_country_windows = fields.Text(
        string="Send Hours per Country", help=COUNTRY_WINDOWS_HELP
    )
    care_email_cap_hours = fields.Float(
        string="Hours Between Marketing Emails",
        default=16.0,
        help="A customer gets at most one marketing email in this many hours; "
        "0 means no limit.",
    )
    care_sms_cap_hours = fields.Float(
        string="Hours Between Marketing SMS",
        default=24.0,
        help="A customer gets at most one marketing SMS in this many hours; "
        "0 means no limit.",
    )
    care_attribution_days = fields.Integer(
        string="Attribution Window (Days)",
        default=5,
        help="An order confirmed within this many days after a message is "
        "credited to it: to the last clicked message, else to the last one "
        "received. 0 turns attribution off.",
    )
    care_tracking = fields.Boolean(
        string="Track Opens and Clicks",
        default=True,
        help="Add an open pixel to emails and route links through a tracked redirect.",
    )

    care_replenish_lead_days = fields.Integer(
        string="Remind Days Early",
        default=3,
        help="Customers are reminded this many days before they run out of a "
        "product, unless the product says otherwise.",
    )
    care_cart_weekday = fields.Selection(
        WEEKDAYS,
        string="Cart Day",
        default="0",
        required=True,
        help="The day of the week due reminders are gathered into carts.",
    )
    care_cart_hour = fields.Float(
        string="Cart Hour",
        default=8.0,
        help="The hour, in the company's time zone, carts are prepared.",
    )
    care_cart_days = fields.Integer(
        string="Cart Valid (Days)",
        default=14,
        help="A cart the customer has not decided on expires after this many "
        "days, and its reminders move a week.",
    )
    care_cart_last_run = fields.Datetime(
        string="Last Cart Run",
        readonly=True,
        copy=False,
        help="When the weekly run last started preparing this company's carts.",
    )
    care_cart_run_day = fields.Date(
        string="Cart Run Under Way",
        readonly=True,
        copy=False,
        help="The run day of the weekly run the cart workers are preparing; "
        "empty once every customer due has a cart.",
    )

    @api.constrains("care_window_start", "care_window_end")
    def _check_care_window_hours(self):
        for company in self:
            if not 0 <= company.care_window_start < 24:
                raise ValidationError(
                    self.env._("The send window must start between 00:00 and 23:59.")
                )
            if not 0 <= company.care_window_end <= 24:
                raise ValidationError(
                    self.env._("The send window must end between 00:00 and 24:00.")
                )

    @api.constrains(*WINDOW_WEEKDAY_FIELDS)
    def _check_care_window_weekdays(self):
        for company in self:
            if not company._care_window_weekdays():
                raise ValidationError(
                    self.env._(
                        "Select at least one weekday for sending marketing messages."
                    )
                )

    @api.constrains("care_email_cap_hours", "care_sms_cap_hours")
    def _check_care_caps(self):
        if any(
            company.care_email_cap_hours < 0 or company.care_sms_cap_hours < 0
            for company in self
        ):
            raise ValidationError(
                self.env._("Hours between marketing messages cannot be negative.")
            )

    @api.constrains("care_attribution_days")
    def _check_care_attribution_days(self):
        if any(company.care_attribution_days < 0 for company in self):
            raise ValidationError(
                self.env._("The attribution window cannot be negative.")
            )

    @api.constrains("care_country_windows")
    def _check_care_country_windows(self):
        codes = set()
        for company in self:
            codes.update(self._care_parse_country_windows(company.care_country_windows))
        known = set(
            self.env["res.country"].search([("code", "in", list(codes))]).mapped("code")
        )
        if unknown := sorted(codes - known):
            raise ValidationError(
                self.env._(
                    "Send hours per country: unknown country code %(codes)s.",
                    codes=", ".join(unknown),
                )
            )

    @api.model
    def _care_parse_country_windows(self, text):
        """``{country code: SendWindow}`` of a "Send Hours per Country" text.

        Each line is checked by the policy parsers; a ValidationError names the
        line and what is wrong with it.
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
                raise ValidationError(
                    self.env._(
                        "Send hours per country, line %(number)s (%(line)s): %(error)s",
                        number=number,
                        line=line.strip(),
                        error=error,
                    )
                ) from None
        return windows

    def _care_window_weekdays(self):
        """Weekday numbers (Monday=0) the company's send window opens on."""
        self.ensure_one()
        return frozenset(
            day for day, fname in enumerate(WINDOW_WEEKDAY_FIELDS) if self[fname]
        )

    def _care_policy(self):
        """The send ``Policy`` of the company: window, country windows, caps."""
        self.ensure_one()
        caps = {
            "email": self.care_email_cap_hours,
            "sms": self.care_sms_cap_hours,
        }
        return Policy(
            window=SendWindow(
                _float_to_time(self.care_window_start),
                _float_to_time(self.care_window_end),
                self._care_window_weekdays(),
            ),
            country_windows=self._care_parse_country_windows(self.care_country_windows),
            caps={
                channel: timedelta(hours=hours)
                for channel, hours in caps.items()
                if hours > 0
            },
        )

    @api.constrains("care_replenish_lead_days", "care_cart_hour", "care_cart_days")
    def _check_care_cart_settings(self):
        for company in self:
            if company.care_replenish_lead_days < 0:
                raise ValidationError(self.env._("Days early cannot be negative."))
            if not 0 <= company.care_cart_hour < 24:
                raise ValidationError(
                    self.env._("Carts are prepared at an hour from 00:00 to 23:59.")
                )
            if company.care_cart_days < 1:
                raise ValidationError(
                    self.env._("A cart stays valid for at least one day.")
                )

    def _care_tz(self):
        self.ensure_one()
        return self.partner_id.tz or "UTC"

    def _care_local(self, utc_datetime):
        """Naive local time of the company for a naive UTC datetime."""
        self.ensure_one()
        zone = pytz.timezone(self._care_tz())
        return pytz.utc.localize(utc_datetime).astimezone(zone).replace(tzinfo=None)

    def _care_today(self):
        self.ensure_one()
        return self._care_local(fields.Datetime.now()).date()

    def _care_cart_slot(self, now=None):
        """The latest weekly cart moment up to ``now``: (UTC datetime, local day)."""
        self.ensure_one()
        local_slot = last_run_slot(
            self._care_local(now or fields.Datetime.now()),
            int(self.care_cart_weekday),
            self.care_cart_hour,
        )
        return local_to_utc(local_slot, self._care_tz()), local_slot.date()
