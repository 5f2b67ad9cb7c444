# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


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
