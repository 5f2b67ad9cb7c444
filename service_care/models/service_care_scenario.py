# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..tools.consent import DEFAULT_PURPOSE, PURPOSE_SELECTION

_logger = logging.getLogger(__name__)

TRIGGERS = [
    ("cart_abandoned", "Cart left for the website's delay (15 minutes by default)"),
    ("order_confirmed", "Order confirmed"),
    ("order_delivered", "Order fully delivered"),
    ("delivery_done", "A delivery of the order done"),
    ("order_cancelled", "Order cancelled"),
    ("product_published", "Product published and in stock (its past buyers)"),
    ("birthday", "On the customer's birthday (10:00 their time)"),
    ("weekly_digest", "Every week at the website's digest day and hour"),
    ("domain", "Document entered the filter (checked regularly)"),
    ("api", "Started by a feature"),
]
# What a scenario's messages are reported as, flow by flow (Dashboards and
# Reporting > Results); a step may report as a flow of its own.
FLOWS = [
    ("replenishment", "Replenishment"),
    ("repeat_order", "Repeat order"),
    ("back_in_stock", "Back in stock"),
    ("out_of_stock_again", "Out of stock again"),
    ("abandoned_cart", "Abandoned cart"),
    ("order", "Order messages"),
    ("post_purchase", "Post-purchase"),
    ("birthday", "Birthday"),
    ("new_release", "New release"),
    ("digest", "Best-sellers digest"),
    ("other", "Other"),
]
# The document each event trigger starts runs on.
TRIGGER_MODELS = {
    "cart_abandoned": "sale.order",
    "order_confirmed": "sale.order",
    "order_delivered": "sale.order",
    "delivery_done": "sale.order",
    "order_cancelled": "sale.order",
    "product_published": "product.template",
    "birthday": "res.partner",
    "weekly_digest": "res.partner",
}


class ServiceCareScenario(models.Model):
    """A trigger and ordered steps: wait, check, send, act, split.

    Each customer x document that meets the trigger gets one
    ``service.care.scenario.run``, which the runner cron walks through the
    steps; every message goes out through ``service.care.message``.
    """

    _name = "service.care.scenario"
    _inherit = ["service.care.smart.button.mixin"]
    _description = "Service Care Scenario"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    trigger = fields.Selection(TRIGGERS, required=True, default="api")
    purpose = fields.Selection(
        PURPOSE_SELECTION,
        required=True,
        default=DEFAULT_PURPOSE,
        help="What its marketing messages are about: customers choose, purpose "
        "by purpose, what they agree to receive.",
    )
    flow = fields.Selection(
        FLOWS,
        "Reported As",
        required=True,
        default="other",
        help="The flow its messages count in on the dashboard and in the results.",
    )
    frequency_cap = fields.Boolean(
        default=True,
        help="Its marketing messages wait for the company's frequency cap "
        "(one email every 16 hours...). Off for a reply to what the customer "
        "just did, such as a cart left minutes ago: held for hours it would "
        "come too late. Consent and send hours still apply, and its messages "
        "still count against the cap for the others.",
    )
    model_id = fields.Many2one(
        "ir.model",
        "Document Model",
        required=True,
        ondelete="cascade",
        default=lambda self: self.env["ir.model"]._get("sale.order"),
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True)
    filter_domain = fields.Char(
        "Filter",
        default="[]",
        help="Only documents matching this filter enter, and a run ends when "
        "its document no longer matches it before a send.",
    )
    reentry_days = fields.Integer(
        "Once per Customer Every (days)",
        help="A customer does not enter again within this many days of their "
        "last entry. 0: no limit.",
    )
    max_runs_per_document = fields.Integer(
        default=1, help="How many times one document may enter. 0: no limit."
    )
    ab_min_sample = fields.Integer(
        "A/B Minimum Sample",
        default=100,
        help="Messages each variant must have sent before a winner is named.",
    )
    step_ids = fields.One2many(
        "service.care.scenario.step", "scenario_id", string="Steps", copy=True
    )
    run_ids = fields.One2many("service.care.scenario.run", "scenario_id", "Runs")
    run_count = fields.Integer(compute="_compute_run_count")
    message_ids = fields.One2many(
        "service.care.message", "scenario_id", string="Messages"
    )

    def _compute_run_count(self):
        counts = self._care_count_related("service.care.scenario.run", "scenario_id")
        for scenario in self:
            scenario.run_count = counts.get(scenario.id, 0)

    @api.constrains("trigger", "model_id")
    def _check_trigger_model(self):
        for scenario in self:
            expected = TRIGGER_MODELS.get(scenario.trigger)
            if expected and scenario.model_name != expected:
                raise ValidationError(
                    self.env._(
                        "Scenario %(name)s: this trigger starts runs on %(model)s.",
                        name=scenario.name,
                        model=expected,
                    )
                )

    @api.constrains("filter_domain")
    def _check_filter_domain(self):
        for scenario in self:
            try:
                # Builds the query without running it: unknown fields and
                # malformed domains raise here.
                self.env[scenario.model_name]._search(scenario._domain())
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The filter of %(name)s is invalid: %(error)s",
                        name=scenario.name,
                        error=error,
                    )
                ) from error

    def action_view_runs(self):
        self.ensure_one()
        return self._care_related_action(
            "service_care.service_care_scenario_run_action",
            [("scenario_id", "=", self.id)],
            context={"search_default_filter_running": 1},
        )

    # ------------------------------------------------------------------
    # Entering scenarios
    # ------------------------------------------------------------------

    def _domain(self):
        self.ensure_one()
        return safe_eval(self.filter_domain or "[]", {"uid": self.env.uid})

    def _documents_matching(self, documents):
        """The documents that match this scenario's filter."""
        return documents.filtered_domain(self._domain()) if documents else documents

    @api.model
    def _care_sends(self, channel, scenario_domain):
        """Whether an active scenario matching ``scenario_domain`` has a send
        step on ``channel`` switched on: then Odoo's own message for the same
        event is not sent."""
        Step = self.env["service.care.scenario.step"]
        return bool(
            Step.search_count(
                [
                    ("enabled", "=", True),
                    ("step_type", "=", "send"),
                    ("channel", "=", channel),
                    ("scenario_id.active", "=", True),
                    *[
                        (f"scenario_id.{name}", op, value)
                        for name, op, value in scenario_domain
                    ],
                ],
                limit=1,
            )
        )

    @api.model
    def _care_texts_deliveries(self):
        """Whether the order messages text deliveries (Odoo's delivery SMS
        then stays silent)."""
        return self._care_sends(
            "sms",
            [
                ("flow", "=", "order"),
                ("trigger", "in", ("delivery_done", "order_delivered")),
            ],
        )

    @api.model
    def _care_recovers_carts(self, companies):
        """Whether the abandoned-cart reminder emails these companies' carts
        (Odoo's abandoned-cart email then stays silent)."""
        return self._care_sends(
            "email",
            [
                ("trigger", "=", "cart_abandoned"),
                ("company_id", "in", [False, *companies.ids]),
            ],
        )

    def _care_steps(self):
        """The steps that are on, in their order."""
        self.ensure_one()
        return self.step_ids.filtered("enabled").sorted(lambda s: (s.sequence, s.id))

    @api.model
    def _care_trigger(self, trigger, documents, partners=None):
        """Start the active scenarios of ``trigger`` for these documents (for
        their customers, or ``partners``, one per document)."""
        if not documents or self.env.context.get("service_care_no_trigger"):
            return self.env["service.care.scenario.run"]
        scenarios = self.search(
            [("trigger", "=", trigger), ("model_name", "=", documents._name)]
        )
        runs = self.env["service.care.scenario.run"]
        for scenario in scenarios:
            runs |= scenario._enroll(documents, partners)
        return runs

    def _enroll(self, documents, partners=None):
        """Start one run per document for its customer; idempotent.

        The same trigger twice starts one run: every run has a unique key made
        of scenario, customer, document and how many runs that document
        already had.
        """
        self.ensure_one()
        Run = self.env["service.care.scenario.run"]
        if partners is None:
            partners = self.env["service.care.message"]._recipients_of(documents)
        # (document, customer) pairs: a document may come once per customer
        pairs = list(zip(documents, partners, strict=True))
        if self.company_id and "company_id" in documents._fields:
            pairs = [
                (d, p)
                for d, p in pairs
                if d.company_id in (self.company_id, self.env["res.company"])
            ]
        matching = set(self._documents_matching(documents).ids)
        pairs = [(d, p) for d, p in pairs if d.id in matching and p]
        if not pairs:
            return Run
        existing = Run.search(
            [
                ("scenario_id", "=", self.id),
                "|",
                ("res_id", "in", [d.id for d, _p in pairs]),
                ("partner_id", "in", [p.id for _d, p in pairs]),
            ]
        )
        runs_per_document = {}
        last_start = {}
        for run in existing:
            if run.res_model == documents._name:
                runs_per_document[run.res_id] = runs_per_document.get(run.res_id, 0) + 1
            last_start[run.partner_id.id] = max(
                last_start.get(run.partner_id.id, run.started_at), run.started_at
            )
        now = fields.Datetime.now()
        reentry = timedelta(days=self.reentry_days)
        keys = {run.key for run in existing}
        vals_list = []
        for document, partner in pairs:
            done_runs = runs_per_document.get(document.id, 0)
            key = f"{self.id}:{partner.id}:{document._name},{document.id}:{done_runs}"
            if key in keys or (
                self.max_runs_per_document and done_runs >= self.max_runs_per_document
            ):
                continue
            recent = partner.id in last_start and now - last_start[partner.id] < reentry
            if self.reentry_days and recent:
                continue
            keys.add(key)
            last_start[partner.id] = now
            vals_list.append(
                {
                    "key": key,
                    "scenario_id": self.id,
                    "partner_id": partner.id,
                    "res_model": document._name,
                    "res_id": document.id,
                    "company_id": (
                        document.company_id.id
                        if "company_id" in document._fields and document.company_id
                        else self.env.company.id
                    ),
                }
            )
        runs = Run._create_unique(vals_list)
        if runs:
            self.env.ref("service_care.ir_cron_service_care_scenario_run")._trigger()
        return runs

    @api.model
    def _cron_poll_domains(self):
        """Start runs for documents that entered the filter of a poll scenario."""
        for scenario in self.search([("trigger", "=", "domain")]):
            documents = self.env[scenario.model_name].search(scenario._domain())
            scenario._enroll(documents)
