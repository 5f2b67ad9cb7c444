# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models

from ..models.service_care_scenario_step import WAIT_UNITS
from ..tools import policy
from ..tools.scenario_time import wait_until


class ServiceCareScenarioTest(models.TransientModel):
    """Walk a scenario for one customer on paper: what would be sent, when."""

    _name = "service.care.scenario.test"
    _description = "Service Care Scenario Test"

    scenario_id = fields.Many2one("service.care.scenario", required=True)
    model_name = fields.Char(related="scenario_id.model_name")
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    res_id = fields.Integer(
        "Document ID", help="The document the run would be about (e.g. an order)."
    )
    result = fields.Html(readonly=True, sanitize=False)

    @api.onchange("scenario_id", "partner_id")
    def _onchange_default_document(self):
        if self.scenario_id and self.partner_id and not self.res_id:
            model = self.env[self.scenario_id.model_name]
            if model._name == "res.partner":
                self.res_id = self.partner_id.id
            elif "partner_id" in model._fields:
                self.res_id = model.search(
                    [("partner_id", "=", self.partner_id.id)], limit=1
                ).id

    def action_simulate(self):
        self.ensure_one()
        self.result = self._simulate()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _simulate(self):
        """Describe each step at the moment the run would reach it."""
        partner = self.partner_id
        company = self.scenario_id.company_id or self.env.company
        tz = partner.tz or company.partner_id.tz or "UTC"
        contacts = {
            channel: partner._care_contact_status(channel)[partner.id]
            for channel in ("email", "sms")
        }
        at = fields.Datetime.now()
        lines = []
        for step in self.scenario_id.step_ids.sorted(lambda s: (s.sequence, s.id)):
            if step.step_type == "wait":
                delay = timedelta(
                    **{WAIT_UNITS[step.wait_unit or "days"]: step.wait_amount}
                )
                weekday = int(step.wait_weekday) if step.wait_weekday else None
                hour = step.wait_hour if step.wait_until_hour else None
                at = wait_until(at, tz, delay, weekday, hour)
                text = self.env._("waits until then")
            elif step.step_type == "send":
                contact = contacts[step.channel]
                decision = policy.decide(
                    step.kind,
                    step.channel,
                    at,
                    tz,
                    partner.country_id.code or "",
                    [],
                    has_consent=partner[f"care_{step.channel}_consent"],
                    contact_valid=contact.ok or contact.blacklisted,
                    blacklisted=contact.blacklisted,
                    policy=company._care_policy(),
                )
                template = step._template(step.variant_ids[:1])
                if decision.action == policy.SEND:
                    text = self.env._(
                        "sends %(template)s", template=template.display_name
                    )
                elif decision.action == policy.DEFER:
                    text = self.env._(
                        "sends %(template)s at %(at)s UTC (%(why)s)",
                        template=template.display_name,
                        at=decision.at,
                        why=decision.message,
                    )
                else:
                    text = self.env._(
                        "skips the message: %(why)s", why=decision.message
                    )
            else:
                text = dict(step._fields["step_type"].selection)[step.step_type]
                text = self.env._(
                    "%(what)s (evaluated when the run gets there)", what=text
                )
            lines.append(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (fields.Datetime.to_string(at), step.name, text)
            )
        header = Markup("<tr><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("When (UTC)"),
            self.env._("Step"),
            self.env._("What happens"),
        )
        return (
            Markup('<table class="table table-sm">')
            + header
            + Markup("").join(lines)
            + Markup("</table><p>%s</p>")
            % escape(self.env._("Time zone of the customer: %(tz)s", tz=tz))
        )
