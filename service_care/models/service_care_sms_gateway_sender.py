# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sms_providers


class ServiceCareSmsGatewaySender(models.Model):
    """The sender id a gateway uses for the numbers of one country."""

    _name = "service.care.sms.gateway.sender"
    _description = "SMS Sender per Country"
    _order = "gateway_id, country_id"

    gateway_id = fields.Many2one(
        "service.care.sms.gateway", required=True, index=True, ondelete="cascade"
    )
    country_id = fields.Many2one("res.country", required=True)
    sender = fields.Char(string="Sender ID", required=True)

    _sql_constraints = [
        (
            "country_unique",
            "unique(gateway_id, country_id)",
            "A gateway has one sender id per country.",
        ),
    ]

    @api.constrains("sender")
    def _check_sender(self):
        for line in self:
            problem = sms_providers.sender_problem(line.sender)
            if problem:
                raise ValidationError(problem)
