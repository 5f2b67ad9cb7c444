# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..tools import ab_test
from ..tools.policy import WEEKDAY_SELECTION
from ..tools.scenario_time import wait_until
from .service_care_scenario import FLOWS

STEP_TYPES = [
    ("wait", "Wait"),
    ("check", "Check"),
    ("send", "Send"),
    ("action", "Action"),
    ("split", "Split"),
]
WAIT_UNITS = {"minutes": "minutes", "hours": "hours", "days": "days"}
BUILTIN_CHECKS = [
    ("still_relevant", "Document still matches the scenario"),
    ("not_ordered_since", "Customer has not ordered since the run started"),
    ("opened", "An earlier message was opened"),
    ("clicked", "An earlier message was clicked"),
    ("not_clicked", "An earlier message was not clicked"),
    ("in_stock", "The products are in stock"),
    ("cart_undecided", "The predictive cart awaits the customer's decision"),
    ("cart_clicked", "The customer opened the predictive cart"),
    ("cart_not_clicked", "The customer has not opened the predictive cart"),
    ("cart_expired", "The predictive cart is past its date"),
]


class ServiceCareScenarioStep(models.Model):
    _name = "service.care.scenario.step"
    _inherit = ["service.care.smart.button.mixin"]
    _description = "Service Care Scenario Step"
    _order = "scenario_id, sequence, id"

    scenario_id = fields.Many2one(
        "service.care.scenario", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    step_type = fields.Selection(STEP_TYPES, required=True, default="send")
    enabled = fields.Boolean(
        "On",
        default=True,
        help="Off: runs pass this step by (a shop that does not want, say, "
        "this message by SMS).",
    )
    flow = fields.Selection(
        FLOWS,
        "Reported As",
        help="Report this step's messages as a flow of their own; empty: as "
        "the scenario's flow.",
    )
    # wait
    wait_amount = fields.Integer(default=1)
    wait_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        default="days",
    )
    wait_weekday = fields.Selection(WEEKDAY_SELECTION, "Until Weekday")
    wait_hour = fields.Float(
        "Until Hour", help="Local time of the customer; empty: any time."
    )
    wait_until_hour = fields.Boolean("Until a Given Hour")
    # check / split
    check_builtin = fields.Selection(BUILTIN_CHECKS, "Built-in Check")
    check_domain = fields.Char("Document Filter", default="[]")
    check_partner_domain = fields.Char("Customer Filter", default="[]")
    check_step_id = fields.Many2one(
        "service.care.scenario.step",
        "Earlier Step",
        domain="[('scenario_id', '=', scenario_id), ('step_type', '=', 'send')]",
        ondelete="set null",
    )
    on_fail = fields.Selection(
        [("end", "End the run"), ("goto", "Go to a step")],
        "When It Fails",
        default="end",
    )
    goto_step_id = fields.Many2one(
        "service.care.scenario.step",
        "Go To",
        domain="[('scenario_id', '=', scenario_id)]",
        ondelete="set null",
        help="Check: where a failing run goes. Split: where 'no' goes.",
    )
    # send
    channel = fields.Selection([("email", "Email"), ("sms", "SMS")], default="email")
    kind = fields.Selection(
        [("transactional", "Transactional"), ("marketing", "Marketing")],
        default="marketing",
    )
    mail_template_id = fields.Many2one("mail.template", ondelete="restrict")
    sms_template_id = fields.Many2one("sms.template", ondelete="restrict")
    variant_ids = fields.One2many(
        "service.care.scenario.variant", "step_id", "A/B Variants", copy=True
    )
    # action
    action = fields.Selection(selection="_selection_action")
    # statistics
    entered_count = fields.Integer("Entered", compute="_compute_statistics")
    sent_count = fields.Integer("Sent", compute="_compute_statistics")
    skipped_count = fields.Integer("Skipped", compute="_compute_statistics")
    opened_count = fields.Integer("Opened", compute="_compute_statistics")
    clicked_count = fields.Integer("Clicked", compute="_compute_statistics")
    converted_count = fields.Integer("Converted", compute="_compute_statistics")
    winner = fields.Char("A/B Winner", compute="_compute_statistics")

    @api.model
    def _selection_action(self):
        """The named hooks a step can run, on ``service.care.scenario.run``
        as ``_care_action_<name>(step)``."""
        return [
            ("call_activity", self.env._("Create a call activity for the salesperson")),
            (
                "expire_cart",
                self.env._("Expire the predictive cart (its reminders move a week)"),
            ),
            (
                "waitlist_settle",
                self.env._("Back in stock: see what was bought or sold out again"),
            ),
        ]

    @api.depends("scenario_id.name", "name")
    def _compute_display_name(self):
        for step in self:
            step.display_name = f"{step.scenario_id.name} / {step.name}"

    def _compute_statistics(self):
        entered = dict(
            self.env["service.care.scenario.run.event"]._read_group(
                [("step_id", "in", self.ids)], ["step_id"], ["run_id:count_distinct"]
            )
        )
        messages = self.env["service.care.message"]._read_group(
            [("scenario_step_id", "in", self.ids)],
            ["scenario_step_id", "variant"],
            [
                "queued_at:count",
                "sent_at:count",
                "skipped_at:count",
                "opened_at:count",
                "clicked_at:count",
                "order_id:count",
            ],
        )
        totals = defaultdict(lambda: [0] * 6)
        variants = defaultdict(list)
        for step, variant, queued, sent, skipped, opened, clicked, orders in messages:
            row = totals[step]
            for index, value in enumerate(
                (queued, sent, skipped, opened, clicked, orders)
            ):
                row[index] += value
            if variant:
                # Every queued message went out to the customer: it is in the
                # A/B sample whether the mail queue has run yet or not.
                variants[step].append(
                    ab_test.VariantStats(variant, queued, clicked, orders)
                )
        for step in self:
            _queued, sent, skipped, opened, clicked, orders = totals[step]
            step.entered_count = entered.get(step, 0)
            step.sent_count = sent
            step.skipped_count = skipped
            step.opened_count = opened
            step.clicked_count = clicked
            step.converted_count = orders
            step.winner = (
                ab_test.winner(variants[step], step.scenario_id.ab_min_sample)
                if len(variants[step]) > 1
                else False
            )

    @api.constrains("check_domain", "check_partner_domain")
    def _check_domains(self):
        for step in self:
            for domain in (step.check_domain, step.check_partner_domain):
                try:
                    safe_eval(domain or "[]", {"uid": self.env.uid})
                except Exception as error:
                    raise ValidationError(
                        self.env._(
                            "Step %(step)s has an invalid filter: %(error)s",
                            step=step.name,
                            error=error,
                        )
                    ) from error

    @api.constrains("step_type", "mail_template_id", "sms_template_id", "channel")
    def _check_send_template(self):
        for step in self.filtered(lambda s: s.step_type == "send"):
            template = (
                step.mail_template_id
                if step.channel == "email"
                else step.sms_template_id
            )
            if not template and not step.variant_ids:
                raise ValidationError(
                    self.env._("Send step %(step)s needs a template.", step=step.name)
                )

    def action_view_messages(self):
        """The messages of this step, grouped by state and skip reason."""
        self.ensure_one()
        return self._care_related_action(
            "service_care.service_care_message_action",
            [("scenario_step_id", "=", self.id)],
            context={"group_by": ["state", "reason_code"], "create": False},
        )

    # ------------------------------------------------------------------
    # Execution: each method takes the runs at this step and returns those
    # that go straight on to their next step.
    # ------------------------------------------------------------------

    def _next_step(self):
        self.ensure_one()
        later = self.scenario_id._care_steps().filtered(
            lambda s: (s.sequence, s.id) > (self.sequence, self.id)
        )
        return later[:1]

    def _execute(self, runs):
        self.ensure_one()
        if not self.enabled:  # switched off while runs waited at it
            runs._goto(self._next_step())
            return runs
        return getattr(self, f"_execute_{self.step_type}")(runs)

    def _execute_wait(self, runs):
        now = fields.Datetime.now()
        woken = runs.filtered("step_started")
        arming = runs - woken
        delay = timedelta(**{WAIT_UNITS[self.wait_unit or "days"]: self.wait_amount})
        weekday = int(self.wait_weekday) if self.wait_weekday else None
        hour = self.wait_hour if self.wait_until_hour else None
        by_time = defaultdict(runs.browse)
        for run in arming:
            by_time[wait_until(now, run._timezone(), delay, weekday, hour)] |= run
        for at, group in by_time.items():
            group.write({"step_started": True, "next_at": at})
            group._log(self, "waiting", self.env._("Waits until %(at)s UTC", at=at))
        woken._goto(self._next_step())
        return woken

    def _execute_check(self, runs):
        passed = self._passing(runs)
        failed = runs - passed
        passed._log(self, "passed")
        failed._log(self, "failed")
        if self.on_fail == "goto" and self.goto_step_id:
            failed._goto(self.goto_step_id)
            moving = failed
        else:
            failed._end("exited", self.env._("Check %(step)s failed.", step=self.name))
            moving = runs.browse()
        passed._goto(self._next_step())
        return passed | moving

    def _execute_split(self, runs):
        yes = self._passing(runs)
        no = runs - yes
        yes._log(self, "yes")
        no._log(self, "no")
        yes._goto(self._next_step())
        no._goto(self.goto_step_id or self._next_step())
        return runs

    def _execute_action(self, runs):
        getattr(runs, f"_care_action_{self.action}")(self)
        runs._log(self, "done")
        runs._goto(self._next_step())
        return runs

    def _execute_send(self, runs):
        relevant = runs._relevant()
        (runs - relevant)._end(
            "exited", self.env._("The document no longer qualifies.")
        )
        by_variant = defaultdict(runs.browse)
        for run in relevant:
            by_variant[self._variant_for(run)] |= run
        Message = self.env["service.care.message"]
        for variant, group in by_variant.items():
            template = self._template(variant)
            documents = self.env[group[:1].res_model].browse(group.mapped("res_id"))
            Message.send_template(
                template,
                documents,
                self.channel,
                self.kind,
                scenario_step=self,
                partners=[run.partner_id for run in group],
                extra_vals=[
                    {"run_id": run.id, "variant": variant.name if variant else False}
                    for run in group
                ],
            )
            group._log(self, "sent", variant.name if variant else False)
        relevant._goto(self._next_step())
        return relevant

    def _template(self, variant):
        source = variant or self
        return (
            source.mail_template_id
            if self.channel == "email"
            else source.sms_template_id
        )

    def _variant_for(self, run):
        """The A/B variant of a run at this step: stable for the run."""
        if not self.variant_ids:
            return self.env["service.care.scenario.variant"]
        name = ab_test.assign_variant(
            f"{run.key}:{self.id}", [(v.name, v.weight) for v in self.variant_ids]
        )
        return self.variant_ids.filtered(lambda v: v.name == name)[:1]

    def _passing(self, runs):
        """The runs that pass this step's filters and built-in check."""
        passing = runs
        domain = safe_eval(self.check_domain or "[]", {"uid": self.env.uid})
        if domain:
            passing = passing._with_documents_matching(domain)
        partner_domain = safe_eval(
            self.check_partner_domain or "[]", {"uid": self.env.uid}
        )
        if partner_domain:
            partners = passing.partner_id.filtered_domain(partner_domain)
            passing = passing.filtered(lambda r: r.partner_id in partners)
        if self.check_builtin:
            passing = getattr(passing, f"_check_{self.check_builtin}")(self)
        return passing
