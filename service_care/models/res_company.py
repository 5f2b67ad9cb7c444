# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.policy import Policy, SendWindow, float_to_time

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


class ResCompany(models.Model):
    """How marketing messages are paced and measured: the send window, the
    send hours per country, the caps, attribution and tracking."""

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
    care_send_window_ids = fields.One2many(
        "service.care.send.window",
        "company_id",
        string="Send Hours per Country",
        help="Other hours for the customers of some countries.",
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
                float_to_time(self.care_window_start),
                float_to_time(self.care_window_end),
                self._care_window_weekdays(),
            ),
            country_windows={
                window.country_id.code: window._care_window()
                for window in self.care_send_window_ids
            },
            caps={
                channel: timedelta(hours=hours)
                for channel, hours in caps.items()
                if hours > 0
            },
        )
