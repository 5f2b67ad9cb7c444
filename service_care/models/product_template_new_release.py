# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

NEW_RELEASE_CRON = "service_care.ir_cron_service_care_new_release"


class ProductTemplate(models.Model):
    """New release for past buyers: a product names those it follows (a
    sequel, a new model); once it is published and in stock, the customers
    who bought one of them lately hear of it, once
    (``data/new_release_scenario_data.xml``)."""

    _inherit = "product.template"  # pylint: disable=consider-merging-classes-inherited

    care_follows_ids = fields.Many2many(
        "product.template",
        "service_care_product_follows_rel",
        "product_tmpl_id",
        "follows_tmpl_id",
        string="Follows",
        help="The products this one follows (a sequel, the previous model): "
        "their recent buyers are told when this one is out.",
    )
    care_release_announced_at = fields.Datetime(
        "Release Announced",
        readonly=True,
        copy=False,
        help="When the customers who bought what it follows were told it is out.",
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.get("is_published") or "care_follows_ids" in vals:
            # "product published": announce it now, not at the next sweep
            self.env.ref(NEW_RELEASE_CRON)._trigger()
        return result

    @api.model
    def _cron_care_new_releases(self):
        """Start the new-release scenario for each published, in-stock
        product that follows others and was not announced yet: one run per
        customer who bought one of those in the company's window."""
        releases = self.search(
            [
                ("care_follows_ids", "!=", False),
                ("is_published", "=", True),
                ("care_release_announced_at", "=", False),
            ]
        ).filtered(lambda product: not product._is_sold_out())
        Scenario = self.env["service.care.scenario"]
        for release in releases:
            buyers = release._care_past_buyers()
            Scenario._care_trigger(
                "product_published", release.browse([release.id] * len(buyers)), buyers
            )
            release.care_release_announced_at = fields.Datetime.now()
        return releases

    def _care_past_buyers(self):
        """The customers with a confirmed order of a product this one
        follows, in the company's window (months)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        since = fields.Datetime.now() - relativedelta(
            months=company.care_new_release_months
        )
        lines = self.env["sale.order.line"].search(
            [
                ("product_id.product_tmpl_id", "in", self.care_follows_ids.ids),
                ("order_id.state", "=", "sale"),
                ("order_id.date_order", ">=", since),
            ]
        )
        return lines.order_id.partner_id.sorted("id")
