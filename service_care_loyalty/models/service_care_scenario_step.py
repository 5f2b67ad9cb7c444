# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class ServiceCareScenarioStep(models.Model):
    _inherit = "service.care.scenario.step"

    @api.model
    def _selection_action(self):
        return [
            *super()._selection_action(),
            (
                "birthday_coupon",
                self.env._("Give a birthday coupon (Settings > Lifecycle Messages)"),
            ),
        ]
