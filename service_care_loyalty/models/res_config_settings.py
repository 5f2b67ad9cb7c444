# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    care_birthday_program_id = fields.Many2one(
        related="company_id.care_birthday_program_id", readonly=False
    )
    care_birthday_coupon_days = fields.Integer(
        related="company_id.care_birthday_coupon_days", readonly=False
    )
