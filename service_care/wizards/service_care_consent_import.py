# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import binascii
from collections import defaultdict

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
        matches = self._care_match(rows)
        seen = self._care_known_keys(self.env["res.partner"].union(*matches.values()))
        vals_list = []
        for row in rows:
            partners = matches[row.line]
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
                key = self._care_key(
                    partner.id, row.channel, row.purpose, row.granted, row.date
                )
                if key in seen:
                    continue
                # a line repeated in the file is imported once
                seen.add(key)
                vals_list.append(self._care_vals(partner, row))
        self.env["service.care.consent"].create(vals_list)
        imported = len(vals_list)
        matched = sum(len(matches[row.line]) for row in rows)
        known = matched - imported
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

    def _care_match(self, rows):
        """{line: the customers it names}: by email (one search for the
        whole file), else by phone number."""
        Partner = self.env["res.partner"]
        addresses = {}
        for row in rows:
            if row.email:
                status = check_email(row.email)
                addresses[row.line] = status.address if status.ok else None
        by_address = defaultdict(lambda: Partner)
        for partner in Partner.search(
            [("email_normalized", "in", [a for a in addresses.values() if a])]
        ):
            by_address[partner.email_normalized] |= partner
        by_number = {}
        country = self.env.company.country_id.code
        matches = {}
        for row in rows:
            if row.email:
                address = addresses[row.line]
                matches[row.line] = by_address[address] if address else Partner
                continue
            status = check_phone(row.phone, country)
            if not status.ok:
                matches[row.line] = Partner
                continue
            if status.address not in by_number:
                by_number[status.address] = Partner._care_find_by_phone(status.address)
            matches[row.line] = by_number[status.address]
        return matches

    @staticmethod
    def _care_key(partner_id, channel, purpose, granted, date):
        return (partner_id, channel, purpose or False, bool(granted), date)

    def _care_known_keys(self, partners):
        """The imported rows of these customers, as keys: importing a line
        again adds nothing."""
        rows = self.env["service.care.consent"].search_fetch(
            [("partner_id", "in", partners.ids), ("source", "=", "import")],
            ["partner_id", "channel", "purpose", "granted", "date"],
        )
        return {
            self._care_key(
                row.partner_id.id, row.channel, row.purpose, row.granted, row.date
            )
            for row in rows
        }

    def _care_vals(self, partner, row):
        return {
            "partner_id": partner.id,
            "channel": row.channel,
            "purpose": row.purpose or False,
            "granted": row.granted,
            "date": row.date,
            "source": "import",
            "wording": row.wording
            or self.env._("Consent imported from %(system)s.", system=row.source),
        }

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
