# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from .service_care_batch_job import FanOut

_logger = logging.getLogger(__name__)

# How many steps a run may take in one pass before it yields to the others
# (protects the runner from a scenario whose "go to" steps loop).
MAX_STEPS_PER_PASS = 50
# A run whose step raised is retried later, this many times at most.
MAX_ATTEMPTS = 5


class ServiceCareScenarioRun(models.Model):
    """One customer x one scenario x one document, walked through the steps."""

    _name = "service.care.scenario.run"
    _description = "Service Care Scenario Run"
    _order = "id desc"

    key = fields.Char(required=True, readonly=True, copy=False)
    scenario_id = fields.Many2one(
        "service.care.scenario", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    res_model = fields.Char("Document Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        "Document ID", model_field="res_model", index=True
    )
    step_id = fields.Many2one(
        "service.care.scenario.step", "Current Step", ondelete="set null"
    )
    step_started = fields.Boolean(help="The current wait step has been armed.")
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("exited", "Exited"),
            ("failed", "Failed"),
        ],
        required=True,
        default="running",
        index=True,
    )
    next_at = fields.Datetime(
        "Next Step At", required=True, default=fields.Datetime.now, index=True
    )
    started_at = fields.Datetime(required=True, default=fields.Datetime.now)
    ended_at = fields.Datetime()
    end_reason = fields.Char()
    attempts = fields.Integer(help="Failed attempts at the current step.")
    event_ids = fields.One2many("service.care.scenario.run.event", "run_id", "History")
    message_ids = fields.One2many("service.care.message", "run_id", "Messages")

    _sql_constraints = [
        ("key_unique", "unique(key)", "A scenario runs once per key."),
    ]

    @api.depends("scenario_id", "partner_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.scenario_id.name} - {run.partner_id.display_name}"

    @api.model
    def _create_unique(self, vals_list):
        """Create runs, skipping keys another transaction created meanwhile."""
        if not vals_list:
            return self.browse()
        runs = self.env["service.care.batch.job"]._care_in_savepoints(
            vals_list,
            self.create,
            lambda vals, _error: _logger.info(
                "service_care: run %s already exists", vals["key"]
            ),
            errors=(psycopg2.IntegrityError,),
        )
        return runs if runs is not None else self.browse()

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_stop(self):
        self.filtered(lambda r: r.state == "running")._end(
            "exited", self.env._("Stopped by %(user)s.", user=self.env.user.name)
        )

    # ------------------------------------------------------------------
    # Runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_run(self, batch_size=200):
        """Walk the due runs through their steps, a batch at a time.

        200 runs a batch: Odoo's mail queue, in the other cron worker,
        starts sending only once the first batch is committed, and what the
        messages show per variant (price, name, link) is worked out once per
        call whatever the batch (``tools.remembered.recall``); 400 made no
        measurable difference for back in stock to 1 000 customers.

        Two workers never hold the same run (``service.care.batch.job``). A
        run's step and the messages it sends are written in the same
        transaction, committed per batch, so a run killed midway is redone
        from its last committed step and sends nothing twice.
        """
        done = self.env["service.care.batch.job"]._care_run_queue(
            self,
            self._due_sql,
            SQL("next_at, id"),
            lambda runs: runs._execute(),
            batch_size,
            cron="service_care.ir_cron_service_care_scenario_run",
            fan_out=FanOut(
                self._name,
                "_cron_run",
                "messages",
                "scenario_runs",
                {"batch_size": batch_size},
            ),
        )
        self._schedule_next()
        return done

    @api.model
    def _due_sql(self):
        """The runs due now, as a condition on the table."""
        return SQL("state = 'running' AND next_at <= %s", fields.Datetime.now())

    @api.model
    def _claim_due(self, limit):
        """Lock and return up to ``limit`` due runs no other worker holds."""
        return self.env["service.care.batch.job"]._care_lock(
            self, self._due_sql(), SQL("next_at, id"), limit
        )

    @api.model
    def _schedule_next(self):
        """Wake the runner when the next waiting run is due."""
        run = self.search([("state", "=", "running")], order="next_at", limit=1)
        if run:
            self.env.ref("service_care.ir_cron_service_care_scenario_run")._trigger(
                max(run.next_at, fields.Datetime.now())
            )

    def _execute(self):
        """Take the runs through as many steps as are due now."""
        active = self
        for _step in range(MAX_STEPS_PER_PASS):
            if not active:
                return
            moving = self.browse()
            for step, runs in active._group_by_step().items():
                moving |= runs._execute_step(step)
            active = moving.filtered(
                lambda r: r.state == "running" and r.next_at <= fields.Datetime.now()
            )

    def _group_by_step(self):
        starting = self.filtered(lambda run: not run.step_id)
        # The new runs of a scenario all start on its first step: one write.
        for scenario, runs in starting.grouped("scenario_id").items():
            first = scenario._care_steps()[:1]
            if first:
                runs.step_id = first
            else:
                runs._end("done", self.env._("The scenario has no step."))
        return self.filtered("step_id").grouped("step_id")

    def _execute_step(self, step):
        """Run one step for these runs; a failing run is retried, the rest go on."""
        moving = self.env["service.care.batch.job"]._care_in_savepoints(
            self, step._execute, lambda run, _error: run._retry_later(step)
        )
        return moving if moving is not None else self.browse()

    def _retry_later(self, step):
        self.ensure_one()
        _logger.exception("service_care: run %s failed at step %s", self.id, step.id)
        attempts = self.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._end(
                "failed", self.env._("Step %(step)s kept failing.", step=step.name)
            )
            return
        self.write(
            {
                "attempts": attempts,
                "next_at": fields.Datetime.now() + timedelta(minutes=5 * 2**attempts),
            }
        )
        self._log(step, "error", self.env._("Failed; retried later."))

    # ------------------------------------------------------------------
    # Moving runs
    # ------------------------------------------------------------------

    def _goto(self, step):
        """Put runs on ``step`` (or end them when there is none), due now."""
        if not self:
            return
        if not step:
            self._end("done", False)
            return
        self.write(
            {
                "step_id": step.id,
                "step_started": False,
                "attempts": 0,
                "next_at": fields.Datetime.now(),
            }
        )

    def _end(self, state, reason):
        if not self:
            return
        self.write(
            {
                "state": state,
                "end_reason": reason,
                "ended_at": fields.Datetime.now(),
                "step_started": False,
            }
        )
        self._log(self.step_id[:1], state, reason)

    def _log(self, step, outcome, note=False):
        """One event per run, inserted in one statement (a run logs an event
        at every step: with ``create()`` the history cost more than a send).
        Internal: the runner and the runs' actions (stop) log, and they
        write the runs, which checks the user's rights on them."""
        if not self:
            return
        self.env["service.care.batch.job"]._care_insert(
            "service_care_scenario_run_event",
            ("run_id",),
            [{"run_id": run.id} for run in self],
            {
                "step_id": step.id or None,
                "outcome": outcome,
                "note": note or None,
                "at": fields.Datetime.now(),
            },
        )
        self.invalidate_recordset(["event_ids"])

    def _timezone(self):
        self.ensure_one()
        return self.partner_id.tz or self.company_id.partner_id.tz or "UTC"

    def _documents(self):
        return self.env[self[:1].res_model].browse(self.mapped("res_id"))

    def _with_documents_matching(self, domain):
        """The runs whose document matches ``domain``."""
        result = self.browse()
        for model, runs in self.grouped("res_model").items():
            matching = (
                self.env[model].browse(runs.mapped("res_id")).filtered_domain(domain)
            )
            result |= runs.filtered(lambda r, ids=set(matching.ids): r.res_id in ids)
        return result

    def _relevant(self):
        """The runs whose document still qualifies: re-checked before a send."""
        result = self.browse()
        for scenario, runs in self.grouped("scenario_id").items():
            documents = runs._documents().exists()
            # a cancelled document ends its runs, but those about cancelling
            about_cancel = scenario.trigger == "order_cancelled"
            alive = (
                [("state", "!=", "cancel")]
                if "state" in documents._fields and not about_cancel
                else []
            )
            matching = scenario._documents_matching(documents).filtered_domain(alive)
            result |= runs.filtered(lambda r, ids=set(matching.ids): r.res_id in ids)
        return result

    # ------------------------------------------------------------------
    # Built-in checks: each takes the step and returns the passing runs
    # ------------------------------------------------------------------

    def _check_still_relevant(self, step):
        return self._relevant()

    def _check_not_ordered_since(self, step):
        """Customers without a confirmed order after their run started."""
        if not self:
            return self
        commercial = self.partner_id.commercial_partner_id
        last_orders = dict(
            self.env["sale.order"]._read_group(
                [
                    ("partner_id", "child_of", commercial.ids),
                    ("state", "=", "sale"),
                    ("date_order", ">=", min(self.mapped("started_at"))),
                ],
                ["partner_id"],
                ["date_order:max"],
            )
        )
        last_by_commercial = {}
        for partner, last in last_orders.items():
            key = partner.commercial_partner_id
            last_by_commercial[key] = max(last_by_commercial.get(key, last), last)
        return self.filtered(
            lambda r: (
                not (
                    last_by_commercial.get(r.partner_id.commercial_partner_id)
                    and last_by_commercial[r.partner_id.commercial_partner_id]
                    > r.started_at
                )
            )
        )

    def _messages_of(self, step):
        messages = self.env["service.care.message"].search(
            [
                ("run_id", "in", self.ids),
                ("scenario_step_id", "=", step.check_step_id.id),
            ]
        )
        return messages

    def _check_opened(self, step):
        runs = self._messages_of(step).filtered("opened_at").run_id
        return self & runs

    def _check_clicked(self, step):
        runs = self._messages_of(step).filtered("clicked_at").run_id
        return self & runs

    def _check_not_clicked(self, step):
        return self - self._check_clicked(step)

    def _check_in_stock(self, step):
        """Runs whose document's products all have free stock."""
        result = self.browse()
        for model, runs in self.grouped("res_model").items():
            documents = self.env[model].browse(runs.mapped("res_id"))
            if model == "sale.order":
                in_stock = documents.filtered(
                    lambda o: all(
                        line.product_id.free_qty > 0
                        for line in o.order_line
                        if line.product_id.is_storable
                    )
                )
            elif model == "product.product":
                in_stock = documents.filtered(lambda p: p.free_qty > 0)
            else:
                in_stock = documents
            result |= runs.filtered(lambda r, ids=set(in_stock.ids): r.res_id in ids)
        return result

    # ------------------------------------------------------------------
    # Actions: features add ``_care_action_<name>(step)`` and extend
    # ``service.care.scenario.step._selection_action``.
    # ------------------------------------------------------------------

    def _care_action_call_activity(self, step):
        """Ask the salesperson to call the customer."""
        activity_type = self.env.ref("mail.mail_activity_data_call")
        vals_list = []
        for run in self:
            document = self.env[run.res_model].browse(run.res_id)
            user = (
                document.user_id
                if "user_id" in document._fields and document.user_id
                else run.partner_id.user_id
            )
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": self.env["ir.model"]._get_id(run.res_model),
                    "res_id": run.res_id,
                    "user_id": (user or self.env.user).id,
                    "summary": self.env._(
                        "Call %(customer)s", customer=run.partner_id.name
                    ),
                    "note": self.env._(
                        "Scenario %(scenario)s", scenario=run.scenario_id.name
                    ),
                }
            )
        # sudo: the runner creates activities for salespeople on documents
        # they own; the cron user may lack their access rights.
        self.env["mail.activity"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Replenishment: checks and actions on predictive carts. The follow-ups
    # count clicks and visits of the cart page, never opens.
    # ------------------------------------------------------------------

    def _care_cart_runs(self):
        """{run: cart} for the runs about predictive carts."""
        runs = self.filtered(lambda r: r.res_model == "sale.order")
        carts = self.env["sale.order"].browse(runs.mapped("res_id")).exists()
        by_id = {cart.id: cart for cart in carts if cart.care_predictive}
        return {run: by_id[run.res_id] for run in runs if run.res_id in by_id}

    def _check_cart_undecided(self, step):
        return self.browse(
            [
                run.id
                for run, cart in self._care_cart_runs().items()
                if cart.care_cart_state == "open"
            ]
        )

    def _check_cart_clicked(self, step):
        clicked = set(
            self.env["service.care.message"]
            .search([("run_id", "in", self.ids), ("clicked_at", "!=", False)])
            .run_id.ids
        )
        return self.browse(
            [
                run.id
                for run, cart in self._care_cart_runs().items()
                if cart.care_cart_visited_at or run.id in clicked
            ]
        )

    def _check_cart_not_clicked(self, step):
        return self - self._check_cart_clicked(step)

    def _check_cart_expired(self, step):
        now = fields.Datetime.now()
        return self.browse(
            [
                run.id
                for run, cart in self._care_cart_runs().items()
                if cart.care_cart_expires_at and cart.care_cart_expires_at <= now
            ]
        )

    def _care_action_expire_cart(self, step):
        carts = self.env["sale.order"].concat(*self._care_cart_runs().values())
        carts._care_cart_expire()

    # ------------------------------------------------------------------
    # Back in stock
    # ------------------------------------------------------------------

    def _care_action_waitlist_settle(self, step):
        """Close the buying window of the runs' back-in-stock notices."""
        runs = self.filtered(
            lambda run: run.res_model == "service.care.waitlist.notice"
        )
        if runs:
            runs._documents().exists()._care_settle()
