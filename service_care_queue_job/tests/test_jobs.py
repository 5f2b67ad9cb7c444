# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import os
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.service_care.tests.common import ServiceCareCase
from odoo.addons.service_care.tests.replenishment_common import ReplenishmentMixin

# Warsaw is UTC+1 in winter: the Monday 08:00 run is at 07:00 UTC.
FEB_4 = datetime(2026, 2, 4, 10, 0)
MONDAY_MAR_2 = datetime(2026, 3, 2, 7, 0)
IN_WINDOW = datetime(2026, 3, 2, 10, 0)
CALL = "_care_job_call"


@tagged("post_install", "-at_install")
class TestJobs(ReplenishmentMixin, ServiceCareCase):
    """With queue_job installed, the heavy crons enqueue jobs and the jobs
    do the work, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_replenishment()
        cls.customers = cls._make_customers(7)
        with freeze_time(FEB_4):
            for customer in cls.customers:
                cls._order(customer, (cls.filters, 1))

    @classmethod
    def _order(cls, partner, *lines):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )
        order.action_confirm()
        return order

    def _carts(self):
        return self.env["sale.order"].search(
            [
                ("partner_id", "in", self.customers.ids),
                ("care_predictive", "=", True),
            ]
        )

    def _jobs(self):
        return self.env["queue.job"].search(
            [("model_name", "=", "service.care.batch.job"), ("method_name", "=", CALL)]
        )

    def test_weekly_carts_one_job_per_batch_of_customers(self):
        with freeze_time(MONDAY_MAR_2):
            # both shipped cart crons start the run: the job is enqueued once
            for cron in ("weekly_carts", "weekly_carts_2"):
                self.env.ref(f"service_care.ir_cron_service_care_{cron}").with_context(
                    lastcall=False
                ).method_direct_trigger()
        self.assertFalse(self._carts(), "the crons only enqueue")
        self.assertEqual(str(self.company.care_cart_run_day), "2026-03-02")
        # (the demo's other company has a run of its own)
        [job] = self._jobs().filtered(
            lambda job: job.args[2]["company_id"] == self.company.id
        )
        self.assertEqual(job.channel, "root.service_care.carts")
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.args[2]["shard"], [0, 1], "7 customers: one batch")
        with trap_jobs() as trap, freeze_time(MONDAY_MAR_2):
            # 7 customers in batches of 3: three jobs, each its own share of
            # all of them, whatever share the calling cron worker had
            self.Reminder._cron_weekly_carts(batch_size=3, shard=(0, 2))
            self.assertEqual(
                [job.args[2]["shard"] for job in trap.enqueued_jobs],
                [[0, 3], [1, 3], [2, 3]],
            )
            trap.perform_enqueued_jobs()
        carts = self._carts()
        self.assertEqual(sorted(carts.partner_id.ids), sorted(self.customers.ids))
        self.assertFalse(self.company.care_cart_run_day, "the last job ended the run")
        # The stored job run late (or again, after a crash) carts nobody twice.
        with freeze_time(MONDAY_MAR_2):
            Job.load(self.env, job.uuid).perform()
        self.assertEqual(self._carts(), carts)

    def test_dispatch_runs_as_jobs_on_the_messages_channel(self):
        with freeze_time("2026-03-01 23:00:00"):  # midnight in Warsaw: deferred
            messages = self.env["service.care.message"].send_template(
                self.mail_template, self.customers, "email", "marketing"
            )
        self.assertEqual(set(messages.mapped("state")), {"scheduled"})
        channels = "root:4,root.service_care.messages:2"
        with (
            freeze_time(IN_WINDOW),
            patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": channels}),
        ):
            self.Message._cron_dispatch(batch_size=2)
            self.Message._cron_dispatch(batch_size=2)  # waiting: nothing more
        # 7 due in batches of 2, but the channel runs 2 at once
        jobs = self._jobs()
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("channel")), {"root.service_care.messages"})
        self.assertEqual(set(messages.mapped("state")), {"scheduled"})
        with freeze_time(IN_WINDOW):
            for job in jobs:
                Job.load(self.env, job.uuid).perform()
        self.assertEqual(set(messages.mapped("state")), {"queued"})
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        self.assertEqual(len(mails), len(messages), "one email each, none twice")

    def test_other_crons_enqueue_their_jobs(self):
        for model, method, channel in (
            ("service.care.scenario.run", "_cron_run", "root.service_care.messages"),
            ("service.care.waitlist", "_cron_detect", "root.service_care.messages"),
            ("service.care.sms.report", "_cron_process", "root.service_care.sms"),
        ):
            with self.subTest(model=model), trap_jobs() as trap:
                getattr(self.env[model], method)()
                [job] = trap.enqueued_jobs
                self.assertEqual(job.channel, channel)
                self.assertEqual(job.args[:2], (model, method))
                trap.perform_enqueued_jobs()

    def test_jobs_of_a_dead_worker_go_back_to_the_queue(self):
        with freeze_time(IN_WINDOW):
            self.Message._cron_dispatch()
            self.Run._cron_run()
        dead, alive = self._jobs()
        dead.write({"state": "started", "date_started": datetime(2026, 3, 2, 9, 45)})
        alive.write({"state": "started", "date_started": datetime(2026, 3, 2, 9, 55)})
        with freeze_time(IN_WINDOW):
            requeued = self.env["service.care.batch.job"]._care_requeue_dead_jobs()
        self.assertEqual(requeued, dead)
        self.assertEqual((dead.state, alive.state), ("pending", "started"))

    def test_a_job_calls_only_the_crons(self):
        with self.assertRaises(UserError):
            self.env["service.care.batch.job"]._care_job_call(
                "res.partner", "unlink", {}
            )
