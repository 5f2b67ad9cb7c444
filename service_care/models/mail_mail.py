# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import smtplib
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, modules
from odoo.tools import SQL, exception_to_unicode, split_every
from odoo.tools.mail import email_split_and_format, generate_tracking_message_id

from odoo.addons.base.models.ir_mail_server import MailDeliveryException

from ..tools import mime, smtp_pipeline

_logger = logging.getLogger(__name__)

# Rows inserted per statement when the pipeline queues emails in bulk.
INSERT_CHUNK = 1000
# The columns of the chatter message and of the outgoing mail the pipeline
# fills; the others keep their default (empty).
MESSAGE_COLUMNS = (
    "subject",
    "body",
    "model",
    "res_id",
    "record_name",
    "message_type",
    "subtype_id",
    "author_id",
    "email_from",
    "reply_to",
    "mail_server_id",
    "message_id",
)
MAIL_COLUMNS = ("body_html", "headers")

# How long an email of the log waits for an SMTP server that is down before
# it counts as failed, and how soon the queue tries again meanwhile.
SMTP_DOWN_PATIENCE = timedelta(days=2)
SMTP_DOWN_RETRY = timedelta(minutes=1)


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model
    def _care_create_outgoing(self, vals_list):
        """Queue the pipeline's emails: a chatter message, an outgoing mail
        and its recipient per entry, three INSERTs per thousand.

        The ORM's ``create`` costs milliseconds per mail (defaults, the
        sanitiser on the chatter body, the record name read per document),
        most of a campaign's time. What it would compute is computed here once
        for all: the author, the record names in one read, a Message-Id each.
        The chatter ``body`` must be safe HTML already (see
        ``service.care.message._queue_emails``).

        :param vals_list: dicts with the ``MESSAGE_COLUMNS`` (but the
            record name, author and Message-Id), ``MAIL_COLUMNS`` and the
            recipient's ``partner_id``
        :return: ``[(mail.message id, mail.mail id)]``, in order
        """
        if not vals_list:
            return []
        env = self.env
        names = {}
        for model, group in _group_by(vals_list, "model").items():
            # sudo: the chatter shows the document's name to whoever may see
            # the message, as Odoo stores it (``_get_record_name``).
            documents = env[model].sudo().browse({vals["res_id"] for vals in group})
            names.update({(model, doc.id): doc.display_name for doc in documents})
        author = env.user.partner_id.id
        now = fields.Datetime.now()
        rows = []
        for vals in vals_list:
            key = (vals["model"], vals["res_id"])
            rows.append(
                dict(
                    vals,
                    record_name=names[key],
                    author_id=author,
                    message_id=generate_tracking_message_id(f"{key[1]}-{key[0]}"),
                )
            )
        ids = []
        for chunk in split_every(INSERT_CHUNK, rows, list):
            message_ids = self.env["service.care.batch.job"]._care_insert(
                "mail_message", MESSAGE_COLUMNS, chunk, {"date": now}
            )
            mail_ids = self.env["service.care.batch.job"]._care_insert(
                "mail_mail",
                (*MAIL_COLUMNS, "mail_message_id"),
                [
                    dict(vals, mail_message_id=message_id)
                    for vals, message_id in zip(chunk, message_ids, strict=True)
                ],
                {"state": "outgoing", "is_notification": True, "auto_delete": True},
            )
            env.cr.execute(
                SQL(
                    "INSERT INTO mail_mail_res_partner_rel "
                    "(mail_mail_id, res_partner_id) VALUES %s",
                    SQL(", ").join(
                        SQL("(%s, %s)", mail_id, vals["partner_id"])
                        for mail_id, vals in zip(mail_ids, chunk, strict=True)
                    ),
                )
            )
            ids += zip(message_ids, mail_ids, strict=True)
        for model in {vals["model"] for vals in vals_list}:
            if "message_ids" in env[model]._fields:
                env[model].invalidate_model(["message_ids"])
        return ids

    def _send(  # noqa: PLR0917 (Odoo's signature)
        self,
        auto_commit=False,
        raise_exception=False,
        smtp_session=None,
        alias_domain_id=False,
        mail_server=False,
        post_send_callback=None,
    ):
        """Send the emails of the Service Care log as one batch, journalled.

        Odoo's queue writes, searches and commits once per email; the log's
        emails of a batch go out over the SMTP connection Odoo opened for it
        and their outcome is saved once, set-based. Each is journalled as in
        flight before its SMTP transaction (see ``service.care.send.attempt``),
        so that a crash before the outcome is saved never sends one twice
        blindly. Other emails go through Odoo unchanged.
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
        (self - others)._care_send_batch(messages, options)
        return True

    def _care_send_batch(self, messages, options):
        """Send these mails of the log over ``options["smtp_session"]``."""
        mails = self and self._care_lock()
        if not mails:
            return  # sent meanwhile, or another process is sending them
        Attempt = self.env["service.care.send.attempt"]
        sent, held = mails._care_settle_in_flight(messages)
        outcomes = Outcomes(sent)
        transport = None
        disconnected = False
        senders = {}  # (From, bounce): (envelope sender, final From)
        with Attempt._care_journal("mail.mail") as journal:

            def in_flight(mail_id, settled):
                # The journal marks the mail whose content goes now, and the
                # one the server just took.
                taken = [key for key, error in settled if error is None]
                if mail_id or taken:
                    journal(mail_id, taken[-1] if taken else None)

            try:
                transport = self._care_transport(options, in_flight)
                for mail in mails - sent - held:
                    outcomes.add(mail._care_deliver(options, senders, transport))
                settled = transport.finish()
                outcomes.add(settled)
                in_flight(None, settled)
            except smtplib.SMTPServerDisconnected:
                # The server went away before it confirmed the mails in
                # flight: it did not take them (RFC 5321 4.1.1.4 leaves a
                # duplicate possible only when the link drops after the whole
                # message, as for any MTA). Odoo would fail the batch for
                # good; keep them and the rest queued and try again soon.
                disconnected = True
        unsettled = transport.unsettled if disconnected and transport else []
        if disconnected:
            _logger.warning("service_care: SMTP server went away; retried soon")
            Attempt._care_forget("mail.mail", unsettled)
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger(
                fields.Datetime.now() + SMTP_DOWN_RETRY
            )
        outcomes.save(self.browse(unsettled))
        if options["auto_commit"] is True:
            if options["post_send_callback"]:
                options["post_send_callback"](outcomes.mails.ids)
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # Odoo's queue keeps its environment for every batch of the run:
            # the bodies of the mails sent (some deleted by now) would stay
            # in its cache. Everything is saved at this point.
            self.env.invalidate_all()
        if options["raise_exception"] and outcomes.first_failure:
            raise MailDeliveryException(outcomes.first_failure)

    def _care_settle_in_flight(self, messages):
        """Decide on the mails a crashed try left journalled.

        :return: ``(sent, held)``: the mails the server took before the
            crash (sent now, not again) and the marketing ones held as "may
            have gone out"
        """
        Attempt = self.env["service.care.send.attempt"]
        pending = Attempt._care_pending("mail.mail", self.ids)
        if not pending:
            return self.browse(), self.browse()
        accepted = Attempt._care_pending("mail.mail", pending, only_accepted=True)
        sent = self.browse(sorted(accepted))
        held = self.browse()
        reason = self.env._(
            "The sending process stopped while the mail server was taking this "
            "email: it may have gone out. Not sent again automatically; "
            "re-send it if the customer did not get it."
        )
        for mail in self.browse(sorted(pending - accepted)):
            if messages[mail.id]._care_left_uncertain(reason):
                held |= mail
        held._care_hold(reason)
        return sent, held

    def _care_deliver(self, options, senders, transport):
        """Build the emails of this mail, as Odoo's ``_send`` does for each
        recipient, and hand them to ``transport`` (``tools.smtp_pipeline``).

        The first mail of a sender (its From and bounce address) goes through
        Odoo's ``build_email`` and ``_prepare_email_message``, which decide
        the envelope sender and the final From (``senders`` keeps them); the
        next ones of that sender, HTML to one customer without attachment,
        are written by ``tools.mime`` with the same headers.

        :return: the outcomes known by now, ``(mail id, failure)`` pairs as
            ``Outcomes.add`` takes them
        """
        self.ensure_one()
        try:
            envelopes, failure_type = self._care_build(options, senders)
        except (MemoryError, psycopg2.Error):
            raise
        except Exception as error:
            _logger.warning("service_care: mail %s failed: %s", self.id, error)
            return [(self.id, ("unknown", exception_to_unicode(error)))]
        if not envelopes:
            return [(self.id, (failure_type or "unknown", None))]
        settled = []
        for smtp_from, smtp_to, message in envelopes:
            settled += transport.send(self.id, smtp_from, smtp_to, message)
        return settled

    def _care_build(self, options, senders):
        """The emails of this mail as ``(envelope sender, recipients,
        message)``, and the failure type of those that have no recipient."""
        IrMailServer = self.env["ir.mail_server"]
        alias_domain_id = options["alias_domain_id"]
        emails_from = email_split_and_format(self.email_from)
        email_from = emails_from[0] if emails_from else self.email_from
        envelopes = []
        failure_type = None
        for email in self._prepare_outgoing_list(
            mail_server=options["mail_server"] or self.mail_server_id
        ):
            validated = email.pop("email_to_normalized", [])
            sender = (email_from, email["headers"].get("Return-Path"))
            if (
                sender in senders
                and validated
                and not email["attachments"]
                and not email["email_cc"]
            ):
                smtp_from, from_header = senders[sender]
                raw = mime.build(
                    self._care_headers(email, email_from, from_header),
                    email["body_alternative"],
                    email["body"],
                )
                envelopes.append((smtp_from, validated, raw))
                continue
            context = {"send_validated_to": validated}
            if alias_domain_id:
                # sudo: the alias domain is configuration, as Odoo reads it
                alias_domain = (
                    self.env["mail.alias.domain"].sudo().browse(alias_domain_id)
                )
                context.update(
                    domain_notifications_email=alias_domain.default_from_email,
                    domain_bounce_address=email["headers"].get("Return-Path")
                    or alias_domain.bounce_email,
                )
            Server = IrMailServer.with_context(**context)
            message = Server.build_email(
                email_from=email_from,
                email_to=email["email_to"],
                subject=email["subject"],
                body=email["body"],
                body_alternative=email["body_alternative"],
                email_cc=email["email_cc"],
                reply_to=email["reply_to"],
                attachments=email["attachments"],
                message_id=email["message_id"],
                references=email["references"],
                object_id=email["object_id"],
                subtype="html",
                subtype_alternative="plain",
                headers=email["headers"],
            )
            try:
                smtp_from, smtp_to, message = Server._prepare_email_message(
                    message, options["smtp_session"]
                )
            except AssertionError as error:
                if str(error) != IrMailServer.NO_VALID_RECIPIENT:
                    raise
                failure_type = (
                    "mail_email_missing"
                    if not email.get("email_to")
                    else "mail_email_invalid"
                )
                continue
            if not alias_domain_id and options["smtp_session"]:
                senders[sender] = (smtp_from, message["From"])
            envelopes.append((smtp_from, smtp_to, message))
        return envelopes, failure_type

    def _care_headers(self, email, email_from, from_header):
        """The headers Odoo's ``build_email`` writes, for ``tools.mime``."""
        headers = [("Message-Id", email["message_id"])]
        if email["references"]:
            headers.append(("References", email["references"]))
        headers += [
            ("Subject", email["subject"] or ""),
            ("From", from_header),
            ("Reply-To", email["reply_to"] or email_from),
            ("To", ", ".join(email["email_to"])),
            *email["headers"].items(),
        ]
        return headers

    def _care_transport(self, options, in_flight):
        """What hands the batch's emails to the SMTP server: the session Odoo
        opened, pipelined when the server allows it; Odoo's ``send_email``,
        which connects, when there is none; nothing while a test runs, as
        Odoo's own ``send_email`` (unless the test allows it)."""
        session = options["smtp_session"]
        if modules.module.current_test:
            return smtp_pipeline.Lockstep(lambda *message: None, in_flight)
        if session is not None:
            # Odoo's SMTPConnection wraps the smtplib session and lets through
            # a fixed list of its methods, without the raw ``send``.
            return smtp_pipeline.Sender(getattr(session, "__obj__", session), in_flight)

        def send_email(smtp_from, smtp_to, message):
            # Without a session, every message is one Odoo built.
            self.env["ir.mail_server"].send_email(
                message, mail_server_id=self.mail_server_id.id
            )

        return smtp_pipeline.Lockstep(send_email, in_flight)

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
        """Lock the mails still outgoing that nobody else holds; return them."""
        return self.env["service.care.batch.job"]._care_lock(
            self.browse(),
            SQL("id IN %s AND state = 'outgoing'", tuple(self.ids)),
            SQL("id"),
            len(self),
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


class Outcomes:
    """What became of the mails of one batch, saved set-based at its end."""

    def __init__(self, sent):
        self.env = sent.env
        self.failures = dict.fromkeys(sent.ids)  # mail id: None or failure
        self.first_failure = None

    @property
    def mails(self):
        return self.env["mail.mail"].browse(list(self.failures))

    def add(self, settled):
        """Record ``(mail id, failure)`` pairs; a failure is a ``(failure
        type, reason)`` pair or the exception the transport met. A mail of
        several emails fails when one of them does."""
        for mail_id, error in settled:
            failure = self._failure(error)
            if failure is None:
                self.failures.setdefault(mail_id, None)
                continue
            self.failures[mail_id] = failure
            self.first_failure = self.first_failure or failure[1] or failure[0]

    def _failure(self, error):
        if error is None or isinstance(error, tuple):
            return error
        _logger.warning("service_care: a mail failed at the SMTP server: %s", error)
        if not isinstance(error, MailDeliveryException):
            error = MailDeliveryException(
                self.env._("Mail Delivery Failed"),
                f"{error.__class__.__name__}: {error}",
            )
        return ("unknown", exception_to_unicode(error))

    def save(self, unsettled):
        """Save the outcomes, but for the ``unsettled`` mails, left queued."""
        Mail = self.env["mail.mail"]
        left = set(unsettled.ids)
        sent_ids = []
        failed = defaultdict(list)
        for mail_id, failure in self.failures.items():
            if mail_id in left:
                continue
            if failure is None:
                sent_ids.append(mail_id)
            else:
                failed[failure].append(mail_id)
        sent = Mail.browse(sent_ids)
        if sent:
            sent.write({"state": "sent", "failure_reason": False})
            sent._postprocess_sent_message(
                success_pids=sent.recipient_ids, failure_type=None
            )
        for (failure_type, reason), mail_ids in failed.items():
            mails = Mail.browse(mail_ids)
            mails.write(
                {
                    "state": "exception",
                    "failure_type": failure_type,
                    "failure_reason": reason,
                }
            )
            mails._postprocess_sent_message(
                success_pids=[], failure_reason=reason, failure_type=failure_type
            )


def _group_by(vals_list, key):
    groups = {}
    for vals in vals_list:
        groups.setdefault(vals[key], []).append(vals)
    return groups
