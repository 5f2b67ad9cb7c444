# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The journal of sends whose outcome is not recorded yet.

Between the moment a server (SMTP, SMS gateway) takes a message and the
moment the sender commits "sent", a crash leaves the message "outgoing": the
next run would send it again. So, just before handing a message of the log to
a server, its row here is committed on a cursor of its own, and removed once
the outcome is committed. A row found at the next try means the previous one
died in between: the server may or may not have taken the message.
"""

from odoo import api, fields, models
from odoo.tools import SQL

SENDERS = [("mail.mail", "Email"), ("sms.sms", "SMS")]


class ServiceCareSendAttempt(models.Model):
    _name = "service.care.send.attempt"
    _description = "Service Care Send In Flight"
    _log_access = False

    res_model = fields.Selection(SENDERS, required=True)
    # Not a foreign key: the journal is written before the sender's own
    # transaction commits, and may name a mail that transaction creates.
    res_id = fields.Many2oneReference(model_field="res_model", required=True)
    started_at = fields.Datetime(required=True)

    _sql_constraints = [
        ("record_unique", "UNIQUE(res_model, res_id)", "One attempt per message."),
    ]

    @api.model
    def _care_pending(self, res_model, ids):
        """The ids among ``ids`` that an earlier try left in flight."""
        if not ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT res_id FROM service_care_send_attempt "
                "WHERE res_model = %s AND res_id IN %s",
                res_model,
                tuple(ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _care_begin(self, res_model, res_id):
        """Record that this message is about to be handed to its server.

        Committed at once on another cursor, so that it survives a crash of
        the sender's transaction; under tests, in the test's transaction.
        """
        query = SQL(
            "INSERT INTO service_care_send_attempt (res_model, res_id, started_at) "
            "VALUES (%s, %s, now() AT TIME ZONE 'UTC') "
            "ON CONFLICT (res_model, res_id) DO NOTHING",
            res_model,
            res_id,
        )
        if self.env["service.care.batch.job"]._care_testing():
            self.env.cr.execute(query)
            return
        with self.env.registry.cursor() as cr:
            cr.execute(query)

    @api.model
    def _care_forget(self, res_model, ids):
        """Drop the journal rows of these messages once their outcome is saved.

        After the sender's commit only: dropped earlier, a crash before that
        commit would leave the message outgoing with nothing saying it may
        have gone out.
        """
        if not ids:
            return
        query = SQL(
            "DELETE FROM service_care_send_attempt "
            "WHERE res_model = %s AND res_id IN %s",
            res_model,
            tuple(ids),
        )
        if self.env["service.care.batch.job"]._care_testing():
            self.env.cr.execute(query)
            return
        registry = self.env.registry

        @self.env.cr.postcommit.add
        def forget():
            with registry.cursor() as cr:
                cr.execute(query)

    @api.autovacuum
    def _gc_settled(self):
        """Drop rows whose message is no longer waiting to be sent."""
        self.env.cr.execute(
            SQL(
                """
            DELETE FROM service_care_send_attempt a
             WHERE (a.res_model = 'mail.mail' AND NOT EXISTS (
                        SELECT 1 FROM mail_mail m
                         WHERE m.id = a.res_id AND m.state = 'outgoing'))
                OR (a.res_model = 'sms.sms' AND NOT EXISTS (
                        SELECT 1 FROM sms_sms s
                         WHERE s.id = a.res_id AND s.state = 'outgoing'))
                """
            )
        )
