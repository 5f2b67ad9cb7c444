# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import birthday

MONTHS = [
    (str(number), name)
    for number, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]
GREETING_HOUR = 10


class ResPartner(models.Model):
    """The customer's birthday (day and month, the year optional) and the
    greeting that goes out once a year at 10:00 their time
    (``data/birthday_scenario_data.xml``)."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    care_birth_day = fields.Integer("Birthday (Day)")
    care_birth_month = fields.Selection(MONTHS, "Birthday (Month)")
    care_birth_year = fields.Integer("Year of Birth", help="Optional.")
    care_birthday_greeted_year = fields.Integer(
        "Birthday Greeted In",
        readonly=True,
        copy=False,
        help="The last year the birthday greeting was started for the customer.",
    )
    care_birthday_coupon_code = fields.Char(
        "Birthday Coupon",
        compute="_compute_care_birthday_coupon_code",
        help="The code of this year's birthday coupon, which the greeting "
        "gives. Coupons come from Odoo's loyalty programs, with the addon "
        "Service Care: Birthday Coupons.",
    )

    def _compute_care_birthday_coupon_code(self):
        # no coupons without Odoo's loyalty programs (service_care_loyalty)
        self.care_birthday_coupon_code = False

    @api.constrains("care_birth_day", "care_birth_month", "care_birth_year")
    def _check_care_birthday(self):
        for partner in self:
            if not (partner.care_birth_day or partner.care_birth_month):
                continue
            if not birthday.valid(
                partner.care_birth_day,
                int(partner.care_birth_month or 0),
                partner.care_birth_year or None,
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: this birthday is not a date.", name=partner.name
                    )
                )

    @api.model
    def _cron_care_birthdays(self):
        """Start the birthday greeting of the customers whose birthday it is,
        once it is 10:00 where they live; once a year each."""
        now = fields.Datetime.now()
        # the day is today somewhere between UTC-12 and UTC+14
        days = {(now + timedelta(hours=hours)).date() for hours in (-12, 0, 14)}
        months = {str(day.month) for day in days}
        candidates = self.search(
            [
                ("care_birth_month", "in", sorted(months)),
                ("care_birth_day", "!=", False),
                "|",
                ("care_birthday_greeted_year", "=", False),
                ("care_birthday_greeted_year", "<", max(day.year for day in days)),
            ]
        )
        by_year = defaultdict(self.browse)
        for partner in candidates:
            year = birthday.greeting_due(
                partner.care_birth_day,
                int(partner.care_birth_month),
                partner.care_birthday_greeted_year,
                now,
                partner.tz or partner.company_id.partner_id.tz,
                hour=GREETING_HOUR,
            )
            if year:
                by_year[year] |= partner
        greeted = self.browse()
        for year, partners in by_year.items():
            partners.care_birthday_greeted_year = year  # one write per year
            greeted |= partners
        self.env["service.care.scenario"]._care_trigger("birthday", greeted)
        return greeted
