# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict, namedtuple

import psycopg2
import psycopg2.errors
import pytz

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..tools.intervals import due_date
from ..tools.replenishment import group_carts, horizon, moved_due_date
from .service_care_batch_job import FanOut

_logger = logging.getLogger(__name__)

STATES = [
    ("scheduled", "Scheduled"),
    ("in_cart", "In Cart"),
    ("confirmed", "Confirmed"),
    ("postponed", "Postponed"),
    ("dropped", "Dropped"),
    ("stopped", "Stopped"),
]
# A customer has at most one open reminder per product: the next order of the
# product replaces it, the weekly run puts it in a cart.
OPEN_STATES = ("scheduled", "postponed")
# States in which nothing more happens to a reminder.
DECIDED_STATES = ("confirmed", "dropped", "stopped")

Purchase = namedtuple(
    "Purchase", "day quantity order_id line_id date_order user_id", defaults=[False]
)


class ServiceCareReminder(models.Model):
    """When one customer will run out of one product, and what became of it."""

    _name = "service.care.reminder"
    _description = "Replenishment Reminder"
    _order = "due_date, id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, ondelete="cascade"
    )
    product_tmpl_id = fields.Many2one(
        related="product_id.product_tmpl_id", string="Product Template"
    )
    user_id = fields.Many2one("res.users", "Salesperson", index="btree_not_null")
    order_id = fields.Many2one(
        "sale.order",
        "Last Order",
        index="btree_not_null",
        ondelete="set null",
        help="The order the customer will run out of.",
    )
    order_line_id = fields.Many2one(
        "sale.order.line", index="btree_not_null", ondelete="set null"
    )
    order_date = fields.Date(required=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    days_per_unit = fields.Float(digits=(16, 2), required=True)
    interval_days = fields.Float(
        "Lasts (Days)",
        digits=(16, 1),
        compute="_compute_interval_days",
        store=True,
        help="How long the quantity bought lasts this customer.",
    )
    interval_source = fields.Selection(
        [("override", "Set by hand"), ("learned", "Learned"), ("product", "Product")],
        "Interval From",
    )
    due_date = fields.Date(required=True, index=True)
    state = fields.Selection(STATES, required=True, default="scheduled", index=True)
    cart_id = fields.Many2one(
        "sale.order", index="btree_not_null", ondelete="set null", copy=False
    )
    cart_line_id = fields.Many2one("sale.order.line", ondelete="set null", copy=False)
    carted_date = fields.Date("Put in a Cart On", readonly=True, copy=False)
    postponed_date = fields.Date("Postponed On", readonly=True, copy=False)
    postpone_count = fields.Integer("Times Postponed", readonly=True, copy=False)
    decided_date = fields.Date("Decided On", readonly=True, copy=False)

    def init(self):
        # One open reminder per customer and product: what makes "the same
        # product ordered again replaces the reminder" hold under concurrency.
        self.env.cr.execute(
            SQL(
                """
            CREATE UNIQUE INDEX IF NOT EXISTS service_care_reminder_open_unique
                ON service_care_reminder (partner_id, product_id, company_id)
             WHERE state IN ('scheduled', 'postponed')
            """
            )
        )
        # The weekly run looks for what is due per company.
        self.env.cr.execute(
            SQL(
                """
            CREATE INDEX IF NOT EXISTS service_care_reminder_due_index
                ON service_care_reminder (company_id, due_date, partner_id)
             WHERE state IN ('scheduled', 'postponed')
            """
            )
        )

    @api.depends("partner_id", "product_id")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = (
                f"{reminder.product_id.display_name} - "
                f"{reminder.partner_id.display_name}"
            )

    @api.depends("quantity", "days_per_unit")
    def _compute_interval_days(self):
        for reminder in self:
            reminder.interval_days = reminder.quantity * reminder.days_per_unit

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_stop(self):
        """Stop reminding the customers of these products."""
        self._care_stop()

    def action_open_cart(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.cart_id.id,
            "view_mode": "form",
        }

    def action_run_weekly_carts(self):
        """Start this week's run now; the cart workers prepare the carts."""
        # sudo: a Service Care manager may start the weekly run by hand; the
        # cart workers then create carts and scenario runs as on the cart day.
        Reminder = self.sudo()
        for company in Reminder.env.companies:
            Reminder._care_start_run(company, force=True)
        Reminder._care_wake_cart_workers()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The carts are being prepared in the background; they "
                    "appear here within a few minutes."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Reminders from orders
    # ------------------------------------------------------------------

    @api.model
    def _care_eligible_lines(self, orders):
        return orders.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id.product_tmpl_id.care_replenish
                and line.product_uom_qty > 0
            )
        )

    @api.model
    def _care_from_orders(self, orders):
        """Remind the customers of the confirmed orders' products."""
        lines = self._care_eligible_lines(orders.filtered(lambda o: o.state == "sale"))
        keys = {
            (line.order_id.partner_id.id, line.product_id.id, line.company_id.id)
            for line in lines
        }
        return self._care_sync(keys)

    @api.model
    def _care_rebuild(self, partners=None):
        """Learn every interval and remind from the whole order history.

        For a shop installing Service Care on its existing orders, or orders
        loaded with their dates changed after confirmation.
        """
        domain = [
            ("order_id.state", "=", "sale"),
            ("display_type", "=", False),
            ("product_id.product_tmpl_id.care_replenish", "=", True),
        ]
        if partners is not None:
            domain.append(("order_id.partner_id", "in", partners.ids))
        groups = self.env["sale.order.line"]._read_group(
            domain, ["order_partner_id", "product_id", "company_id"]
        )
        keys = sorted(
            (partner.id, product.id, company.id) for partner, product, company in groups
        )
        reminders = self.browse()
        for chunk in split_every(1000, keys):
            reminders |= self._care_sync(chunk)
        return reminders

    @api.model
    def _care_history(self, keys):
        """{key: [Purchase]} of every confirmed purchase of each key.

        :param keys: (partner id, product id, company id) tuples
        """
        if not keys:
            return {}
        self.env["sale.order.line"].flush_model()
        self.env["sale.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT so.partner_id, sol.product_id, so.company_id, so.date_order,
                   so.id, sol.id, sol.product_uom_qty, sol.product_uom, so.user_id
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
             WHERE so.state = 'sale'
               AND sol.display_type IS NULL
               AND NOT COALESCE(sol.is_downpayment, FALSE)
               AND (so.partner_id, sol.product_id, so.company_id) IN %s
             ORDER BY so.date_order, so.id, sol.id
                """,
                tuple(sorted(keys)),
            )
        )
        rows = self.env.cr.fetchall()
        products = self.env["product.product"].browse({row[1] for row in rows})
        uoms = self.env["uom.uom"].browse({row[7] for row in rows if row[7]})
        product_uom = {product.id: product.uom_id for product in products}
        line_uom = {uom.id: uom for uom in uoms}
        companies = self.env["res.company"].browse({key[2] for key in keys})
        zones = {company.id: pytz.timezone(company._care_tz()) for company in companies}
        history = defaultdict(list)
        for (
            partner,
            product,
            company,
            date_order,
            order,
            line,
            ordered,
            uom,
            user,
        ) in rows:
            qty = ordered
            if uom and uom != product_uom[product].id:
                qty = line_uom[uom]._compute_quantity(
                    ordered, product_uom[product], round=False
                )
            day = pytz.utc.localize(date_order).astimezone(zones[company]).date()
            history[(partner, product, company)].append(
                Purchase(day, qty, order, line, date_order, user)
            )
        return history

    @staticmethod
    def _last_purchase(purchases):
        """The customer's latest order of the product, its lines summed."""
        last = purchases[-1]
        quantity = sum(p.quantity for p in purchases if p.order_id == last.order_id)
        first_line = min(p.line_id for p in purchases if p.order_id == last.order_id)
        return last._replace(quantity=quantity, line_id=first_line)

    @api.model
    def _care_sync(self, keys):
        """Make each key's open reminder follow the customer's latest order.

        Learns the customer's interval from their history, then replaces the
        open reminder of the product (or creates one) with one due when the
        latest order runs out. Nothing is created for a product the customer
        stopped, without any known interval, or whose latest order already has
        its reminder (in a cart, confirmed...).

        :return: the reminders created or updated
        """
        keys = set(keys)
        if not keys:
            return self.browse()
        history = self._care_history(keys)
        intervals = self.env["service.care.customer.interval"]._care_learn(
            {key: [(p.day, p.quantity) for p in rows] for key, rows in history.items()}
        )
        last = {key: self._last_purchase(rows) for key, rows in history.items()}
        existing = self.search(
            [
                ("partner_id", "in", list({key[0] for key in keys})),
                ("product_id", "in", list({key[1] for key in keys})),
                "|",
                ("state", "in", OPEN_STATES),
                ("order_line_id", "in", [p.line_id for p in last.values()]),
            ]
        )
        open_by_key = {}
        reminded_lines = set()
        for reminder in existing:
            key = reminder._care_key()
            if reminder.state in OPEN_STATES:
                open_by_key[key] = reminder
            else:
                reminded_lines.add(reminder.order_line_id.id)
        products = self.env["product.product"].browse({key[1] for key in last})
        companies = self.env["res.company"].browse({key[2] for key in last})
        to_create, touched = [], self.browse()
        for key, purchase in last.items():
            partner_id, product_id, company_id = key
            product = products.browse(product_id)
            interval = intervals[key]
            rate, source = interval._care_rate()
            reminder = open_by_key.get(key)
            if (
                interval.stopped
                or not product.product_tmpl_id.care_replenish
                or not rate
                or (reminder is None and purchase.line_id in reminded_lines)
                # postponed by the customer, and not ordered since: their
                # choice of week stands when the history is read again
                or (
                    reminder is not None
                    and reminder.state == "postponed"
                    and reminder.order_line_id.id == purchase.line_id
                )
            ):
                continue
            company = companies.browse(company_id)
            vals = {
                "order_id": purchase.order_id,
                "order_line_id": purchase.line_id,
                "order_date": purchase.day,
                "quantity": purchase.quantity,
                "days_per_unit": rate,
                "interval_source": source,
                "user_id": purchase.user_id,
                "due_date": due_date(
                    purchase.day,
                    purchase.quantity,
                    rate,
                    product.product_tmpl_id._care_lead_days(company),
                ),
                "state": "scheduled",
            }
            if reminder is None:
                to_create.append(
                    dict(
                        vals,
                        partner_id=partner_id,
                        product_id=product_id,
                        company_id=company_id,
                    )
                )
            else:
                reminder.write(vals)
                touched |= reminder
        return touched | self.create(to_create)

    def _care_mark_in_cart(self, rows, day):
        """Put reminders in their carts in one query.

        :param rows: (reminder id, cart id, cart line id) tuples
        """
        if not rows:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            UPDATE service_care_reminder r
               SET state = 'in_cart', cart_id = v.cart_id,
                   cart_line_id = v.line_id, carted_date = %s,
                   write_date = NOW() AT TIME ZONE 'UTC', write_uid = %s
              FROM (VALUES %s) AS v(id, cart_id, line_id)
             WHERE r.id = v.id
                """,
                day,
                self.env.uid,
                SQL(", ").join(SQL("(%s, %s, %s)", *row) for row in rows),
            )
        )
        self.browse([row[0] for row in rows]).invalidate_recordset(
            ["state", "cart_id", "cart_line_id", "carted_date"]
        )
        self.env["sale.order"].invalidate_model(["care_cart_reminder_ids"])
        self.env["sale.order.line"].invalidate_model(["care_reminder_ids"])

    def _care_key(self):
        self.ensure_one()
        return (self.partner_id.id, self.product_id.id, self.company_id.id)

    def _care_reschedule(self):
        """Recompute the due date of scheduled reminders after a rate changed."""
        scheduled = self.filtered(lambda r: r.state == "scheduled")
        if not scheduled:
            return
        intervals = self.env["service.care.customer.interval"]._care_get(
            [reminder._care_key() for reminder in scheduled]
        )
        drop = self.browse()
        for reminder in scheduled:
            template = reminder.product_id.product_tmpl_id
            interval = intervals.get(reminder._care_key())
            rate, source = (
                interval._care_rate()
                if interval
                else (template.care_days_per_unit, "product")
            )
            if not template.care_replenish or not rate:
                drop |= reminder
                continue
            reminder.write(
                {
                    "days_per_unit": rate,
                    "interval_source": source,
                    "due_date": due_date(
                        reminder.order_date,
                        reminder.quantity,
                        rate,
                        template._care_lead_days(reminder.company_id),
                    ),
                }
            )
        drop._care_set_state("dropped")

    # ------------------------------------------------------------------
    # What the customer decides
    # ------------------------------------------------------------------

    def _care_set_state(self, state):
        if not self:
            return
        vals = {"state": state}
        if state in DECIDED_STATES:
            vals["decided_date"] = fields.Date.context_today(self)
        self.write(vals)

    def _care_move(self, weeks, day=None):
        """Postpone reminders ``weeks`` run days from ``day`` (default today).

        A reminder whose product the customer has ordered again meanwhile (so
        it has a newer open reminder) is dropped instead.
        """
        if not self:
            return
        others = self.search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("product_id", "in", self.product_id.ids),
                ("state", "in", OPEN_STATES),
                ("id", "not in", self.ids),
            ]
        )
        superseded_keys = {other._care_key() for other in others}
        superseded = self.filtered(lambda r: r._care_key() in superseded_keys)
        superseded._care_set_state("dropped")
        for company, reminders in (self - superseded).grouped("company_id").items():
            today = day or company._care_today()
            due = moved_due_date(today, weeks, int(company.care_cart_weekday))
            for count, group in reminders.grouped("postpone_count").items():
                group.write(
                    {
                        "state": "postponed",
                        "due_date": due,
                        "postponed_date": today,
                        "postpone_count": count + 1,
                    }
                )

    def _care_stop(self):
        """The customer wants no more reminders of these products."""
        if not self:
            return
        keys = {reminder._care_key() for reminder in self}
        Interval = self.env["service.care.customer.interval"]
        found = Interval._care_get(list(keys))
        intervals = Interval.concat(*found.values()) | Interval.create(
            [
                {"partner_id": partner, "product_id": product, "company_id": company}
                for partner, product, company in sorted(keys - set(found))
            ]
        )
        # stops every reminder of these customers and products, and takes
        # the products out of their open carts
        intervals.write({"stopped": True})
        self.filtered(lambda r: r.state != "stopped")._care_set_state("stopped")

    def _care_open_cart_lines(self):
        """The cart lines of these reminders still waiting for the customer."""
        return self.filtered(
            lambda r: (
                r.state == "in_cart"
                and r.cart_line_id
                and r.cart_id.care_cart_state == "open"
            )
        ).cart_line_id

    # ------------------------------------------------------------------
    # The weekly run
    # ------------------------------------------------------------------

    @api.model
    def _cron_weekly_carts(self, batch_size=500, force=False, shard=None):
        """Prepare the weekly predictive carts: one cart worker's share.

        Each cart worker cron (two ship, one per cron worker of a default
        Odoo; a shop with more may add one per worker) calls this every hour
        with its ``shard``. The first worker past a company's cart day and
        hour (local time) starts the company's run of the week (see
        ``_care_start_run``) and wakes the others; each then carts the due
        customers of its shard, a batch at a time, committing as it goes.
        The run is over when no customer due is left, whichever worker
        notices. A worker stopped midway (or woken late) catches up at its
        next call: its customers are still due.

        :param shard: ``(index, count)``: this worker's customers (id modulo
            ``count``); None: all of them
        :param force: start a run now, whatever the day (a manager's
            "run now"); the customers carted this week are not carted again
        :return: how many carts this call made
        """
        Job = self.env["service.care.batch.job"]
        total = 0
        # every company, however many: a shop has a handful
        for company in self.env["res.company"].search([], limit=None):
            if self._care_start_run(company, force):
                self._care_wake_cart_workers()
                Job._care_commit()
            run_day = company.care_cart_run_day
            if not run_day:
                continue
            total += self._care_run_company(company, run_day, batch_size, shard)
            self._care_finish_run(company, run_day)
            Job._care_commit()
        return total

    @api.model
    def _care_job_weekly_carts(self, company_id, run_day, batch_size=500, shard=None):
        """One job's share of a company's weekly run (see ``FanOut``): cart
        the due customers of ``shard``, then end the run if none is left.
        A job for a run that is over (a newer one started) does nothing.

        :param run_day: the run's day, as text (a job's arguments are JSON)
        :return: how many carts were made
        """
        company = self.env["res.company"].browse(company_id).exists()
        run_day = fields.Date.to_date(run_day)
        if not company or company.care_cart_run_day != run_day:
            return 0
        done = self._care_run_company(company, run_day, batch_size, shard)
        self._care_finish_run(company, run_day)
        self.env["service.care.batch.job"]._care_commit()
        return done

    @api.model
    def _care_start_run(self, company, force=False):
        """Start ``company``'s weekly run if its time has come; return whether.

        Expires the carts past their date, then records the run day and the
        start. The company row is locked first: of two workers arriving
        together one starts the run, the other waits for it and then finds
        the run started (in a new transaction: the one it had was begun
        before the run was).
        """
        slot, run_day = company._care_cart_slot()
        if force:
            run_day = company._care_today()
        elif company.care_cart_last_run and company.care_cart_last_run >= slot:
            return False
        try:
            # waits for a worker starting it at the same time
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE",
                        company.id,
                    ),
                    log_exceptions=False,
                )
        except psycopg2.errors.SerializationFailure:
            # That worker started the run since this transaction began: a new
            # transaction sees it (in tests there is no other worker).
            self.env.cr.rollback()
            return False
        self.env["sale.order"]._care_expire_due_carts(company)
        company.write(
            {"care_cart_last_run": fields.Datetime.now(), "care_cart_run_day": run_day}
        )
        return True

    @api.model
    def _care_finish_run(self, company, run_day):
        """End ``company``'s run once no customer due is left to cart."""
        if self._care_due_partners(company, run_day, limit=1):
            return
        try:
            with self.env.cr.savepoint():
                company.care_cart_run_day = False
        except psycopg2.errors.SerializationFailure:
            # another worker ended it at the same time
            _logger.info(
                "service_care: cart run of %s ended by another worker", company.name
            )

    @api.model
    def _care_wake_cart_workers(self):
        """Wake every active cart worker cron, so they share the run now."""
        workers = self.env["ir.cron"].search(
            [
                ("code", "like", "_cron_weekly_carts"),
                ("model_id.model", "=", self._name),
            ]
        )
        for worker in workers:
            worker._trigger()

    @api.model
    def _care_create_carts_safely(self, company, carts, run_day):
        """Make the carts; skip the customers another run carted meanwhile.

        The unique index on open carts refuses a second one; the batch is
        then made cart by cart, without the customers it refused.
        """

        def refused(cart, error):
            # Only "one open cart per customer" means another run was first;
            # any other integrity error is a bug and must show.
            if (
                not isinstance(error, psycopg2.errors.UniqueViolation)
                or error.diag.constraint_name != "sale_order_care_open_cart_unique"
            ):
                raise error
            _logger.info(
                "service_care: customer %s already has an open cart", cart.partner_id
            )

        orders = self.env["service.care.batch.job"]._care_in_savepoints(
            carts,
            lambda batch: self.env["service.care.cart.builder"]._care_create_carts(
                company, batch, run_day
            ),
            refused,
            errors=(psycopg2.IntegrityError,),
        )
        return orders if orders is not None else self.env["sale.order"]

    @api.model
    def _care_due_sql(self, company, run_day, after=0, shard=None):
        """The due reminders of ``company``'s customers above ``after``.

        Due by the end of the week of ``run_day``, on a product still sold and
        replenished, of a customer with no open cart, in ``shard``. ``FROM``
        and ``WHERE`` of a query on ``service_care_reminder r``.
        """
        index, count = shard or (0, 1)
        return SQL(
            """
              FROM service_care_reminder r
              JOIN product_product pp ON pp.id = r.product_id AND pp.active
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
               AND pt.care_replenish AND pt.sale_ok AND pt.active
             WHERE r.company_id = %(company)s
               AND r.state IN ('scheduled', 'postponed')
               AND r.due_date <= %(until)s
               AND r.partner_id > %(after)s
               AND mod(r.partner_id, %(count)s) = %(index)s
               AND NOT EXISTS (
                   SELECT 1 FROM sale_order so
                    WHERE so.partner_id = r.partner_id
                      AND so.company_id = r.company_id
                      AND so.care_predictive AND so.care_cart_state = 'open')
            """,
            company=company.id,
            until=horizon(run_day),
            after=after,
            count=count,
            index=index,
        )

    @api.model
    def _care_due_partners(self, company, run_day, after=0, limit=200, shard=None):
        """Ids of the customers of ``company`` with reminders to cart, in order.

        See ``_care_due_sql``.
        """
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT r.partner_id %s GROUP BY r.partner_id "
                "ORDER BY r.partner_id LIMIT %s",
                self._care_due_sql(company, run_day, after, shard),
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _care_due_count(self, company, run_day, after=0, shard=None):
        """About how many customers of ``company`` above ``after`` are due.

        The due reminders' customers, without looking for an open cart: those
        whose cart is still open count too (a few), but the count stays one
        index scan however many carts the run already made.
        """
        index, count = shard or (0, 1)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT count(DISTINCT r.partner_id)
              FROM service_care_reminder r
             WHERE r.company_id = %(company)s
               AND r.state IN ('scheduled', 'postponed')
               AND r.due_date <= %(until)s
               AND r.partner_id > %(after)s
               AND mod(r.partner_id, %(count)s) = %(index)s
                """,
                company=company.id,
                until=horizon(run_day),
                after=after,
                count=count,
                index=index,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _care_claim_due(self, company, partner_ids, until):
        """Lock and return the due reminders of these customers.

        ``FOR UPDATE SKIP LOCKED``: what another worker holds is left to it.

        :return: ``(id, partner id, product id, quantity)`` rows
        """
        self.env.cr.execute(
            SQL(
                """
            SELECT r.id, r.partner_id, r.product_id, r.quantity
              FROM service_care_reminder r
             WHERE r.partner_id = ANY(%(partners)s)
               AND r.company_id = %(company)s
               AND r.state IN ('scheduled', 'postponed')
               AND r.due_date <= %(until)s
               AND r.product_id IN (
                   SELECT pp.id FROM product_product pp
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                    WHERE pp.active AND pt.care_replenish AND pt.sale_ok
                      AND pt.active)
             ORDER BY r.id
               FOR UPDATE OF r SKIP LOCKED
                """,
                partners=partner_ids,
                company=company.id,
                until=until,
            ),
            log_exceptions=False,
        )
        return self.env.cr.fetchall()

    @api.model
    def _care_run_company(self, company, run_day, batch_size=500, shard=None):
        """Cart the reminders of ``company`` due by the end of the coming week.

        A batch of customers at a time, in customer order: their due
        reminders are claimed with ``FOR UPDATE SKIP LOCKED`` (what another
        worker holds is left to it) and become one cart per customer. A
        customer who still has an open cart gets no second one. Committed per
        batch when not testing: an interrupted run resumes where it stopped.

        :param shard: ``(index, count)``: only the customers whose id modulo
            ``count`` is ``index``, for ``count`` workers sharing the run
        :return: how many carts were made
        """
        until = horizon(run_day)
        after, carts = [0], []

        def claim(limit):
            """The next customers due: their reminders locked, their carts grouped."""
            partner_ids = self._care_due_partners(
                company, run_day, after[0], limit, shard
            )
            if partner_ids:
                # may lose a race with another worker: then this is called
                # again in a new transaction (service.care.batch.job)
                rows = self._care_claim_due(company, partner_ids, until)
                after[0] = partner_ids[-1]
                carts[:] = group_carts(rows)
            return partner_ids

        done = self.env["service.care.batch.job"]._care_run_batches(
            claim=claim,
            process=lambda _partner_ids: len(
                self._care_create_carts_safely(company, carts, run_day)
            ),
            remaining=lambda: self._care_due_count(company, run_day, after[0], shard),
            batch_size=batch_size,
            cron=self._care_wake_cart_workers,
            # one job per batch of customers, each its own share of them
            fan_out=FanOut(
                self._name,
                "_care_job_weekly_carts",
                "carts",
                f"carts-{company.id}-{run_day}",
                {
                    "company_id": company.id,
                    "run_day": fields.Date.to_string(run_day),
                    "batch_size": batch_size,
                },
                sharded=True,
                # every customer due, whatever share the calling cron has
                remaining=lambda: self._care_due_count(company, run_day),
            ),
        )
        _logger.info(
            "service_care: %s predictive carts for %s (run of %s)",
            done,
            company.name,
            run_day,
        )
        return done
