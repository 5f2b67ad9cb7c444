# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ServiceCareScenarioVariant(models.Model):
    """One A/B variant of a send step: its template and share of the runs."""

    _name = "service.care.scenario.variant"
    _description = "Service Care Scenario A/B Variant"
    _order = "step_id, name"

    step_id = fields.Many2one(
        "service.care.scenario.step", required=True, index=True, ondelete="cascade"
    )
    name = fields.Char(required=True, default="A")
    weight = fields.Float(
        default=1.0, help="Share of the runs, relative to the others."
    )
    mail_template_id = fields.Many2one("mail.template", ondelete="restrict")
    sms_template_id = fields.Many2one("sms.template", ondelete="restrict")

    _sql_constraints = [
        ("name_unique", "unique(step_id, name)", "Variant names are unique per step."),
        ("weight_positive", "check(weight >= 0)", "A variant's weight is positive."),
    ]
