# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import consent_import
from ..tools.contact import check_email, check_phone


class ServiceCareConsentImport(models.TransientModel):
    """Consents from the shop's previous system, read from a CSV file.

    Every line becomes a consent row with source "import", on each customer
    whose email (normalized) or number (E.164) it names; lines that cannot
    be read or matched are reported with their number and left out.
    Importing the same file again adds nothing.
    """

    _name = "service.care.consent.import"
    _description = "Import Customer Consents"

    file = fields.Binary(string="CSV File", required=True)
    filename = fields.Char()
    state = fields.Selection([("new", "New"), ("done", "Done")], default="new")
    imported_count = fields.Integer("Consents Imported", readonly=True)
    known_count = fields.Integer(
        "Already There", readonly=True, help="Lines imported before: left as they were."
    )
    report = fields.Text(readonly=True, help="The lines left out, and why.")

    def action_import(self):
        self.ensure_one()
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file could not be read.")) from error
        try:
            rows, errors = consent_import.read(data, fields.Datetime.now())
        except consent_import.ImportFileError as error:
            raise UserError(self._file_error_text(error)) from error
        problems = [(line, self._row_error_text(error)) for line, error in errors]
        imported = known = 0
        for row in rows:
            partners = self._care_match(row)
            if not partners:
                problems.append(
                    (
                        row.line,
                        self.env._(
                            "no customer with this email or phone (%(contact)s)",
                            contact=row.email or row.phone,
                        ),
                    )
                )
                continue
            for partner in partners:
                if self._care_known(partner, row):
                    known += 1
                    continue
                self._care_create(partner, row)
                imported += 1
        problems.sort()
        self.write(
            {
                "state": "done",
                "imported_count": imported,
                "known_count": known,
                "report": "\n".join(
                    self.env._("Line %(line)s: %(reason)s", line=line, reason=reason)
                    for line, reason in problems
                ),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _care_match(self, row):
        """The customers the line names: by email, else by phone."""
        Partner = self.env["res.partner"]
        if row.email:
            status = check_email(row.email)
            if not status.ok:
                return Partner
            return Partner.search([("email_normalized", "=", status.address)])
        status = check_phone(row.phone, self.env.company.country_id.code)
        if not status.ok:
            return Partner
        return Partner._care_find_by_phone(status.address)

    def _care_wording(self, row):
        return row.wording or self.env._(
            "Consent imported from %(system)s.", system=row.source
        )

    def _care_known(self, partner, row):
        return bool(
            self.env["service.care.consent"].search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("source", "=", "import"),
                    ("channel", "=", row.channel),
                    ("purpose", "=", row.purpose or False),
                    ("granted", "=", row.granted),
                    ("date", "=", row.date),
                ],
                limit=1,
            )
        )

    def _care_create(self, partner, row):
        return self.env["service.care.consent"].create(
            {
                "partner_id": partner.id,
                "channel": row.channel,
                "purpose": row.purpose or False,
                "granted": row.granted,
                "date": row.date,
                "source": "import",
                "wording": self._care_wording(row),
            }
        )

    @api.model
    def _file_error_text(self, error):
        if error.code == "too_big":
            return self.env._(
                "The file is too big (at most %(size)s).", size=error.value
            )
        if error.code == "not_utf8":
            return self.env._("The file is not a UTF-8 CSV file.")
        return self.env._(
            "The first line must name the columns; missing: %(columns)s.",
            columns=error.value,
        )

    @api.model
    def _row_error_text(self, error):
        texts = {
            "no_contact": self.env._("no email and no phone"),
            "channel": self.env._(
                "unknown channel %(value)r (email or sms)", value=error.value
            ),
            "purpose": self.env._(
                "unknown purpose %(value)r (replenishment, back_in_stock, news or "
                "empty)",
                value=error.value,
            ),
            "date": self.env._(
                "unreadable date %(value)r (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
                value=error.value,
            ),
            "future": self.env._(
                "the date %(value)s is in the future", value=error.value
            ),
            "source": self.env._("no source"),
            "granted": self.env._(
                "unreadable granted %(value)r (yes or no)", value=error.value
            ),
        }
        return texts[error.code]
