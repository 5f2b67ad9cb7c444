# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

# create() values key of the values Odoo computed for an identical cart line
CASE_VALUES_KEY = "__care_case_values"


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    care_out_of_stock = fields.Boolean(
        "Out of Stock",
        readonly=True,
        copy=False,
        help="When the cart was prepared, the free stock could not cover this line.",
    )
    care_reminder_ids = fields.One2many(
        "service.care.reminder", "cart_line_id", "Reminders", readonly=True
    )

    def _add_precomputed_values(self, vals_list):
        # The weekly run gives each cart line what Odoo computed for an
        # identical line of the same batch (same product, quantity, pricelist,
        # fiscal position...), amounts included. create() drops readonly
        # precomputed values to compute them again; these are its own results,
        # so they are put back instead of computing them thousands of times.
        for vals in vals_list:
            case_values = vals.pop(CASE_VALUES_KEY, None)
            if case_values:
                vals.update(case_values)
        return super()._add_precomputed_values(vals_list)
