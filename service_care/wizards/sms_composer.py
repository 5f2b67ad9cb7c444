# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    care_sms_info = fields.Char(
        string="SMS Parts",
        compute="_compute_care_sms_info",
        help="How the gateway counts this text: parts billed, encoding, room left.",
    )

    @api.depends("body")
    @api.depends_context("company")
    def _compute_care_sms_info(self):
        describe = self.env["sms.template"]._care_describe_text
        for composer in self:
            composer.care_sms_info = describe(composer.body, self.env.company)
