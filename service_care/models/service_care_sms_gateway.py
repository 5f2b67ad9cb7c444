# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta

import phonenumbers
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..tools import contact, signed_link, sms_providers
from ..tools.policy import local_to_utc
from .service_care_consent import CONFIRM_TTL as CONSENT_CONFIRM_TTL

_logger = logging.getLogger(__name__)

PROVIDERS = [("kannel", "Kannel HTTP"), ("jasmin", "Jasmin HTTP")]
DLR_PATH = "/service_care/sms/dlr"
MO_PATH = "/service_care/sms/mo"


def _new_secret():
    return secrets.token_urlsafe(32)


class ServiceCareSmsGateway(models.Model):
    """The shop's own SMS gateway, used instead of Odoo's IAP when set.

    One default gateway per company sends that company's SMS (``sms.sms``
    ``_send``); its delivery reports and inbound messages come back to the
    webhooks of ``controllers/sms.py``, signed per SMS with an HMAC token.
    """

    _name = "service.care.sms.gateway"
    _inherit = ["service.care.smart.button.mixin"]
    _description = "SMS Gateway"
    _order = "is_default desc, sequence, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    is_default = fields.Boolean(
        string="Default",
        default=True,
        help="Sends the company's SMS. Without a default gateway, SMS go "
        "through Odoo's IAP service.",
    )
    provider = fields.Selection(PROVIDERS, required=True, default="kannel")
    url = fields.Char(
        string="Send URL",
        required=True,
        help="Kannel: the smsbox sendsms URL, e.g. "
        "http://127.0.0.1:13013/cgi-bin/sendsms. Jasmin: the HTTP API send URL, "
        "e.g. http://127.0.0.1:1401/send.",
    )
    username = fields.Char(groups="service_care.service_care_group_manager")
    password = fields.Char(groups="service_care.service_care_group_manager")
    timeout = fields.Integer(
        string="Timeout (s)",
        default=sms_providers.DEFAULT_TIMEOUT,
        help="How long to wait for the gateway to answer one SMS.",
    )
    sender = fields.Char(
        string="Sender ID",
        help="What the customer sees as sender: a name of at most 11 Latin "
        "letters and digits, or a phone number. Empty: the gateway's default.",
    )
    sender_ids = fields.One2many(
        "service.care.sms.gateway.sender",
        "gateway_id",
        string="Sender per Country",
        help="Another sender id for the numbers of some countries.",
    )
    price_per_segment = fields.Float(
        digits=(16, 4),
        help="What one SMS part costs: a long text is billed per part "
        "(153 GSM characters, 67 Unicode characters).",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    dlr_secret = fields.Char(
        string="Webhook Secret",
        required=True,
        copy=False,
        default=lambda self: _new_secret(),
        groups="service_care.service_care_group_manager",
        help="Signs the delivery report and inbound URLs. Changing it makes "
        "the gateway's reports of SMS already sent be refused.",
    )
    callback_base_url = fields.Char(
        string="Callback Base URL",
        help="Where the gateway reaches Odoo, when it is not the web base URL "
        "(e.g. http://odoo.internal:8069).",
    )
    mo_url = fields.Char(
        string="Inbound URL",
        compute="_compute_mo_url",
        groups="service_care.service_care_group_manager",
        help="Kannel: the get-url of an sms-service. Jasmin: the URL of an HTTP "
        "client connector for MO messages. Replies such as STOP come here.",
    )
    outgoing_count = fields.Integer(compute="_compute_outgoing_count")
    number_hourly_limit = fields.Integer(
        string="SMS per Number per Hour",
        default=5,
        help="At most this many SMS to one number in an hour; more are refused "
        "with the reason, so that nobody can run up the bill texting "
        "(premium) numbers. 0: no limit.",
    )
    user_hourly_limit = fields.Integer(
        string="SMS per User per Hour",
        default=50,
        help="At most this many SMS sent by one user from the SMS buttons of "
        "orders and deliveries in an hour. 0: no limit.",
    )
    cost_today = fields.Monetary(
        compute="_compute_cost_today",
        help="What the SMS this gateway took since midnight (company time) cost.",
    )

    @api.depends("provider", "callback_base_url", "dlr_secret")
    def _compute_mo_url(self):
        for gateway in self:
            if not gateway.id:
                gateway.mo_url = False
                continue
            base = gateway._callback_base()
            url = f"{base}{MO_PATH}/{gateway.id}/{gateway._mo_token()}"
            if gateway.provider == "kannel":
                url += "?from=%p&to=%P&text=%a&id=%I"
            gateway.mo_url = url

    def _compute_outgoing_count(self):
        # sudo: SMS are readable by administrators only; the gateway's
        # users see how many wait in its queue, not the texts.
        counts = self.sudo()._care_count_related(
            "sms.sms", "care_gateway_id", [("state", "=", "outgoing")]
        )
        for gateway in self:
            gateway.outgoing_count = counts.get(gateway.id, 0)

    def _compute_cost_today(self):
        costs = {}
        # each company's day starts at its own midnight
        for company, gateways in self.grouped("company_id").items():
            # sudo: SMS are readable by administrators only; the gateway's
            # users see what the day cost, not the texts.
            costs.update(
                self.env["sms.sms"]
                .sudo()
                ._read_group(
                    [
                        ("care_gateway_id", "in", gateways.ids),
                        ("care_submitted_at", ">=", self._care_day_start(company)),
                    ],
                    ["care_gateway_id"],
                    ["care_cost:sum"],
                )
            )
        for gateway in self:
            gateway.cost_today = costs.get(gateway, 0.0)

    @api.model
    def _care_day_start(self, company):
        """The start of ``company``'s day, as a naive UTC datetime."""
        company = company or self.env.company
        midnight = datetime.combine(company._care_today(), time.min)
        return local_to_utc(midnight, company._care_tz())

    def _care_recent_by_number(self, numbers):
        """{number: SMS this gateway took for it in the last hour}."""
        self.ensure_one()
        if not self.number_hourly_limit or not numbers:
            return defaultdict(int)
        since = fields.Datetime.now() - timedelta(hours=1)
        # sudo: SMS are readable by administrators only; the queue runs for
        # whoever sends.
        sent = dict(
            self.env["sms.sms"]
            .sudo()
            ._read_group(
                [
                    ("care_gateway_id", "=", self.id),
                    ("number", "in", list(set(numbers))),
                    ("care_submitted_at", ">=", since),
                ],
                ["number"],
                ["__count"],
            )
        )
        return defaultdict(int, sent)

    def _care_check_user_limit(self, count):
        """Refuse, with the reason, ``count`` more SMS from the current user."""
        self.ensure_one()
        if not self.user_hourly_limit:
            return
        since = fields.Datetime.now() - timedelta(hours=1)
        # sudo: the user counts their own SMS of the last hour in the log.
        sent = (
            self.env["service.care.message"]
            .sudo()
            .search_count(
                [
                    ("channel", "=", "sms"),
                    ("create_uid", "=", self.env.uid),
                    ("create_date", ">=", since),
                ]
            )
        )
        if sent + count > self.user_hourly_limit:
            raise UserError(
                self.env._(
                    "You sent %(sent)s SMS in the last hour; %(gateway)s allows "
                    "%(limit)s per user and hour. Try again later, or ask a "
                    "Service Care administrator to raise the limit.",
                    sent=sent,
                    gateway=self.name,
                    limit=self.user_hourly_limit,
                )
            )

    @api.constrains("number_hourly_limit", "user_hourly_limit")
    def _check_hourly_limits(self):
        if any(
            gateway.number_hourly_limit < 0 or gateway.user_hourly_limit < 0
            for gateway in self
        ):
            raise ValidationError(self.env._("SMS limits cannot be negative."))

    @api.constrains("sender")
    def _check_sender(self):
        for gateway in self.filtered("sender"):
            problem = sms_providers.sender_problem(gateway.sender)
            if problem:
                raise ValidationError(problem)

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for company in self.filtered(lambda g: g.is_default and g.active).company_id:
            defaults = self.search_count(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            )
            if defaults > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a default SMS gateway.",
                        company=company.display_name,
                    )
                )

    @api.constrains("url")
    def _check_url(self):
        for gateway in self:
            if not (gateway.url or "").startswith(("http://", "https://")):
                raise ValidationError(
                    self.env._("The send URL must start with http:// or https://.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        # A new default replaces the company's previous one.
        for vals in vals_list:
            if vals.get("is_default", True):
                company_id = vals.get("company_id") or self.env.company.id
                self.search(
                    [("company_id", "=", company_id), ("is_default", "=", True)]
                ).is_default = False
        self.env.registry.clear_cache()  # _webhook_config
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_default"):
            for gateway in self:
                company = (
                    self.env["res.company"].browse(vals["company_id"])
                    if vals.get("company_id")
                    else gateway.company_id
                )
                (
                    self.search(
                        [("company_id", "=", company.id), ("is_default", "=", True)]
                    )
                    - self
                ).is_default = False
        if {"provider", "dlr_secret"} & set(vals):
            self.env.registry.clear_cache()  # _webhook_config
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _webhook_config
        return super().unlink()

    def action_new_secret(self):
        """Replace the webhook secret (after a leak)."""
        self.write({"dlr_secret": _new_secret()})

    def action_view_outgoing(self):
        self.ensure_one()
        action = self._care_related_action(
            "sms.sms_sms_action",
            [("care_gateway_id", "=", self.id), ("state", "=", "outgoing")],
        )
        action["name"] = self.env._("Queued SMS")
        return action

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _default_for(self, company):
        """The gateway that sends ``company``'s SMS, or an empty recordset."""
        # sudo: whoever sends an SMS uses the company's gateway without
        # reading its settings (users of other apps have no right on it).
        return self.sudo().search(
            [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
        )

    def _adapter(self):
        self.ensure_one()
        # sudo: the credentials are for managers' eyes; sending itself runs
        # for anyone who may send an SMS.
        gateway = self.sudo()
        return sms_providers.make_adapter(
            gateway.provider,
            gateway.url,
            gateway.username,
            gateway.password,
            gateway.timeout,
        )

    def _sender_for(self, number):
        """The sender id for an E.164 number: per country, else the default."""
        self.ensure_one()
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
        except phonenumbers.NumberParseException:
            region = None
        for line in self.sender_ids:
            if line.country_id.code == region:
                return line.sender
        return self.sender or ""

    def _callback_base(self):
        self.ensure_one()
        base = self.callback_base_url or self.company_id.get_base_url()
        return base.rstrip("/")

    # ------------------------------------------------------------------
    # Webhook tokens
    # ------------------------------------------------------------------

    @api.model
    def _sign(self, scope, *parts):
        return self.env["service.care.signed.link"]._care_sign(scope, parts)

    def _dlr_token(self, sms_uuid):
        self.ensure_one()
        # sudo: the secret is for managers' eyes; it only goes into the token.
        return self._sign("sms_dlr", self.id, sms_uuid, self.sudo().dlr_secret)

    def _mo_token(self):
        self.ensure_one()
        # sudo: the secret is for managers' eyes; it only goes into the token.
        return self._sign("sms_mo", self.id, self.sudo().dlr_secret)

    def _check_dlr_token(self, sms_uuid, token):
        self.ensure_one()
        return bool(self._webhook_adapter(self.id, token, sms_uuid))

    def _check_mo_token(self, token):
        self.ensure_one()
        return bool(self._webhook_adapter(self.id, token))

    @api.model
    @tools.ormcache("gateway_id")
    def _webhook_config(self, gateway_id):
        """(provider, secret) of a gateway, archived or not; None if none.

        Cached: the webhooks take thousands of reports a minute.
        """
        # sudo: called by the public webhooks, before any user is known.
        gateway = (
            self.sudo().with_context(active_test=False).browse(gateway_id).exists()
        )
        return (gateway.provider, gateway.dlr_secret) if gateway else None

    @api.model
    def _webhook_adapter(self, gateway_id, token, sms_uuid=None):
        """The adapter of the gateway a webhook call is signed for.

        :param sms_uuid: for a delivery report; None for an inbound message
        :return: the adapter, None when there is no such gateway, False when
            the token is wrong
        """
        config = self._webhook_config(gateway_id)
        if not config:
            return None
        provider, secret = config
        if sms_uuid is None:
            scope, subject = "sms_mo", (gateway_id, secret)
        else:
            scope, subject = "sms_dlr", (gateway_id, sms_uuid, secret)
        verdict = self.env["service.care.signed.link"]._care_verify(
            scope, [subject], token
        )
        if verdict != signed_link.VALID:
            return False
        return sms_providers.make_adapter(provider, "")

    def _dlr_url(self, sms_uuid, adapter=None):
        """The dlr-url of one SMS, with the placeholders the gateway fills in."""
        self.ensure_one()
        adapter = adapter or self._adapter()
        url = (
            f"{self._callback_base()}{DLR_PATH}/{self.id}/{sms_uuid}/"
            f"{self._dlr_token(sms_uuid)}"
        )
        query = adapter.dlr_query()
        return f"{url}?{query}" if query else url

    # ------------------------------------------------------------------
    # Inbound messages
    # ------------------------------------------------------------------

    def _receive_inbound(self, inbound):
        """Handle a message from a customer: log it, apply STOP / START.

        STOP (and its synonyms) puts the number on ``phone.blacklist``,
        withdraws the SMS marketing consent of the partners with that number
        and sends one confirmation; START undoes it. Anything else is only
        logged in the partners' chatter.

        :return: the keyword applied ("stop", "start") or None
        """
        self.ensure_one()
        country = self.company_id.country_id.code
        status = contact.check_phone(inbound.sender, country)
        number = status.address or inbound.sender
        # sudo: the sender of an inbound SMS is found among all contacts; the
        # webhook's token proves the message came through this gateway.
        partners = (
            self.env["res.partner"].sudo()._care_find_by_phone(number)
            if status.ok
            else self.env["res.partner"]
        )
        for partner in partners:
            partner.message_post(
                body=Markup("<p>%s</p>") % inbound.text,
                message_type="sms",
                author_id=partner.id,
                subtype_xmlid="mail.mt_note",
            )
        keyword = inbound.keyword
        if not status.ok or keyword is None:
            if keyword:
                _logger.info(
                    "SMS gateway %s: %s from an invalid number %r ignored",
                    self.id,
                    keyword,
                    inbound.sender,
                )
            return None
        if keyword == sms_providers.CONFIRM:
            self._confirm_by_sms(partners)
            return keyword
        # sudo: a STOP from a number is its owner's decision; the blacklist
        # is for administrators to edit otherwise.
        blacklist = self.env["phone.blacklist"].sudo()
        listed = bool(blacklist.search_count([("number", "=", number)]))
        lang_partner = partners[:1]
        gateway = self.with_context(lang=lang_partner.lang or self.env.lang)
        if keyword == sms_providers.OPT_OUT:
            blacklist._add(
                [number],
                message=gateway.env._("Replied %(text)r by SMS.", text=inbound.text),
            )
            partners.filtered("care_sms_consent")._care_set_consent(
                "sms", False, "sms", inbound.text
            )
            if not listed:
                self._send_reply(
                    number,
                    lang_partner,
                    gateway.env._(
                        "%(company)s: you will not receive our text messages any "
                        "more. Reply START to receive them again.",
                        company=self.company_id.name,
                    ),
                )
        else:
            blacklist._remove(
                [number],
                message=gateway.env._("Replied %(text)r by SMS.", text=inbound.text),
            )
            # Undo the STOP: consent comes back only where an SMS reply took it.
            self._stopped_by_sms(partners)._care_set_consent(
                "sms", True, "sms", inbound.text
            )
            if listed:
                self._send_reply(
                    number,
                    lang_partner,
                    gateway.env._(
                        "%(company)s: you will receive our text messages again. "
                        "Reply STOP to stop them.",
                        company=self.company_id.name,
                    ),
                )
        return keyword

    @api.model
    def _confirm_by_sms(self, partners):
        """YES from a number confirms its owners' SMS consents waiting for
        a double opt-in, if asked for recently enough."""
        # sudo: the number's owner confirms their own pending consents.
        Consent = self.env["service.care.consent"].sudo()
        pending = Consent.search(
            [
                ("partner_id", "in", partners.ids),
                ("channel", "=", "sms"),
                ("pending", "=", True),
                ("date", ">=", fields.Datetime.now() - CONSENT_CONFIRM_TTL),
            ]
        )
        return pending._care_confirm()

    @api.model
    def _stopped_by_sms(self, partners):
        """The partners whose latest SMS consent is a withdrawal by SMS reply."""
        # sudo: read to undo a STOP, for the number's owner who sent START.
        latest = (
            self.env["service.care.consent"]
            .sudo()
            ._care_latest(
                [("partner_id", "in", partners.ids), ("channel", "=", "sms")],
                lambda consent: consent.partner_id,
            )
        )
        return partners.filtered(
            lambda p: (
                p in latest and not latest[p].granted and latest[p].source == "sms"
            )
        )

    def _send_reply(self, number, partner, text):
        """Queue the one confirmation of a STOP / START, logged in chatter."""
        self.ensure_one()
        if partner:
            chatter = partner._message_sms(
                text, sms_numbers=[number], put_in_queue=True
            )
            # sudo: sms.sms is for administrators; this is the SMS just
            # queued for the number's owner, marked to pass the blacklist.
            sms = (
                self.env["sms.sms"]
                .sudo()
                .search([("mail_message_id", "=", chatter.id)])
            )
        else:
            # sudo: as above, for a number that belongs to no contact.
            sms = self.env["sms.sms"].sudo().create({"number": number, "body": text})
        # The confirmation of a STOP goes to a number just put on the blacklist.
        sms.care_ignore_blacklist = True
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()
        return sms
