# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CHANNELS = [("email", "Email"), ("sms", "SMS")]
SOURCES = [
    ("backoffice", "Back office"),
    ("portal", "Customer portal"),
    ("website", "Website"),
    ("import", "Import"),
    ("sms", "SMS reply"),
    ("unsubscribe", "Unsubscribe link"),
]

# Clocks of the browser and of the server differ a little.
_CLOCK_SKEW = timedelta(minutes=5)


class ServiceCareConsent(models.Model):
    """Marketing consent given or withdrawn by a customer: an append-only log.

    The latest row (by date) per partner and channel sets the partner's
    ``care_email_consent`` / ``care_sms_consent``.

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
    granted = fields.Boolean(
        help="Ticked: the customer agreed to receive marketing messages on this "
        "channel. Unticked: the customer withdrew their consent.",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(SOURCES, required=True)
    wording = fields.Text(
        help="What the customer agreed to, word for word as it was shown to them.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        default=lambda self: self.env.user,
        readonly=True,
        ondelete="set null",
    )
    ip = fields.Char(string="IP Address", readonly=True)

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
                vals.pop("ip", None)
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
