# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    care_birthday_year = fields.Integer(
        "Birthday Coupon Of",
        readonly=True,
        index="btree_not_null",
        help="The year of the customer's birthday this coupon was given for.",
    )
