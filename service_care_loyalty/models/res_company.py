# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    care_birthday_program_id = fields.Many2one(
        "loyalty.program",
        "Birthday Coupon Program",
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [False, id])]",
        help="The coupon program each birthday greeting gives a coupon of; "
        "empty: a greeting without a coupon.",
    )
    care_birthday_coupon_days = fields.Integer(
        "Birthday Coupon Valid (days)",
        default=30,
        help="How long a birthday coupon can be used; 0: no end.",
    )

    @api.constrains("care_birthday_coupon_days")
    def _check_care_birthday_coupon_days(self):
        if any(company.care_birthday_coupon_days < 0 for company in self):
            raise ValidationError(
                self.env._("A birthday coupon is valid for 0 days (no end) or more.")
            )
