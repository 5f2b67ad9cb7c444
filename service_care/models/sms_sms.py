# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import contact, delivery_reports, sms_providers, sms_text

_logger = logging.getLogger(__name__)

DELIVERY_FAILURE_TYPES = [
    ("sms_expired", "Expired"),
    ("sms_invalid_destination", "Invalid Destination"),
    ("sms_not_allowed", "Not Allowed"),
    ("sms_not_delivered", "Not Delivered"),
    ("sms_rejected", "Rejected"),
]
REPORT_STATUSES = [
    (delivery_reports.SENT, "Accepted by the operator"),
    (delivery_reports.BUFFERED, "Waiting in the network"),
    (delivery_reports.FAILED, "Failed"),
    (delivery_reports.DELIVERED, "Delivered"),
]
# Gateway SMS still waiting for a final report after this long are let go.
PENDING_KEEP_DAYS = 30


class SmsSms(models.Model):
    """Route Odoo's SMS queue to the company's own gateway when it has one.

    ``_send`` keeps Odoo's contract (states, failure types, ``sms.tracker``
    updates that the chatter shows). SMS through the shop's own gateway get
    the number normalised to E.164 and never go to a blacklisted number, a
    back-off queue while the gateway is down, segments and cost, and delivery
    reports on a signed webhook (see ``_care_apply_reports``). SMS through
    Odoo's IAP are left to Odoo.
    """

    _inherit = "sms.sms"

    failure_type = fields.Selection(selection_add=DELIVERY_FAILURE_TYPES)
    care_gateway_id = fields.Many2one(
        "service.care.sms.gateway",
        string="Gateway",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )
    care_attempts = fields.Integer(string="Attempts", readonly=True, copy=False)
    care_next_try = fields.Datetime(
        string="Next Try",
        readonly=True,
        copy=False,
        help="The gateway could not be reached: the SMS waits in the queue until then.",
    )
    care_segments = fields.Integer(string="Segments", readonly=True, copy=False)
    care_encoding = fields.Selection(
        [(sms_text.GSM7, "GSM 7-bit"), (sms_text.UCS2, "Unicode (UCS-2)")],
        string="Encoding",
        readonly=True,
        copy=False,
    )
    care_cost = fields.Float(string="Cost", digits=(16, 4), readonly=True, copy=False)
    care_report_status = fields.Selection(
        REPORT_STATUSES, string="Delivery Report", readonly=True, copy=False
    )
    care_failure_reason = fields.Char(string="Reason", readonly=True, copy=False)
    care_provider_ref = fields.Char(
        string="Gateway Reference", readonly=True, copy=False
    )
    care_submitted_at = fields.Datetime(
        string="Submitted",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the gateway took the SMS.",
    )
    care_ignore_blacklist = fields.Boolean(
        readonly=True,
        copy=False,
        help="The confirmation of an opt-out, sent once to the number that "
        "just opted out.",
    )

    @api.model
    def _process_queue(self, ids=None):
        # The queue waits for the next try of a gateway that was down, and
        # commits after each SMS submitted to a gateway so that a crash in
        # the middle of a batch never sends an SMS twice.
        return super(SmsSms, self.with_context(care_sms_queue=True))._process_queue(
            ids=ids
        )

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        due = self
        if self.env.context.get("care_sms_queue"):
            # Waiting for the next try of a gateway that was down: not yet.
            # (Sending by hand, "Send Now", tries at once.)
            now = fields.Datetime.now()
            due = self.filtered(lambda s: not s.care_next_try or s.care_next_try <= now)
        if not due:
            return None
        by_gateway = due._care_gateways()
        iap = by_gateway.pop(self.env["service.care.sms.gateway"], self.browse())
        if iap:
            # Odoo's own path, as Odoo sends it: its numbers and blacklist
            # are Odoo's business (the composer checks them).
            super(SmsSms, iap)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        for gateway, smses in by_gateway.items():
            sendable = smses._care_check_numbers(unlink_failed)
            sendable._care_send_through(gateway, unlink_failed=unlink_failed)
        return None

    # ------------------------------------------------------------------
    # Before sending: numbers and blacklist
    # ------------------------------------------------------------------

    def _care_check_numbers(self, unlink_failed=False):
        """Normalise the numbers to E.164; fail the invalid and blacklisted.

        :return: the SMS that may be sent
        """
        default_country = self.env.company.country_id.code
        failed = defaultdict(list)  # (failure type, reason) -> sms ids
        valid = self.browse()
        for sms in self:
            country = (
                sms.partner_id.country_id.code
                or sms.partner_id.company_id.country_id.code
                or default_country
            )
            status = contact.check_phone(sms.number, country)
            if not status.ok:
                failure_type = (
                    "sms_number_missing"
                    if status.reason_code == contact.MISSING
                    else "sms_number_format"
                )
                failed[(failure_type, status.reason)].append(sms.id)
                continue
            if sms.number != status.address:
                sms.number = status.address
            valid |= sms
        checked = valid.filtered(lambda s: not s.care_ignore_blacklist)
        # sudo: the blacklist is readable by administrators only; the queue
        # runs for whoever sends.
        listed = set(
            self.env["phone.blacklist"]
            .sudo()
            .search_fetch([("number", "in", checked.mapped("number"))], ["number"])
            .mapped("number")
        )
        for sms in checked.filtered(lambda s: s.number in listed):
            reason = self.env._(
                "%(number)s is on the blacklist: the customer opted out of SMS.",
                number=sms.number,
            )
            failed[("sms_blacklist", reason)].append(sms.id)
            valid -= sms
        for (failure_type, reason), ids in failed.items():
            self.browse(ids)._care_fail(failure_type, reason, unlink_failed)
        return valid

    def _care_gateways(self):
        """{gateway: SMS} by the company that sends each SMS.

        The company is the one of the service_care message (if the SMS comes
        from the send pipeline), else of the document it was posted on, else
        the current company. An empty gateway means Odoo's IAP.
        """
        companies = self._care_companies()
        gateways = {}
        result = defaultdict(self.browse)
        Gateway = self.env["service.care.sms.gateway"]
        for sms in self:
            company = companies.get(sms.id) or self.env.company
            if company not in gateways:
                gateways[company] = Gateway._default_for(company)
            result[gateways[company]] |= sms
        return result

    def _care_companies(self):
        """{sms id: company} where the care message or the document tells."""
        # sudo: the queue runs for whoever sends; it only reads which
        # company the messages and documents belong to.
        messages = (
            self.env["service.care.message"]
            .sudo()
            .search_fetch(
                [("sms_uuid", "in", self.mapped("uuid"))], ["sms_uuid", "company_id"]
            )
        )
        by_uuid = {message.sms_uuid: message.company_id for message in messages}
        companies = {sms.id: by_uuid[sms.uuid] for sms in self if sms.uuid in by_uuid}
        by_model = defaultdict(lambda: defaultdict(list))  # model -> res_id -> sms
        for sms in self.filtered(lambda s: s.id not in companies):
            chatter = sms.mail_message_id
            if chatter.model in self.env and chatter.res_id:
                by_model[chatter.model][chatter.res_id].append(sms.id)
        for model, smses_by_document in by_model.items():
            if "company_id" not in self.env[model]._fields:
                continue
            # sudo: only the company of the SMS's document is read, to pick
            # its gateway; the sender may not read the document itself.
            documents = self.env[model].sudo().browse(list(smses_by_document)).exists()
            for document in documents.filtered("company_id"):
                for sms_id in smses_by_document[document.id]:
                    companies[sms_id] = document.company_id
        return companies

    # ------------------------------------------------------------------
    # Sending through a gateway
    # ------------------------------------------------------------------

    def _care_send_through(self, gateway, unlink_failed=False):
        """Submit these SMS one by one; stop at the first sign the gateway is down.

        Rows are locked first (``service.care.batch.job``): an SMS another
        worker is sending is left to it. From the queue, each SMS is
        committed once submitted, and locked again before its turn after a
        commit released the locks: Odoo's "Send Now" may have taken it
        meanwhile, and sending it here would send it twice.
        """
        if not self:
            return
        Job = self.env["service.care.batch.job"]
        commit = self.env.context.get("care_sms_queue")

        def lock(smses):
            return Job._care_lock(
                self.browse(),
                SQL("id IN %s AND state = 'outgoing'", tuple(smses.ids)),
                SQL("id"),
                len(smses),
                skip_changed=True,
            )

        smses = lock(self)
        if not smses:
            return
        logged = smses._care_messages()
        recent = gateway._care_recent_by_number(smses.mapped("number"))
        adapter = gateway._adapter()
        try:
            for index, sms in enumerate(smses):
                if commit and index and not lock(sms):
                    continue
                if sms._care_held(gateway, recent, logged, unlink_failed):
                    if commit:
                        Job._care_commit()
                    continue
                result = sms._care_submit(gateway, adapter, journal=sms.id in logged)
                _logger.info(
                    "SMS %s to gateway %s: %s %s",
                    sms.id,
                    gateway.id,
                    result.outcome,
                    result.reason,
                )
                if result.outcome == sms_providers.RETRY:
                    # The gateway is down: the rest of the batch waits too.
                    smses[index:]._care_defer(gateway, result.reason)
                    break
                if result.outcome == sms_providers.ACCEPTED:
                    sms._care_accepted(gateway, result)
                    recent[sms.number] += 1
                else:
                    sms.care_gateway_id = gateway
                    sms._care_fail(
                        result.failure_type or sms_providers.FAILURE_UNKNOWN,
                        result.reason,
                        unlink_failed,
                    )
                if commit:
                    Job._care_commit()
        finally:
            adapter.close()

    def _care_held(self, gateway, recent, logged, unlink_failed):
        """Whether this SMS must not go now: failed or held, with the reason.

        :param recent: SMS per number in the last hour, counted up as sent
        :param logged: the log's messages by SMS id (``_care_messages``)
        """
        self.ensure_one()
        limit = gateway.number_hourly_limit
        if limit and recent[self.number] >= limit:
            # SMS pumping: texting one (premium) number over and over runs up
            # the shop's bill.
            self.care_gateway_id = gateway
            self._care_fail(
                "sms_not_allowed",
                self.env._(
                    "%(number)s already got %(limit)s SMS in the last hour: "
                    "the gateway's limit per number. Not sent.",
                    number=self.number,
                    limit=limit,
                ),
                unlink_failed,
            )
            return True
        return self.id in logged and self._care_left_uncertain(logged[self.id])

    def _care_submit(self, gateway, adapter, journal):
        """Hand this SMS to the gateway, journalled as in flight if ``journal``."""
        self.ensure_one()
        outgoing = sms_providers.OutgoingSms(
            uuid=self.uuid,
            number=self.number,
            text=self.body or "",
            sender=gateway._sender_for(self.number),
            dlr_url=gateway._dlr_url(self.uuid, adapter),
        )
        Attempt = self.env["service.care.send.attempt"]
        if journal:
            Attempt._care_begin("sms.sms", self.id)
        result = adapter.submit(outgoing)
        if journal:
            # Whatever the answer, it is known now: forgotten at the commit.
            Attempt._care_forget("sms.sms", self.ids)
        return result

    def _care_messages(self):
        """The log's messages of these SMS, by SMS id."""
        # sudo: the SMS queue runs as whichever user sends; the log follows
        # the SMS whatever that user may read of Service Care.
        messages = (
            self.env["service.care.message"]
            .sudo()
            .search([("sms_uuid", "in", self.mapped("uuid"))])
        )
        by_uuid = {message.sms_uuid: message for message in messages}
        return {sms.id: by_uuid[sms.uuid] for sms in self if sms.uuid in by_uuid}

    def _care_left_uncertain(self, message):
        """Hold this SMS if an earlier try died while the gateway had it.

        :return: whether it is held (a marketing SMS), not to be sent now
        """
        Attempt = self.env["service.care.send.attempt"]
        if not Attempt._care_pending("sms.sms", self.ids):
            return False
        reason = self.env._(
            "The sending process stopped while the gateway was taking this "
            "SMS: it may have gone out. Not sent again automatically; re-send "
            "it if the customer did not get it."
        )
        if not message._care_left_uncertain(reason):
            return False  # an order message: sent again, counted
        self.with_context(care_uncertain=True)._care_fail(
            sms_providers.FAILURE_UNKNOWN, reason
        )
        Attempt._care_forget("sms.sms", self.ids)
        return True

    def _care_accepted(self, gateway, result):
        self.ensure_one()
        info = sms_text.sms_info(self.body)
        cost = float(sms_text.cost(self.body, gateway.price_per_segment))
        self.write(
            {
                "state": "pending",
                "failure_type": False,
                "care_gateway_id": gateway.id,
                "care_attempts": self.care_attempts + 1,
                "care_next_try": False,
                "care_segments": info.segments,
                "care_encoding": info.encoding,
                "care_cost": cost,
                "care_failure_reason": False,
                "care_provider_ref": result.provider_id,
                "care_submitted_at": fields.Datetime.now(),
            }
        )
        self.sms_tracker_id._action_update_from_sms_state("pending")
        # sudo: the cost of an SMS is recorded on its message log row,
        # whoever sends it.
        self.env["service.care.message"].sudo().search(
            [("sms_uuid", "=", self.uuid)]
        ).write({"cost": cost, "sms_gateway_id": gateway.id})

    def _care_defer(self, gateway, reason):
        """Keep these SMS queued and wake the queue at their next try."""
        now = fields.Datetime.now()
        next_tries = []
        for sms in self:
            attempts = sms.care_attempts + 1
            next_try = now + sms_providers.retry_delay(attempts)
            sms.write(
                {
                    "care_gateway_id": gateway.id,
                    "care_attempts": attempts,
                    "care_next_try": next_try,
                    "care_failure_reason": reason,
                }
            )
            next_tries.append(next_try)
        if next_tries:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger(min(next_tries))

    def _care_fail(self, failure_type, reason, unlink_failed=False):
        """Fail SMS with a reason the chatter shows on the notification."""
        if not self:
            return
        notification_type = (
            failure_type
            if failure_type
            in self.env["mail.notification"]
            ._fields["failure_type"]
            .get_values(self.env)
            else sms_providers.FAILURE_UNKNOWN
        )
        vals = {
            "state": "error",
            "failure_type": failure_type,
            "care_failure_reason": reason,
            "care_next_try": False,
        }
        if unlink_failed:
            vals["to_delete"] = True
        self.write(vals)
        self.sms_tracker_id._action_update_from_sms_state(
            "error", failure_type=notification_type, failure_reason=reason
        )

    # ------------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------------

    @api.model
    def _care_apply_reports(self, reports):
        """Apply delivery reports to their SMS, set-based.

        Each report is merged into the SMS's report status
        (``delivery_reports.merge``): a replayed or late report never moves a
        final state back; a report that changes nothing writes nothing. An
        SMS still ``outgoing`` has gone out, whatever its sender thought (the
        report's signed URL was made for its submission): it is recorded as
        accepted first, so that it is never sent again.

        :param reports: {(gateway id, sms uuid): delivery_reports.Report}
        :return: {(gateway id, sms uuid): "applied" | "busy" | "unknown"};
            busy: the SMS is being sent right now (locked), try again later
        """
        if not reports:
            return {}
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT uuid, id FROM sms_sms WHERE uuid IN %s",
                tuple({uuid for _gateway, uuid in reports}),
            )
        )
        existing = dict(self.env.cr.fetchall())
        locked = set()
        if existing:
            locked = set(
                self.env["service.care.batch.job"]
                ._care_lock(
                    self.browse(),
                    SQL("id IN %s", tuple(existing.values())),
                    SQL("id"),
                    len(existing),
                )
                .ids
            )
        smses = self.browse(sorted(locked))  # one prefetch for all
        # sudo: reports come from the gateway's cron, whatever its user.
        Gateway = self.env["service.care.sms.gateway"].sudo()
        outcome = {}
        moves = defaultdict(self.browse)  # (state, failure type, reason) -> SMS
        for (gateway_id, sms_uuid), report in reports.items():
            sms_id = existing.get(sms_uuid)
            if sms_id not in locked:
                outcome[(gateway_id, sms_uuid)] = "busy" if sms_id else "unknown"
                continue
            sms = smses.browse(sms_id)
            if sms.state == "outgoing":
                sms._care_accepted(
                    Gateway.browse(gateway_id),
                    sms_providers.SubmitResult(sms_providers.ACCEPTED),
                )
            elif sms.care_gateway_id.id != gateway_id:
                outcome[(gateway_id, sms_uuid)] = "unknown"
                continue
            outcome[(gateway_id, sms_uuid)] = "applied"
            status = delivery_reports.merge(sms.care_report_status, report.status)
            if status == sms.care_report_status:
                continue
            vals = {"care_report_status": status}
            if report.smsc_message_id and not sms.care_provider_ref:
                vals["care_provider_ref"] = report.smsc_message_id
            state = delivery_reports.ODOO_SMS_STATE[status]
            if state != sms.state:
                failure_type = failure_reason = False
                if status == delivery_reports.FAILED:
                    failure_type = report.failure_type or sms_providers.FAILURE_UNKNOWN
                    failure_reason = report.reason or False
                vals.update(
                    state=state,
                    failure_type=failure_type,
                    care_failure_reason=failure_reason,
                    to_delete=delivery_reports.is_final(status),
                )
                moves[(state, failure_type, failure_reason)] |= sms
            sms.write(vals)
        quiet = self.with_context(sms_skip_msg_notification=True)
        for (state, failure_type, failure_reason), moved in moves.items():
            quiet.browse(moved.ids).sms_tracker_id._action_update_from_sms_state(
                state, failure_type=failure_type, failure_reason=failure_reason
            )
        # One live chatter update for the whole batch.
        self.browse(
            [sms.id for group in moves.values() for sms in group]
        ).mail_message_id._notify_message_notification_update()
        return outcome

    @api.autovacuum
    def _gc_care_pending(self):
        """Let go of gateway SMS whose final report never came."""
        limit = fields.Datetime.now() - timedelta(days=PENDING_KEEP_DAYS)
        self.search(
            [
                ("care_gateway_id", "!=", False),
                ("state", "=", "pending"),
                ("to_delete", "=", False),
                ("write_date", "<", limit),
            ]
        ).to_delete = True
