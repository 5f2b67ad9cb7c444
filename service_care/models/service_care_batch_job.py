# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How every cron of Service Care works through its queue, written once.

A feature says what a due row is and what to do with a batch; this base
claims a batch (``FOR UPDATE SKIP LOCKED``: two workers never hold the same
row), processes it, commits (not under tests, where the test's transaction
must stay open), reports the real ``done`` / ``remaining`` to Odoo's cron
progress and hands back to Odoo's cron runner when its time is up, so that
the cron is called again at once while work remains (Odoo 18's
``ir.cron._notify_progress`` contract). A feature whose queue is the due rows
of one table writes::

    @api.model
    def _cron_dispatch(self, batch_size=500):
        return self.env["service.care.batch.job"]._care_run_queue(
            self,
            self._due_sql,  # SQL("state = 'scheduled' AND scheduled_at <= %s", now)
            SQL("scheduled_at, id"),
            lambda messages: messages._dispatch(),
            batch_size,
            cron="service_care.ir_cron_service_care_message_dispatch",
        )

and one whose batch is made otherwise (a restock round, the customers due
for a cart) gives ``_care_run_batches`` its own ``claim`` and ``remaining``.

``_care_in_savepoints`` runs a batch where one record may fail without
failing the others; ``_care_commit`` is the only commit of the addon's
business code.

Each cron also says, with a ``FanOut``, how its work would run as parallel
jobs: ``_care_fan_out`` is the hook where an addon for a job queue (the
``service_care_queue_job`` glue for OCA ``queue_job``) takes the work over;
here it does nothing and the cron does the work itself.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg2

from odoo import api, models
from odoo.tools import SQL, mute_logger

from ..tools.remembered import call_scope

_logger = logging.getLogger(__name__)

# A cron call hands back to Odoo's cron runner after this many seconds (the
# runner calls it again at once while work remains); well under Odoo's
# default limit_time_real_cron of a worker (120 s).
TIME_BUDGET = 60.0


@dataclass(frozen=True)
class FanOut:
    """How a cron's work runs as jobs: ``env[model].<method>(**kwargs)``.

    :param channel: the kind of work, for the job queue's channels
        ("carts", "messages", "sms")
    :param key: what identifies this piece of work (with the job's number):
        a second start while the first's jobs wait adds none
    :param sharded: each job gets ``shard=(index, count)`` and does only
        its share (work claimed in order rather than ``SKIP LOCKED``)
    :param remaining: how many items the whole work has, when the cron's
        own ``remaining`` counts only its share
    """

    model: str
    method: str
    channel: str
    key: str
    kwargs: dict = field(default_factory=dict)
    sharded: bool = False
    remaining: Callable[[], int] | None = None


class ServiceCareBatchJob(models.AbstractModel):
    _name = "service.care.batch.job"
    _description = "Service Care Batch Job"

    @api.model
    def _care_testing(self):
        """Whether this runs inside a test, whose transaction must stay open;
        or inside a module install (the demo shop's carts of the week), whose
        transaction is the install's: context ``service_care_one_transaction``.
        """
        return bool(
            getattr(threading.current_thread(), "testing", False)
            or self.env.context.get("service_care_one_transaction")
        )

    @api.model
    def _care_commit(self):
        """Commit the work done so far; inside a test, flush only."""
        if self._care_testing():
            self.env.flush_all()
            return
        self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _care_lock(self, model, where, order, limit, *, skip_changed=False):
        """Lock up to ``limit`` rows of ``model`` matching ``where``; return them.

        :param model: an empty recordset of the model to claim from
        :param where: an ``SQL`` condition on its table (no alias)
        :param order: an ``SQL`` order of its columns
        :param skip_changed: return nothing, rather than fail the transaction,
            when another worker changed the rows since this transaction began
            (under REPEATABLE READ it cannot lock them: they are not its to
            take now; the next run sees them as they are)
        """
        # The claim reads the table: pending ORM writes must be in it.
        model.flush_model()
        query = SQL(
            "SELECT id FROM %s WHERE (%s) ORDER BY %s LIMIT %s FOR UPDATE SKIP LOCKED",
            SQL.identifier(model._table),
            where,
            order,
            limit,
        )
        if not skip_changed:
            self.env.cr.execute(query)
            return model.browse([row[0] for row in self.env.cr.fetchall()])
        try:
            # Expected, and handled below: not an error for Odoo's SQL log.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query)
                rows = self.env.cr.fetchall()
        except psycopg2.errors.SerializationFailure:
            _logger.info("%s changed by another worker: left to it", model._name)
            return model.browse()
        return model.browse([row[0] for row in rows])

    @api.model
    def _care_count(self, model, where):
        """How many rows of ``model`` match ``where``, locked or not."""
        model.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE (%s)",
                SQL.identifier(model._table),
                where,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _care_run_batches(
        self,
        claim,
        process,
        remaining,
        batch_size,
        *,
        cron=None,
        time_budget=None,
        fan_out=None,
        first_batch=None,
    ):
        """Claim and process batches until none is due or the time is up.

        :param claim: ``claim(limit)``: the next batch, locked for this
            worker (a recordset or a list); empty when nothing is due
        :param process: ``process(batch)``: do the work; returns how many
            items are done (None: the whole batch)
        :param remaining: ``remaining()``: how many items are still due
        :param cron: XML id of the cron to wake when the call stops with
            work left (outside a cron run, Odoo's runner does not know), or
            a function that wakes what must go on
        :param time_budget: seconds before handing back (``TIME_BUDGET``)
        :param fan_out: a ``FanOut``: how the work runs as jobs where a job
            queue takes it over (``_care_fan_out``)
        :param first_batch: the size of the first batch, when smaller than
            ``batch_size``: the cron that goes on with this one's work (woken
            by its commit) starts sooner; the next batches double up to
            ``batch_size``
        :return: how many items were done (0 when handed to jobs)
        """
        if fan_out is not None and self._care_fan_out(
            fan_out, fan_out.remaining or remaining, batch_size
        ):
            return 0
        budget = TIME_BUDGET if time_budget is None else time_budget
        started = time.monotonic()
        done = left = 0
        limit = min(first_batch or batch_size, batch_size)
        # What the batches show again (a variant's name, price and link) is
        # worked out once per call (``tools.remembered.recall``).
        with call_scope():
            while True:
                try:
                    batch = claim(limit)
                except psycopg2.errors.SerializationFailure:
                    if self._care_testing():
                        raise
                    # Another worker changed these rows since this transaction
                    # began: a new transaction sees what it did.
                    self.env.cr.rollback()
                    continue
                if not batch:
                    left = 0
                    break
                result = process(batch)
                done += len(batch) if result is None else result
                left = remaining()
                self.env["ir.cron"]._notify_progress(done=done, remaining=left)
                self._care_commit()
                if not self._care_testing():
                    # keep memory flat in the number of rows
                    self.env.invalidate_all()
                if len(batch) < limit or not left:
                    break
                limit = min(limit * 2, batch_size)
                if time.monotonic() - started >= budget:
                    _logger.info(
                        "service_care: %s done, %s left; "
                        "the cron goes on in a new call",
                        done,
                        left,
                    )
                    if callable(cron):
                        cron()
                    elif cron:
                        # sudo: waking a cron is bookkeeping of the job itself
                        self.env.ref(cron).sudo()._trigger()
                    break
        return done

    @api.model
    def _care_fan_out(self, fan_out, remaining, batch_size):
        """Hand the work to parallel jobs instead of doing it in this call;
        return whether it was handed.

        Without a job queue the cron does the work: nothing is handed.
        """
        return False

    @api.model
    def _care_run_queue(
        self, model, due, order, process, batch_size, *, cron=None, fan_out=None
    ):
        """``_care_run_batches`` over the rows of one table that are due.

        :param model: an empty recordset of the model whose rows are the queue
        :param due: ``due()``: the ``SQL`` condition of a due row, asked
            again at each claim (what is due changes with the time)
        :param order: ``SQL`` order in which the rows are claimed
        :param process: ``process(records)``, see ``_care_run_batches``
        """
        return self._care_run_batches(
            claim=lambda limit: self._care_lock(model, due(), order, limit),
            process=process,
            remaining=lambda: self._care_count(model, due()),
            batch_size=batch_size,
            cron=cron,
            fan_out=fan_out,
        )

    @api.model
    def _care_in_savepoints(self, items, process, on_error, errors=(Exception,)):
        """Process ``items`` together; if that fails, each on its own.

        The usual case costs one savepoint for the whole batch; when it
        fails, each item gets a savepoint of its own, so the culprits are
        found and the others go through.

        :param process: ``process(items)``: returns what it makes, a
            recordset or a list, or None
        :param on_error: ``on_error(item, exception)``, after the item's
            savepoint was rolled back
        :return: what ``process`` made, concatenated
        """
        try:
            with self.env.cr.savepoint():
                return process(items)
        except errors as error:
            if len(items) == 1:
                on_error(items[0], error)
                return None
        # (a savepoint rolled back clears the ORM cache of the transaction)
        made = None
        for item in items:
            single = item if isinstance(item, models.BaseModel) else [item]
            try:
                with self.env.cr.savepoint():
                    result = process(single)
            except errors as error:
                on_error(item, error)
                continue
            if made is None:
                made = result
            elif isinstance(result, models.BaseModel):
                made |= result
            elif result is not None:
                made += result
        return made

    @api.model
    def _care_insert(self, table, columns, rows, constants):
        """INSERT ``rows`` (dicts) into ``table`` in one statement; return the
        new ids in order (the order of ``RETURNING``, as the ORM's own
        ``_create`` relies on).

        For the rows a batch makes by the thousand (chatter copies, outgoing
        mails, run events): ``create()`` costs a default lookup, a cache
        entry and a recompute check per row. No ``create`` override runs and
        no computed field is stored: only for tables whose rows need none;
        the caller invalidates the caches that list them.

        :param constants: ``{column: value}`` the same for every row; the
            create and write user and date are added

        A row's ``False``, the ORM's empty value, is stored as NULL, as the
        ORM stores it in any column but a boolean one (psycopg2 would send
        the boolean, which a text column keeps as the word "false").
        """
        uid = self.env.uid
        now = self.env.cr.now()  # the transaction's time, as the ORM stamps
        constants = dict(
            constants, create_uid=uid, write_uid=uid, create_date=now, write_date=now
        )
        names = [*columns, *constants]
        # One placeholder per column: the values are parameters, never text.
        placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
        fixed = list(constants.values())
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL(", ").join(
                    SQL(
                        placeholders,
                        *[None if row[c] is False else row[c] for c in columns],
                        *fixed,
                    )
                    for row in rows
                ),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
