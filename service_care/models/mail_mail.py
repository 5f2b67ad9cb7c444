# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import smtplib
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

# How long an email of the log waits for an SMTP server that is down before
# it counts as failed, and how soon the queue tries again meanwhile.
SMTP_DOWN_PATIENCE = timedelta(days=2)
SMTP_DOWN_RETRY = timedelta(minutes=1)


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _send(  # noqa: PLR0917 (Odoo's signature)
        self,
        auto_commit=False,
        raise_exception=False,
        smtp_session=None,
        alias_domain_id=False,
        mail_server=False,
        post_send_callback=None,
    ):
        """Send the emails of the Service Care log one at a time, journalled.

        Each one is journalled as in flight before its SMTP transaction (see
        ``service.care.send.attempt``), so that a crash between the server
        taking it and Odoo committing "sent" never sends it twice blindly.
        Other emails go through Odoo unchanged.
        """
        options = {
            "auto_commit": auto_commit,
            "raise_exception": raise_exception,
            "smtp_session": smtp_session,
            "alias_domain_id": alias_domain_id,
            "mail_server": mail_server,
            "post_send_callback": post_send_callback,
        }
        messages = self._care_messages()
        others = self.filtered(lambda mail: mail.id not in messages)
        if others:
            super(MailMail, others)._send(**options)
        for mail in self - others:
            mail._care_send_one(messages[mail.id], options)
        return True

    def _care_send_one(self, messages, options):
        """Send one mail of the log, journalled; commit as Odoo's queue does."""
        self.ensure_one()
        if not self._care_lock():
            return  # sent meanwhile, or another process is sending it
        Attempt = self.env["service.care.send.attempt"]
        if Attempt._care_pending("mail.mail", self.ids):
            reason = self.env._(
                "The sending process stopped while the mail server was "
                "taking this email: it may have gone out. Not sent again "
                "automatically; re-send it if the customer did not get it."
            )
            if messages._care_left_uncertain(reason):
                self._care_hold(reason)
                self._care_commit_as_queue(options)
                return
        Attempt._care_begin("mail.mail", self.id)
        try:
            # Odoo's own _send of this one mail (not this override); it
            # commits itself under auto_commit: here the commit comes after
            # the savepoint, below.
            with self.env.cr.savepoint():
                super()._send(  # pylint: disable=super-method-mismatch
                    **dict(options, auto_commit=False, post_send_callback=None)
                )
        except smtplib.SMTPServerDisconnected:
            # The server went away before it confirmed the mail: it did not
            # take it (RFC 5321 4.1.1.4 leaves a duplicate possible only when
            # the link drops after the whole message, as for any MTA). Odoo
            # would leave it failed for good; keep it queued, try again soon.
            Attempt._care_forget("mail.mail", self.ids)
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger(
                fields.Datetime.now() + SMTP_DOWN_RETRY
            )
            raise
        self._care_commit_as_queue(options)

    def _care_commit_as_queue(self, options):
        """Commit this mail's outcome where Odoo's queue commits it."""
        if options["auto_commit"] is True:
            if options["post_send_callback"]:
                options["post_send_callback"](self.ids)
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _care_messages(self):
        """The log's messages of these mails, by mail id, in one query."""
        if not self:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT mm.id, scm.id FROM mail_mail mm "
                "JOIN service_care_message scm "
                "  ON scm.mail_message_id = mm.mail_message_id "
                "WHERE mm.id IN %s",
                tuple(self.ids),
            )
        )
        # sudo: the mail queue runs as whichever user sends; the log follows
        # the mail whatever that user may read of Service Care.
        Message = self.env["service.care.message"].sudo()
        by_mail = {}
        for mail_id, message_id in self.env.cr.fetchall():
            by_mail[mail_id] = by_mail.get(mail_id, Message) | Message.browse(
                message_id
            )
        return by_mail

    def _care_lock(self):
        """Lock this mail if still outgoing and nobody else holds it."""
        self.ensure_one()
        return self.env["service.care.batch.job"]._care_lock(
            self.browse(),
            SQL("id = %s AND state = 'outgoing'", self.id),
            SQL("id"),
            1,
            skip_changed=True,
        )

    def _care_hold(self, reason):
        """Park a mail that may have gone out: failed, with the reason shown."""
        self.write(
            {"state": "exception", "failure_type": "unknown", "failure_reason": reason}
        )
        self.env["service.care.send.attempt"]._care_forget("mail.mail", self.ids)

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """Report the outcome of sending on the service_care messages."""
        messages = self._care_messages()
        self.env["service.care.send.attempt"]._care_forget("mail.mail", list(messages))
        waiting = self.browse()
        if failure_type == "mail_smtp":
            waiting = self._care_wait_for_server(messages)
        care = self.env["service.care.message"].sudo()
        for mail_id, mail_messages in messages.items():
            if mail_id not in waiting.ids:
                care |= mail_messages
        if failure_type:
            care._mark("failed", reason_code=failure_type, reason=failure_reason)
        else:
            care._mark("sent")
        return super(MailMail, self - waiting)._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _care_wait_for_server(self, messages):
        """Keep the log's emails queued while their SMTP server is down.

        Odoo fails every mail of a batch whose server does not answer; a mail
        server down for a few minutes would then lose a whole campaign.
        """
        limit = fields.Datetime.now() - SMTP_DOWN_PATIENCE
        waiting = self.filtered(
            lambda mail: mail.id in messages and mail.create_date > limit
        )
        if waiting:
            # Odoo's reason (the connection error) stays on the mail.
            waiting.write({"state": "outgoing"})
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger(
                fields.Datetime.now() + SMTP_DOWN_RETRY
            )
        return waiting
