# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import fields, models

from .website_digest import DIGEST_DAYS


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _care_digest_products(self):
        """This week's best sellers of the customer's shop, without what the
        customer bought in the last seven days (the digest's lines)."""
        self.ensure_one()
        orders = self.env["sale.order"].search(
            [("partner_id", "=", self.id), ("state", "=", "sale")],
            order="date_order desc",
        )
        website = orders.website_id[:1] or self.env["website"].get_current_website()
        since = fields.Datetime.now() - timedelta(days=DIGEST_DAYS)
        bought = orders.filtered(lambda o: o.date_order >= since).order_line.product_id
        return website.care_digest_product_ids - bought
