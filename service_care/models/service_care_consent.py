# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import signed_link
from ..tools.consent import PURPOSE_SELECTION

CHANNELS = [("email", "Email"), ("sms", "SMS")]
SOURCES = [
    ("checkout", "Checkout"),
    ("backoffice", "Back office"),
    ("portal", "Customer portal"),
    ("website", "Website"),
    ("import", "Import"),
    ("sms", "SMS reply"),
    ("unsubscribe", "Unsubscribe link"),
]

# Clocks of the browser and of the server differ a little.
_CLOCK_SKEW = timedelta(minutes=5)
# How long a double opt-in confirmation link (or a YES reply) is accepted.
CONFIRM_TTL = timedelta(days=7)
CONFIRM_TEMPLATES = {
    "email": "service_care.mail_template_consent_confirm",
    "sms": "service_care.sms_template_consent_confirm",
}


class ServiceCareConsent(models.Model):
    """Marketing consent given or withdrawn by a customer: an append-only log.

    A row is for one channel and one purpose, or every marketing purpose of
    the channel when it names none; ``tools/consent.py`` says how rows add up.
    A row waiting for its double opt-in confirmation (``pending``) counts for
    nothing until a confirmation row (``confirms_id``) follows it.

    Rows are never edited: a correction is a new row, so the log keeps showing what
    the customer was told and when. ``write`` is refused outside sudo (code such as
    a migration may still fix rows; no user can, from the UI or by RPC). ``unlink``
    is left to managers (access rights):
    erasing a customer's personal data (the rows hold an IP address and what they
    agreed to) or a row logged on the wrong partner; the partner's booleans then
    follow the remaining rows. Deleting the partner deletes its rows (cascade).
    """

    _name = "service.care.consent"
    _description = "Customer Consent"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(CHANNELS, required=True)
    purpose = fields.Selection(
        PURPOSE_SELECTION,
        help="Empty: every kind of marketing message on this channel.",
    )
    granted = fields.Boolean(
        help="Ticked: the customer agreed to receive marketing messages on this "
        "channel. Unticked: the customer withdrew their consent.",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(SOURCES, required=True)
    wording = fields.Text(
        help="What the customer agreed to, word for word as it was shown to them.",
    )
    # Not a company_id: a consent is the customer's, seen wherever they are
    # (see the record rule); this only says whose shop asked.
    asking_company_id = fields.Many2one(
        "res.company",
        string="Asked By",
        default=lambda self: self.env.company,
        help="The shop that asked: its settings and name are in the "
        "confirmation message.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        default=lambda self: self.env.user,
        readonly=True,
        ondelete="set null",
    )
    ip = fields.Char(string="IP Address", readonly=True)
    order_id = fields.Many2one(
        "sale.order",
        index="btree_not_null",
        ondelete="set null",
        help="The order during whose checkout the customer answered.",
    )
    pending = fields.Boolean(
        "Awaiting Confirmation",
        readonly=True,
        help="Double opt-in: the customer has not yet confirmed from the link "
        "sent to them; until then this consent counts for nothing.",
    )
    confirms_id = fields.Many2one(
        "service.care.consent",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The pending consent this row confirms.",
    )
    confirm_url = fields.Char(compute="_compute_confirm_url")

    @api.depends("pending", "date")
    def _compute_confirm_url(self):
        for row in self:
            row.confirm_url = (
                row.pending
                and row.id
                and (
                    f"{row.asking_company_id.get_base_url()}/care/consent/{row.id}/"
                    f"{row._care_confirm_token()}"
                )
            )

    def _care_confirm_expiry(self):
        return signed_link.timestamp(self.date + CONFIRM_TTL)

    def _care_confirm_token(self):
        self.ensure_one()
        return self.env["service.care.signed.link"]._care_token(
            "consent", (self.id, self.partner_id.id), self._care_confirm_expiry()
        )

    @api.model
    def _care_from_confirm_token(self, consent_id, token):
        """(pending row, verdict) for a confirmation link a visitor brings;
        an unknown row or forged token is (empty, INVALID)."""
        # sudo: the visitor is anonymous; the signed token proves the link
        # was sent to the row's customer.
        row = self.sudo().browse(consent_id).exists()
        if not row or not row.pending:
            return self.browse(), signed_link.INVALID
        verdict = self.env["service.care.signed.link"]._care_verify_token(
            "consent", [(row.id, row.partner_id.id)], token
        )
        return row, verdict

    @api.model
    def _care_latest(self, domain, key):
        """{key(row): the latest row} of the rows matching ``domain``,
        latest by date, then by id (the log's own order)."""
        latest = {}
        for row in self.search(domain, order="date desc, id desc"):
            latest.setdefault(key(row), row)
        return latest

    def _care_ask_confirmation(self):
        """Send each pending row's customer the way to confirm it: an email
        with a link, or a text message to reply YES to."""
        Message = self.env["service.care.message"]
        for channel, rows in self.grouped("channel").items():
            template = self.env.ref(CONFIRM_TEMPLATES[channel])
            Message.send_template(
                template,
                rows,
                channel,
                "transactional",
                extra_vals=[{"company_id": row.asking_company_id.id} for row in rows],
            )

    def _care_confirmed(self):
        """The pending rows already confirmed."""
        done = self.search([("confirms_id", "in", self.ids)]).confirms_id
        return self & done

    def _care_confirm(self, ip=False):
        """The customer confirmed: a new row grants what the pending one
        asked, from now on. Confirming twice adds nothing."""
        todo = self.filtered("pending") - self._care_confirmed()
        # sudo: confirmation rows carry trusted fields (confirms_id, ip).
        return (
            self.sudo()
            .env["service.care.consent"]
            .create(
                [
                    {
                        "partner_id": row.partner_id.id,
                        "asking_company_id": row.asking_company_id.id,
                        "channel": row.channel,
                        "purpose": row.purpose,
                        "granted": True,
                        "source": row.source,
                        "wording": row.wording,
                        "order_id": row.order_id.id,
                        "confirms_id": row.id,
                        "ip": ip,
                    }
                    for row in todo
                ]
            )
        )

    @api.constrains("granted", "wording")
    def _check_wording(self):
        """A consent is only informed if we know what the customer was shown."""
        missing = self.filtered(lambda row: row.granted and not row.wording)
        if missing:
            raise ValidationError(
                self.env._(
                    "Record what the customer agreed to (the wording shown to them) "
                    "for the consent of %(partners)s.",
                    partners=", ".join(missing.partner_id.mapped("display_name")),
                )
            )

    @api.constrains("date")
    def _check_date(self):
        """A future row would stay "the latest" and hide every real change."""
        limit = fields.Datetime.now() + _CLOCK_SKEW
        if any(row.date > limit for row in self):
            raise ValidationError(
                self.env._("A consent cannot be dated in the future.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Who recorded a consent and from where is not the caller's to say:
        only trusted code (sudo, e.g. the unsubscribe page) sets the IP."""
        if not self.env.su:
            for vals in vals_list:
                vals["user_id"] = self.env.uid
                for trusted in ("ip", "pending", "confirms_id"):
                    vals.pop(trusted, None)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Consents are a log and cannot be changed: record a new consent "
                    "or withdrawal instead."
                )
            )
        return super().write(vals)
