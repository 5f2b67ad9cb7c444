# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import fields, models


class ServiceCareScenarioRun(models.Model):
    _inherit = "service.care.scenario.run"

    def _care_action_birthday_coupon(self, step):
        """One coupon of the company's birthday program per customer and
        year, for those who agreed to receive the greeting by email."""
        today = fields.Date.context_today(self)
        for company, runs in self.grouped("company_id").items():
            program = company.care_birthday_program_id
            if not program:
                continue
            partners = runs.partner_id
            purpose = step.scenario_id.purpose
            allowed = partners._care_marketing_allowed("email", [purpose], company)
            given = partners._care_birthday_cards(today.year)
            receiving = partners.browse(
                [p.id for p in partners if allowed[p.id, purpose] and p not in given]
            )
            days = company.care_birthday_coupon_days
            # sudo: the scenario runner gives the coupon; staff running
            # scenarios need no right on loyalty programs. loyalty_no_mail:
            # the greeting carries the code, not a second email.
            cards = self.env["loyalty.card"].sudo()
            cards.with_context(loyalty_no_mail=True).create(
                [
                    {
                        "program_id": program.id,
                        "partner_id": partner.id,
                        "points": 1,
                        "care_birthday_year": today.year,
                        "expiration_date": today + timedelta(days=days)
                        if days
                        else False,
                    }
                    for partner in receiving
                ]
            )
