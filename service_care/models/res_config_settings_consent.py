# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    """Consent settings, and who the shop can reach before its first run."""

    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    care_checkout_email_box = fields.Boolean(
        related="company_id.care_checkout_email_box", readonly=False
    )
    care_checkout_email_label = fields.Char(
        related="company_id.care_checkout_email_label", readonly=False
    )
    care_checkout_sms_box = fields.Boolean(
        related="company_id.care_checkout_sms_box", readonly=False
    )
    care_checkout_sms_label = fields.Char(
        related="company_id.care_checkout_sms_label", readonly=False
    )
    care_double_opt_in = fields.Boolean(
        related="company_id.care_double_opt_in", readonly=False
    )
    care_soft_opt_in = fields.Boolean(
        related="company_id.care_soft_opt_in", readonly=False
    )
    care_soft_opt_in_months = fields.Integer(
        related="company_id.care_soft_opt_in_months", readonly=False
    )
    care_reach_email_count = fields.Integer(
        "Reachable by Marketing Email", compute="_compute_care_reach"
    )
    care_reach_sms_count = fields.Integer(
        "Reachable by Marketing SMS", compute="_compute_care_reach"
    )
    care_reach_none_count = fields.Integer(
        "Without a Valid Contact", compute="_compute_care_reach"
    )
    care_reach_opted_out_count = fields.Integer(
        "Opted Out", compute="_compute_care_reach"
    )

    @api.depends("company_id")
    def _compute_care_reach(self):
        Partner = self.env["res.partner"]
        domains = Partner._care_reach_domains()
        counts = {
            name: Partner.search_count(domain) for name, domain in domains.items()
        }
        for settings in self:
            settings.care_reach_email_count = counts["email"]
            settings.care_reach_sms_count = counts["sms"]
            settings.care_reach_none_count = counts["none"]
            settings.care_reach_opted_out_count = counts["opted_out"]

    def _care_reach_action(self, name, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": self.env["res.partner"]._care_reach_domains()[name],
        }

    def action_care_reach_email(self):
        return self._care_reach_action(
            "email", self.env._("Customers Who Can Get Marketing Email")
        )

    def action_care_reach_sms(self):
        return self._care_reach_action(
            "sms", self.env._("Customers Who Can Get Marketing SMS")
        )

    def action_care_reach_none(self):
        return self._care_reach_action(
            "none", self.env._("Customers Without a Valid Contact")
        )

    def action_care_reach_opted_out(self):
        return self._care_reach_action(
            "opted_out", self.env._("Customers Who Opted Out")
        )
