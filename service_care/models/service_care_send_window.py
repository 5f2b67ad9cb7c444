# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.policy import SendWindow, float_to_time

# fields of the weekdays a window opens on, Monday (0) first
WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ServiceCareSendWindow(models.Model):
    """Other send hours for the customers of one country.

    Marketing messages reach a customer within the send window of their
    country when the company has one, else within the company's own window
    (``res.company._care_policy``).
    """

    _name = "service.care.send.window"
    _description = "Service Care Send Hours per Country"
    _order = "company_id, country_id"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    country_id = fields.Many2one("res.country", required=True, ondelete="cascade")
    hour_from = fields.Float("From", required=True, default=9.0)
    hour_to = fields.Float(
        "Until",
        required=True,
        default=21.0,
        help="An end before the start makes the window run past midnight.",
    )
    mon = fields.Boolean("Monday", default=True)
    tue = fields.Boolean("Tuesday", default=True)
    wed = fields.Boolean("Wednesday", default=True)
    thu = fields.Boolean("Thursday", default=True)
    fri = fields.Boolean("Friday", default=True)
    sat = fields.Boolean("Saturday", default=True)
    sun = fields.Boolean("Sunday", default=True)

    _sql_constraints = [
        (
            "country_unique",
            "unique(company_id, country_id)",
            "A country has one send window per company.",
        ),
    ]

    @api.depends("country_id", "hour_from", "hour_to")
    def _compute_display_name(self):
        for window in self:
            window.display_name = (
                f"{window.country_id.name or ''} "
                f"{float_to_time(window.hour_from):%H:%M}-"
                f"{float_to_time(window.hour_to):%H:%M}"
            )

    @api.constrains("hour_from", "hour_to", *WEEKDAY_FIELDS)
    def _check_hours(self):
        for window in self:
            if not 0 <= window.hour_from < 24 or not 0 <= window.hour_to <= 24:
                raise ValidationError(
                    self.env._(
                        "Send hours of %(country)s: from 00:00 to 24:00.",
                        country=window.country_id.name,
                    )
                )
            if not window._care_weekdays():
                raise ValidationError(
                    self.env._(
                        "Send hours of %(country)s: select at least one weekday.",
                        country=window.country_id.name,
                    )
                )

    def _care_weekdays(self):
        """Weekday numbers (Monday=0) the window opens on."""
        self.ensure_one()
        return frozenset(day for day, fname in enumerate(WEEKDAY_FIELDS) if self[fname])

    def _care_window(self):
        """The ``tools.policy.SendWindow`` of this record."""
        self.ensure_one()
        return SendWindow(
            float_to_time(self.hour_from),
            float_to_time(self.hour_to),
            self._care_weekdays(),
        )
