# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    care_cart_abandoned_delay = fields.Integer(
        related="website_id.care_cart_abandoned_delay", readonly=False
    )
    care_new_release_months = fields.Integer(
        related="company_id.care_new_release_months", readonly=False
    )
    care_digest_weekday = fields.Selection(
        related="website_id.care_digest_weekday", readonly=False
    )
    care_digest_hour = fields.Float(
        related="website_id.care_digest_hour", readonly=False
    )
    care_digest_size = fields.Integer(
        related="website_id.care_digest_size", readonly=False
    )
