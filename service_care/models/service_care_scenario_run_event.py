# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ServiceCareScenarioRunEvent(models.Model):
    """What happened to a run at a step: its history, and the step statistics."""

    _name = "service.care.scenario.run.event"
    _description = "Service Care Scenario Run Event"
    _order = "id"

    run_id = fields.Many2one(
        "service.care.scenario.run", required=True, index=True, ondelete="cascade"
    )
    step_id = fields.Many2one(
        "service.care.scenario.step", index=True, ondelete="set null"
    )
    at = fields.Datetime(required=True, default=fields.Datetime.now)
    outcome = fields.Char(required=True)
    note = fields.Char()
