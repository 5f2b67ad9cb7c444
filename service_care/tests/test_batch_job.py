# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.service_care.models import service_care_batch_job
from odoo.addons.service_care.tools.remembered import recall

DISPATCH = "service_care.ir_cron_service_care_message_dispatch"


@tagged("post_install", "-at_install")
class TestBatchJob(TransactionCase):
    """The one claim / process / commit / progress loop of the addon's crons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["service.care.batch.job"]
        cls.Partner = cls.env["res.partner"]
        cls.partners = cls.Partner.create(
            [{"name": f"Batch {n}", "ref": "batch-due"} for n in range(5)]
        )
        cls.cron = cls.env.ref(DISPATCH)

    def _in_cron(self):
        """This env as in a cron run: Odoo's runner reads the progress back."""
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.cron.id, "done": 0, "remaining": 0}
        )
        return self.env(context=dict(self.env.context, ir_cron_progress_id=progress.id))

    def _run(self, env, batch_size, **kwargs):
        Job, Partner = env["service.care.batch.job"], env["res.partner"]
        due = SQL("ref = 'batch-due'")
        processed = []

        def process(partners):
            processed.append(partners.ids)
            partners.ref = "batch-done"

        done = Job._care_run_batches(
            claim=lambda limit: Job._care_lock(Partner, due, SQL("id"), limit),
            process=process,
            remaining=lambda: Job._care_count(Partner, due),
            batch_size=batch_size,
            **kwargs,
        )
        return done, processed

    def test_every_due_row_once_in_batches(self):
        env = self._in_cron()
        done, processed = self._run(env, batch_size=2, cron=DISPATCH)
        self.assertEqual(done, 5)
        self.assertEqual(
            processed,
            [self.partners.ids[0:2], self.partners.ids[2:4], self.partners.ids[4:]],
        )
        progress = self.env["ir.cron.progress"].browse(
            env.context["ir_cron_progress_id"]
        )
        self.assertRecordValues(progress, [{"done": 5, "remaining": 0}])
        # nothing due: nothing claimed, nothing done
        self.assertEqual(self._run(env, batch_size=2), (0, []))

    def test_a_small_first_batch_then_doubling_up_to_the_batch_size(self):
        env = self._in_cron()
        done, processed = self._run(env, batch_size=2, first_batch=1)
        self.assertEqual(done, 5)
        ids = self.partners.ids
        self.assertEqual(processed, [ids[0:1], ids[1:3], ids[3:5]])

    def test_a_call_remembers_what_its_batches_recall(self):
        """What one batch worked out (``tools.remembered.recall``) the next
        batches of the call reuse; the next call works it out again."""
        computed = []

        def name_of(keys):
            computed.append(keys)
            return {key: f"variant {key}" for key in keys}

        def process(partners):
            recall("variant name", [7], name_of)
            partners.ref = "batch-done"

        due = SQL("ref = 'batch-due'")
        batches = []

        def run():
            return self.Job._care_run_batches(
                claim=lambda limit: self.Job._care_lock(
                    self.Partner, due, SQL("id"), limit
                ),
                process=lambda partners: batches.append(partners) or process(partners),
                remaining=lambda: self.Job._care_count(self.Partner, due),
                batch_size=2,
            )

        self.assertEqual(run(), 5)
        self.assertEqual(len(batches), 3)
        self.assertEqual(computed, [[7]], "computed once for the call's batches")
        self.partners[:2].ref = "batch-due"
        run()
        self.assertEqual(computed, [[7], [7]], "and again in the next call")

    def test_time_up_reports_the_real_remainder_and_wakes_the_cron(self):
        env = self._in_cron()
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()
        done, processed = self._run(env, batch_size=2, cron=DISPATCH, time_budget=0)
        self.assertEqual((done, processed), (2, [self.partners.ids[:2]]))
        progress = self.env["ir.cron.progress"].browse(
            env.context["ir_cron_progress_id"]
        )
        # Odoo's cron runner calls a job again at once while work remains,
        # and counts a crash after committed progress as "partially done"
        self.assertRecordValues(progress, [{"done": 2, "remaining": 3}])
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        )

    def test_shipped_cron_reports_what_is_left(self):
        """Message dispatch through the base: the remainder is the real one."""
        partner = self.Partner.create({"name": "Due", "email": "due@example.com"})
        past = fields.Datetime.now() - timedelta(minutes=1)
        Message = self.env["service.care.message"]
        Message.create(
            [
                {
                    "partner_id": partner.id,
                    "channel": "email",
                    "kind": "transactional",
                    "state": "scheduled",
                    "scheduled_at": past,
                }
                for _n in range(3)
            ]
        )
        env = self._in_cron()
        with (
            patch.object(service_care_batch_job, "TIME_BUDGET", 0),
            patch.object(type(Message), "_dispatch", autospec=True) as dispatch,
        ):
            dispatch.side_effect = lambda messages: messages.write(
                {"state": "sent", "sent_at": fields.Datetime.now()}
            )
            self.assertEqual(
                env["service.care.message"]._cron_dispatch(batch_size=1), 1
            )
        left = Message.search_count(
            [("state", "=", "scheduled"), ("scheduled_at", "<=", fields.Datetime.now())]
        )
        self.assertGreaterEqual(left, 2)
        progress = self.env["ir.cron.progress"].browse(
            env.context["ir_cron_progress_id"]
        )
        self.assertRecordValues(progress, [{"done": 1, "remaining": left}])

    def test_a_failing_item_does_not_fail_the_others(self):
        failed = []

        def create(names):
            if "bad" in names:
                raise ValueError("bad name")
            return self.Partner.create([{"name": name} for name in names])

        made = self.Job._care_in_savepoints(
            ["good 1", "bad", "good 2"],
            create,
            lambda name, error: failed.append((name, str(error))),
        )
        self.assertEqual(made.mapped("name"), ["good 1", "good 2"])
        self.assertEqual(failed, [("bad", "bad name")])
        self.assertFalse(self.Partner.search([("name", "=", "bad")]))
        # the usual case: one savepoint, all of them at once
        made = self.Job._care_in_savepoints(["good 3", "good 4"], create, None)
        self.assertEqual(made.mapped("name"), ["good 3", "good 4"])

    def test_only_the_listed_errors_are_caught(self):
        def fail(_items):
            raise KeyError("a bug")

        with self.assertRaises(KeyError):
            self.Job._care_in_savepoints([1, 2], fail, None, errors=(ValueError,))

    def test_a_row_another_worker_changed_is_skipped_not_fatal(self):
        admin = self.env.ref("base.partner_admin")
        Partner = self.env["res.partner"]
        where = SQL("id = %s", admin.id)
        self.env.cr.execute("SELECT 1")  # this transaction's snapshot is taken
        # another worker changes the row and commits (a change of nothing)
        with self.registry.cursor() as other:
            other.execute(
                "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                [admin.id],
            )
        locked = self.Job._care_lock(Partner, where, SQL("id"), 1, skip_changed=True)
        self.assertFalse(locked)
        # the transaction is still usable
        self.assertEqual(Partner.search_count([("id", "=", admin.id)]), 1)
