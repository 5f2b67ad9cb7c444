# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The journal of sends whose outcome is not recorded yet.

Between the moment a server (SMTP, SMS gateway) takes a message and the
moment the sender commits "sent", a crash leaves the message "outgoing": the
next run would send it again. So, just before handing a message of the log to
a server, its row here is committed on a cursor of its own, and removed once
the outcome is committed. A row found at the next try means the previous one
died in between: the server may or may not have taken the message.

Emails go out in batches over one SMTP connection and their outcome is saved
once per batch; each row then also says whether the server took the email
(``accepted``, written with the next email's row), so a crash mid-batch
leaves at most the one email in flight unknown.
"""

import contextlib

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
    accepted = fields.Boolean(
        help="The server took it; only saving the outcome did not happen."
    )

    _sql_constraints = [
        ("record_unique", "UNIQUE(res_model, res_id)", "One attempt per message."),
    ]

    @api.model
    def _care_pending(self, res_model, ids, only_accepted=False):
        """The ids among ``ids`` that an earlier try left in flight (only
        those the server took, with ``only_accepted``)."""
        if not ids:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT res_id FROM service_care_send_attempt "
                "WHERE res_model = %s AND res_id IN %s AND (accepted OR %s)",
                res_model,
                tuple(ids),
                not only_accepted,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    @contextlib.contextmanager
    def _care_journal(self, res_model):
        """Journal a batch, one message at a time, on a cursor of its own.

        Yields ``step(res_id, accepted_id)``: ``res_id`` is about to be handed
        to its server (None after the last one), ``accepted_id`` (or None) is
        the previous one, which the server took. One statement and one commit
        per message; the commit does not wait for the disk
        (``synchronous_commit`` off): what it guards against is this process
        dying, not PostgreSQL.
        """

        def statement(res_id, accepted_id):
            if res_id is None:  # the last one of the batch
                return SQL(
                    "UPDATE service_care_send_attempt SET accepted = TRUE "
                    "WHERE res_model = %s AND res_id = %s",
                    res_model,
                    accepted_id,
                )
            return SQL(
                """
            WITH taken AS (
                UPDATE service_care_send_attempt SET accepted = TRUE
                 WHERE res_model = %(model)s AND res_id = %(accepted)s
            )
            INSERT INTO service_care_send_attempt (res_model, res_id, started_at)
            VALUES (%(model)s, %(res_id)s, now() AT TIME ZONE 'UTC')
            ON CONFLICT (res_model, res_id) DO NOTHING
                """,
                model=res_model,
                res_id=res_id,
                accepted=accepted_id,
            )

        if self.env["service.care.batch.job"]._care_testing():
            yield lambda res_id, accepted_id: self.env.cr.execute(
                statement(res_id, accepted_id)
            )
            return
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("SET synchronous_commit TO off"))
            try:

                def step(res_id, accepted_id):
                    cr.execute(statement(res_id, accepted_id))
                    # The journal's own cursor: the row must outlive a crash
                    # of the sender's transaction.
                    cr.commit()  # pylint: disable=invalid-commit

                yield step
            finally:
                cr.rollback()
                cr.execute(SQL("RESET synchronous_commit"))

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
