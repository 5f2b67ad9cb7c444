# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    care_window_start = fields.Float(
        related="company_id.care_window_start", readonly=False
    )
    care_window_end = fields.Float(related="company_id.care_window_end", readonly=False)
    care_window_mon = fields.Boolean(
        related="company_id.care_window_mon", readonly=False
    )
    care_window_tue = fields.Boolean(
        related="company_id.care_window_tue", readonly=False
    )
    care_window_wed = fields.Boolean(
        related="company_id.care_window_wed", readonly=False
    )
    care_window_thu = fields.Boolean(
        related="company_id.care_window_thu", readonly=False
    )
    care_window_fri = fields.Boolean(
        related="company_id.care_window_fri", readonly=False
    )
    care_window_sat = fields.Boolean(
        related="company_id.care_window_sat", readonly=False
    )
    care_window_sun = fields.Boolean(
        related="company_id.care_window_sun", readonly=False
    )
    care_email_cap_hours = fields.Float(
        related="company_id.care_email_cap_hours", readonly=False
    )
    care_sms_cap_hours = fields.Float(
        related="company_id.care_sms_cap_hours", readonly=False
    )
    care_attribution_days = fields.Integer(
        related="company_id.care_attribution_days", readonly=False
    )
    care_tracking = fields.Boolean(related="company_id.care_tracking", readonly=False)

    care_replenish_lead_days = fields.Integer(
        related="company_id.care_replenish_lead_days", readonly=False
    )
    care_cart_weekday = fields.Selection(
        related="company_id.care_cart_weekday", readonly=False
    )
    care_cart_hour = fields.Float(related="company_id.care_cart_hour", readonly=False)
    care_cart_days = fields.Integer(related="company_id.care_cart_days", readonly=False)
