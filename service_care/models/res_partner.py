# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import sys
from datetime import datetime

from odoo import api, fields, models

from ..tools import contact
from ..tools.contact import check_email, check_phones


def _recency(consent):
    """Sort key, oldest first; rows not saved yet (form) come after saved ones."""
    return (consent.date or datetime.max, consent._origin.id or sys.maxsize)


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
    # Never pre-ticked: only a consent row sets them (latest row wins).
    care_email_consent = fields.Boolean(
        string="Email Marketing Consent",
        compute="_compute_care_consent",
        store=True,
        help="The customer agreed to receive marketing emails (latest consent).",
    )
    care_sms_consent = fields.Boolean(
        string="SMS Marketing Consent",
        compute="_compute_care_consent",
        store=True,
        help="The customer agreed to receive marketing text messages (latest consent).",
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
        "care_consent_ids.granted",
        "care_consent_ids.date",
    )
    def _compute_care_consent(self):
        for partner in self:
            latest = {}
            for consent in partner.care_consent_ids.sorted(_recency):
                latest[consent.channel] = consent.granted
            partner.care_email_consent = latest.get("email", False)
            partner.care_sms_consent = latest.get("sms", False)

    @api.depends("email", "mobile", "phone", "country_id", "company_id")
    @api.depends_context("company")
    def _compute_care_contact(self):
        for channel in ("email", "sms"):
            statuses = self._care_contact_status(channel)
            for partner in self:
                status = statuses[partner.id]
                partner[f"care_{channel}_address"] = status.address
                partner[f"care_{channel}_issue"] = status.reason

    def _care_set_consent(self, channel, granted, source, wording, ip=False):
        """Log that the partners gave (``granted``) or withdrew consent on a channel.

        ``wording``: what the customer was shown; ``ip``: where from, for consents
        given online. Returns the new ``service.care.consent`` rows.
        """
        return self.env["service.care.consent"].create(
            [
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "granted": granted,
                    "source": source,
                    "wording": wording,
                    "ip": ip,
                }
                for partner in self
            ]
        )

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
