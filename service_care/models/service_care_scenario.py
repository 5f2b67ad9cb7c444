# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ServiceCareScenario(models.Model):
    """A trigger and ordered steps that feed the send pipeline.

    The scenario engine (runs, waits, checks) builds on this; the send pipeline
    only needs the scenario to log and report which one caused a message.
    """

    _name = "service.care.scenario"
    _description = "Service Care Scenario"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    step_ids = fields.One2many(
        "service.care.scenario.step", "scenario_id", string="Steps", copy=True
    )
    message_ids = fields.One2many(
        "service.care.message", "scenario_id", string="Messages"
    )
