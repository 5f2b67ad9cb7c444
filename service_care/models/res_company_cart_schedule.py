# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.policy import WEEKDAY_SELECTION, local_to_utc
from ..tools.replenishment import last_run_slot


class ResCompany(models.Model):
    """When the company's weekly predictive carts are prepared.

    Apart from the send policy of ``res_company.py``: one feature per file.
    """

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    care_replenish_lead_days = fields.Integer(
        string="Remind Days Early",
        default=3,
        help="Customers are reminded this many days before they run out of a "
        "product, unless the product says otherwise.",
    )
    care_cart_weekday = fields.Selection(
        WEEKDAY_SELECTION,
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
