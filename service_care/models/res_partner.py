# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import sys
from datetime import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import consent as consent_logic
from ..tools import contact
from ..tools.contact import check_email, check_phones


def _as_row(consent):
    """The consent as the decision logic sees it; rows not saved yet (form)
    come after saved ones."""
    return consent_logic.Row(
        consent.channel,
        consent.purpose or None,
        consent.granted,
        consent.date or datetime.max,
        consent._origin.id or sys.maxsize,
    )


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "service.care.smart.button.mixin"]

    care_message_count = fields.Integer(
        compute="_compute_care_counts",
        groups="service_care.service_care_group_user",
    )
    care_run_count = fields.Integer(
        compute="_compute_care_counts",
        groups="service_care.service_care_group_user",
    )
    care_consent_ids = fields.One2many(
        "service.care.consent",
        "partner_id",
        string="Consents",
        groups="service_care.service_care_group_user",
    )
    # Never pre-ticked: only consent rows set them.
    care_email_consent = fields.Boolean(
        string="Email Marketing Consent",
        compute="_compute_care_consent",
        store=True,
        help="The customer agreed to receive some marketing emails (their latest "
        "answers, purpose by purpose).",
    )
    care_sms_consent = fields.Boolean(
        string="SMS Marketing Consent",
        compute="_compute_care_consent",
        store=True,
        help="The customer agreed to receive some marketing text messages (their "
        "latest answers, purpose by purpose).",
    )
    care_email_address = fields.Char(
        string="Email Address Used",
        compute="_compute_care_contact",
        groups="service_care.service_care_group_user",
        help="The normalized email address messages are sent to.",
    )
    care_email_issue = fields.Char(
        string="Email Problem",
        compute="_compute_care_contact",
        groups="service_care.service_care_group_user",
        help="Why no email can be sent to this customer.",
    )
    care_sms_address = fields.Char(
        string="Number Used for SMS",
        compute="_compute_care_contact",
        groups="service_care.service_care_group_user",
        help="The number, in international (E.164) format, text messages are sent "
        "to: the mobile, else the phone.",
    )
    care_sms_issue = fields.Char(
        string="SMS Problem",
        compute="_compute_care_contact",
        groups="service_care.service_care_group_user",
        help="Why no text message can be sent to this customer.",
    )

    def _compute_care_counts(self):
        messages = self._care_count_related("service.care.message", "partner_id")
        runs = self._care_count_related("service.care.scenario.run", "partner_id")
        for partner in self:
            partner.care_message_count = messages.get(partner.id, 0)
            partner.care_run_count = runs.get(partner.id, 0)

    def action_view_care_messages(self):
        return self._care_related_action(
            "service_care.service_care_message_action",
            [("partner_id", "in", self.ids)],
        )

    def action_view_care_runs(self):
        return self._care_related_action(
            "service_care.service_care_scenario_run_action",
            [("partner_id", "in", self.ids)],
        )

    @api.depends(
        "care_consent_ids.channel",
        "care_consent_ids.purpose",
        "care_consent_ids.granted",
        "care_consent_ids.date",
        "care_consent_ids.pending",
    )
    def _compute_care_consent(self):
        for partner in self:
            latest = consent_logic.latest_rows(
                _as_row(row) for row in partner.care_consent_ids if not row.pending
            )
            partner.care_email_consent = consent_logic.any_purpose(latest, "email")
            partner.care_sms_consent = consent_logic.any_purpose(latest, "sms")

    def _care_consent_latest(self, channel):
        """{partner id: latest confirmed rows by (channel, purpose)} for
        ``channel``, in one query for all the partners."""
        latest = {partner_id: {} for partner_id in self.ids}
        if not self.ids:
            return latest
        self.env["service.care.consent"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id, purpose)
                       partner_id, purpose, granted, date, id
                  FROM service_care_consent
                 WHERE partner_id = ANY(%s) AND channel = %s AND pending IS NOT TRUE
              ORDER BY partner_id, purpose, date DESC, id DESC
                """,
                self.ids,
                channel,
            )
        )
        for partner_id, purpose, granted, date, row_id in self.env.cr.fetchall():
            latest[partner_id][(channel, purpose)] = consent_logic.Row(
                channel, purpose, granted, date, row_id
            )
        return latest

    def _care_marketing_allowed(self, channel, purposes, company):
        """{(partner id, purpose): whether marketing for the purpose may go
        to them on ``channel``}: their own answers, else the company's soft
        opt-in. One query for the answers, one per purpose a soft opt-in
        covers."""
        latest = self._care_consent_latest(channel)
        allowed = {}
        for purpose in purposes:
            soft = company._care_soft_opt_in_partners(self, purpose)
            for partner in self:
                allowed[partner.id, purpose] = consent_logic.allowed(
                    consent_logic.decide(latest[partner.id], channel, purpose),
                    purpose,
                    (purpose,) if partner in soft else (),
                )
        return allowed

    @api.depends("email", "mobile", "phone", "country_id", "company_id")
    @api.depends_context("company")
    def _compute_care_contact(self):
        for channel in ("email", "sms"):
            statuses = self._care_contact_status(channel)
            for partner in self:
                status = statuses[partner.id]
                partner[f"care_{channel}_address"] = status.address
                partner[f"care_{channel}_issue"] = status.reason

    def _care_preferences(self, company):
        """{(channel, purpose): whether this customer receives it}: what they
        said, else the company's soft opt-in."""
        self.ensure_one()
        preferences = {}
        for channel in ("email", "sms"):
            allowed = self._care_marketing_allowed(
                channel, consent_logic.PURPOSES, company
            )
            for purpose in consent_logic.PURPOSES:
                preferences[channel, purpose] = allowed[self.id, purpose]
        return preferences

    def _care_set_preferences(self, wanted, ip=False):
        """The customer chose on the preferences page: log each change.

        :param wanted: {(channel, purpose): ticked}
        :return: the new consent rows
        """
        self.ensure_one()
        company = self.env.company
        current = self._care_preferences(company)
        Consent = self.env["service.care.consent"]
        labels = dict(Consent._fields["purpose"]._description_selection(self.env))
        channels = dict(Consent._fields["channel"]._description_selection(self.env))
        rows = Consent
        for (channel, purpose), ticked in wanted.items():
            if current.get((channel, purpose)) == ticked:
                continue
            wording = (
                self.env._(
                    "%(company)s may send me %(purpose)s by %(channel)s.",
                    company=company.name,
                    purpose=labels[purpose],
                    channel=channels[channel],
                )
                if ticked
                else self.env._(
                    "No %(purpose)s by %(channel)s, please.",
                    purpose=labels[purpose],
                    channel=channels[channel],
                )
            )
            rows |= self._care_set_consent(
                channel, ticked, "portal", wording, ip=ip, purpose=purpose
            )
        return rows

    def _care_set_consent(
        self, channel, granted, source, wording, *, ip=False, purpose=False, order=None
    ):
        """Log that the partners gave (``granted``) or withdrew consent.

        ``wording``: what the customer was shown; ``ip``: where from, for consents
        given online; ``purpose``: one purpose, or every one when empty;
        ``order``: the order whose checkout asked. Where the company asks for a
        double opt-in, a consent given online waits for the customer to
        confirm it from the link (email) or by replying YES (SMS) sent here.
        Returns the new ``service.care.consent`` rows.
        """
        company = (order and order.company_id) or self.env.company
        pending = bool(
            granted
            and company.care_double_opt_in
            and source in consent_logic.ONLINE_SOURCES
        )
        vals = {
            "channel": channel,
            "granted": granted,
            "source": source,
            "wording": wording,
            "purpose": purpose,
            "order_id": order and order.id,
            "asking_company_id": company.id,
        }
        Consent = self.env["service.care.consent"]
        if self.env.su:
            vals["ip"] = ip
        if pending:
            # sudo: "pending" is this method's decision (the company's
            # setting), which create() takes from trusted code only.
            Consent = Consent.sudo()
            vals["pending"] = True
        rows = Consent.create([{**vals, "partner_id": partner.id} for partner in self])
        if rows and pending:
            rows._care_ask_confirmation()
        return rows

    @api.model
    def _care_find_by_phone(self, e164):
        """The contacts one of whose numbers, read as for sending, is ``e164``.

        The same reading as ``_care_contact_status``: a STOP from a number
        reaches the customers the shop texts at that number.
        """
        candidates = self.search(
            [("phone_mobile_search", "ilike", contact.national_digits(e164))]
        )
        default_country = self.env.company.country_id
        return candidates.filtered(
            lambda partner: contact.is_number_of(
                e164,
                (partner.mobile, partner.phone),
                (
                    partner.country_id
                    or partner.company_id.country_id
                    or default_country
                ).code,
            )
        )

    def _care_contact_status(self, channel):
        """{partner id: ContactStatus} for ``channel`` ('email' or 'sms').

        Email: the partner's email, normalized, and ``mail.blacklist``. SMS: the
        mobile, else the phone, read in the partner's country (else its company's,
        else the current company's), a number that can receive texts, and
        ``phone.blacklist``. One blacklist query for all partners.
        """
        if channel == "email":
            statuses = {partner.id: check_email(partner.email) for partner in self}
            blacklist, field = self.env["mail.blacklist"], "email"
        elif channel == "sms":
            default_country = self.env.company.country_id
            statuses = {
                partner.id: check_phones(
                    (partner.mobile, partner.phone),
                    (
                        partner.country_id
                        or partner.company_id.country_id
                        or default_country
                    ).code,
                    mobile_only=True,
                )
                for partner in self
            }
            blacklist, field = self.env["phone.blacklist"], "number"
        else:
            raise ValueError(f"Unknown channel {channel!r}: expected email or sms.")
        addresses = {status.address for status in statuses.values() if status.ok}
        if not addresses:
            return statuses
        # sudo: the blacklists are readable by administrators only; the caller only
        # learns whether its own partners' addresses are listed, as Odoo's
        # is_blacklisted / phone_sanitized_blacklisted fields tell every employee.
        listed = set(
            blacklist.sudo()
            .search_fetch([(field, "in", sorted(addresses))], [field])
            .mapped(field)
        )
        return {
            partner_id: status.with_blacklist() if status.address in listed else status
            for partner_id, status in statuses.items()
        }
