# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import delivery_reports
from .service_care_batch_job import FanOut

_logger = logging.getLogger(__name__)

# A report whose SMS is not visible yet (the transaction that sends it has
# not committed) is kept this long before it is dropped as unknown.
UNKNOWN_KEEP = timedelta(hours=1)
RETRY_LATER = timedelta(minutes=1)
# The webhook wakes the cron at most this often (seconds, per process); a
# run that applied reports runs again AGAIN_AFTER later, so a report stored
# in between is never left waiting for the cron's interval.
TRIGGER_EVERY = 1.0
AGAIN_AFTER = timedelta(seconds=2)
_last_trigger = {}  # database name -> time.monotonic() of the last trigger


class ServiceCareSmsReport(models.Model):
    """Inbox of delivery reports, between the webhook and the SMS.

    The webhook only checks the signature and stores the normalised report
    (one INSERT), so a gateway posting thousands of reports a minute is
    answered at once; ``_cron_process`` applies them in batches with
    ``sms.sms._care_apply_reports`` and deletes them.
    """

    _name = "service.care.sms.report"
    _description = "SMS Delivery Report"
    _order = "id"
    _log_access = False

    gateway_id = fields.Many2one(
        "service.care.sms.gateway", required=True, ondelete="cascade"
    )
    sms_uuid = fields.Char("SMS UUID", required=True, index=True)
    status = fields.Selection(
        [(status, status.title()) for status in delivery_reports.STATUSES],
        required=True,
    )
    reason = fields.Char()
    failure_type = fields.Char()
    smsc_message_id = fields.Char("Gateway Reference")
    error_code = fields.Char()
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
    retry_at = fields.Datetime(
        help="Its SMS was busy or not visible yet: applied again from then."
    )

    @api.model
    def _enqueue(self, gateway_id, sms_uuid, report):
        """Store one report and wake the cron that applies it."""
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO service_care_sms_report
                (gateway_id, sms_uuid, status, reason, failure_type,
                 smsc_message_id, error_code, received_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC')
                """,
                gateway_id,
                sms_uuid,
                report.status,
                report.reason,
                report.failure_type,
                report.smsc_message_id,
                report.error_code,
            )
        )
        now, dbname = time.monotonic(), self.env.cr.dbname
        if now - _last_trigger.get(dbname, float("-inf")) >= TRIGGER_EVERY:
            # Not one wake-up per report: at hundreds a second, creating the
            # triggers and waking the cron for each would cost more than
            # storing the reports.
            self._cron()._trigger()
            # Counted once committed: a rolled back trigger woke nobody.
            self.env.cr.postcommit.add(lambda: _last_trigger.update({dbname: now}))

    def _cron(self):
        # sudo: the public webhook wakes the cron that applies its reports.
        return self.env.ref("service_care.ir_cron_service_care_sms_report").sudo()

    def _report(self):
        self.ensure_one()
        return delivery_reports.Report(
            status=self.status,
            reason=self.reason or None,
            smsc_message_id=self.smsc_message_id or None,
            error_code=self.error_code or None,
            failure_type=self.failure_type or None,
        )

    @api.model
    def _cron_process(self, batch_size=2000):
        """Apply the stored reports, oldest first, a batch at a time.

        Claimed and committed per batch by ``service.care.batch.job``. A
        report whose SMS is busy (being sent) or not visible yet waits
        ``RETRY_LATER``; one whose SMS is still unknown after ``UNKNOWN_KEEP``
        is logged and dropped.

        :return: the number of reports applied or dropped
        """
        kept_any = []

        def process(reports):
            kept = reports._apply()
            (reports - kept).unlink()
            kept.retry_at = fields.Datetime.now() + RETRY_LATER
            kept_any.append(bool(kept))
            return len(reports) - len(kept)

        done = self.env["service.care.batch.job"]._care_run_queue(
            self,
            self._due_sql,
            SQL("id"),
            process,
            batch_size,
            cron="service_care.ir_cron_service_care_sms_report",
            fan_out=FanOut(
                self._name,
                "_cron_process",
                "sms",
                "sms_reports",
                {"batch_size": batch_size},
            ),
        )
        if done:
            self._cron()._trigger(fields.Datetime.now() + AGAIN_AFTER)
        elif any(kept_any):
            self._cron()._trigger(fields.Datetime.now() + RETRY_LATER)
        return done

    @api.model
    def _due_sql(self):
        """The reports to apply now, as a condition on the table."""
        return SQL("retry_at IS NULL OR retry_at <= %s", fields.Datetime.now())

    def _apply(self):
        """Apply these reports to their SMS; return the reports to keep."""
        by_sms = {}  # (gateway id, uuid) -> merged Report, in arrival order
        for report in self:
            key = (report.gateway_id.id, report.sms_uuid)
            by_sms[key] = delivery_reports.merge_reports(
                by_sms.get(key), report._report()
            )
        # sudo: a delivery report updates its SMS, whoever runs the cron.
        outcome = self.env["sms.sms"].sudo()._care_apply_reports(by_sms)
        waiting = {key for key, result in outcome.items() if result != "applied"}
        if not waiting:
            return self.browse()
        limit = fields.Datetime.now() - UNKNOWN_KEEP
        kept = self.browse()
        unknown = []
        for report in self:
            key = (report.gateway_id.id, report.sms_uuid)
            if key not in waiting:
                continue
            if outcome[key] == "busy" or report.received_at > limit:
                kept |= report
            else:
                unknown.append(report.sms_uuid)
        if unknown:
            _logger.info(
                "%s delivery report(s) for unknown SMS dropped: %s",
                len(unknown),
                ", ".join(unknown[:20]) + (" ..." if len(unknown) > 20 else ""),
            )
        return kept
