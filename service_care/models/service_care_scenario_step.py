# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ServiceCareScenarioStep(models.Model):
    _name = "service.care.scenario.step"
    _description = "Service Care Scenario Step"
    _order = "scenario_id, sequence, id"

    scenario_id = fields.Many2one(
        "service.care.scenario", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    step_type = fields.Selection([("send", "Send")], required=True, default="send")
    channel = fields.Selection([("email", "Email"), ("sms", "SMS")], default="email")
    kind = fields.Selection(
        [("transactional", "Transactional"), ("marketing", "Marketing")],
        default="marketing",
    )
    mail_template_id = fields.Many2one("mail.template", ondelete="restrict")
    sms_template_id = fields.Many2one("sms.template", ondelete="restrict")

    @api.depends("scenario_id.name", "name")
    def _compute_display_name(self):
        for step in self:
            step.display_name = f"{step.scenario_id.name} / {step.name}"
