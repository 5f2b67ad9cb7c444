# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.jobrunner.channels import ChannelManager
from odoo.addons.queue_job.jobrunner.runner import _channels

# The job channel of each kind of work (see data/queue_job_channel_data.xml).
CHANNELS = {
    "carts": "root.service_care.carts",
    "messages": "root.service_care.messages",
    "sms": "root.service_care.sms",
}
# The crons whose work may run as jobs: a job names what it calls, and only
# these can be called.
JOB_CALLS = frozenset(
    {
        ("service.care.reminder", "_care_job_weekly_carts"),
        ("service.care.message", "_cron_dispatch"),
        ("service.care.scenario.run", "_cron_run"),
        ("service.care.waitlist", "_cron_detect"),
        ("service.care.sms.report", "_cron_process"),
    }
)
# A run of a million customers is still this many jobs, each a share.
MAX_JOBS = 256
# A job does one share of the work (a batch or two, or a minute's worth):
# one started this long ago has lost its worker.
DEAD_AFTER = timedelta(minutes=10)


class ServiceCareBatchJob(models.AbstractModel):
    """The crons' work handed to ``queue_job``: the cron enqueues the jobs,
    every Odoo worker of every host runs them.

    A sharded piece of work (the weekly carts) becomes one job per batch,
    each with its own share of the customers. Any other becomes as many jobs
    as the channel runs at once, each claiming batches (``SKIP LOCKED``)
    until nothing is due: more jobs would only find nothing to do. Each job
    has an identity key (the work, its number and the number of jobs), so a
    second start while the first's jobs wait enqueues nothing. The crons go
    on running as before: they start the work and sweep up what a lost job
    left.
    """

    _inherit = "service.care.batch.job"

    @api.model
    def _care_fan_out(self, fan_out, remaining, batch_size):
        if self.env.context.get("care_job"):
            return False  # this is one of the jobs: it does the work
        if (fan_out.model, fan_out.method) not in JOB_CALLS:
            return super()._care_fan_out(fan_out, remaining, batch_size)
        batches = math.ceil(remaining() / batch_size)
        channel = CHANNELS[fan_out.channel]
        if fan_out.sharded:
            count = min(max(batches, 1), MAX_JOBS)
        else:
            count = min(max(batches, 1), self._care_channel_capacity(channel))
        for index in range(count):
            kwargs = dict(fan_out.kwargs)
            if fan_out.sharded:
                kwargs["shard"] = [index, count]
            self.with_delay(
                channel=channel,
                identity_key=f"service_care.{fan_out.key}-{index}-of-{count}",
                description=self.env._(
                    "Service Care: %(work)s (%(index)s of %(count)s)",
                    work=fan_out.key,
                    index=index + 1,
                    count=count,
                ),
            )._care_job_call(fan_out.model, fan_out.method, kwargs)
        return True

    @api.model
    def _care_channel_capacity(self, channel):
        """How many jobs of ``channel`` the job runner runs at once: its
        capacity in the ``channels`` setting, else its closest parent's."""
        capacities = {
            config["name"]: config["capacity"]
            for config in ChannelManager.parse_simple_config(_channels())
        }
        name = channel
        while name:
            if name in capacities:
                return max(capacities[name], 1)
            name = name.rpartition(".")[0]
        return 1

    @api.model
    def _care_requeue_dead_jobs(self, dead_after=DEAD_AFTER):
        """Give the jobs whose worker died (killed, restarted) to another:
        a started Service Care job that has not finished in ``dead_after`` is
        put back in the queue. Its retry claims what is still due, so nothing
        is done twice."""
        # sudo: the job queue is for administrators; this cron only requeues
        # the addon's own jobs.
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("state", "=", "started"),
                    ("channel", "=like", "root.service_care.%"),
                    ("date_started", "<=", fields.Datetime.now() - dead_after),
                ]
            )
        )
        jobs.requeue()
        return jobs

    @api.model
    def _care_job_call(self, model, method, kwargs):
        """The job: one share of a cron's work, done as the cron does it."""
        if (model, method) not in JOB_CALLS:
            raise UserError(
                self.env._(
                    "A Service Care job cannot call %(model)s.%(method)s.",
                    model=model,
                    method=method,
                )
            )
        return getattr(self.env[model].with_context(care_job=True), method)(**kwargs)
