# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Settings of the lifecycle messages (new release, …)."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    care_new_release_months = fields.Integer(
        "New Release: Buyers of the Last (Months)",
        default=12,
        help="A new product is announced to the customers who bought one of "
        "the products it follows in this many months.",
    )

    @api.constrains("care_new_release_months")
    def _check_care_new_release_months(self):
        if any(company.care_new_release_months < 1 for company in self):
            raise ValidationError(
                self.env._("New releases go to the buyers of at least one month.")
            )
