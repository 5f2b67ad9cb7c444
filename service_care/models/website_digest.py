# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models

from ..tools.policy import WEEKDAY_SELECTION, local_to_utc
from ..tools.replenishment import last_run_slot

DIGEST_DAYS = 7


class Website(models.Model):
    """The weekly best-sellers digest of a website: when it goes out, how
    many products, and this week's (``data/digest_scenario_data.xml``)."""

    _inherit = "website"

    care_digest_weekday = fields.Selection(
        WEEKDAY_SELECTION, "Digest Day", default="3", required=True
    )
    care_digest_hour = fields.Float("Digest Hour", default=10.0)
    care_digest_size = fields.Integer("Products in the Digest", default=6)
    care_digest_week = fields.Date(
        "Digest Week",
        readonly=True,
        copy=False,
        help="The day the last digest went out (company time).",
    )
    care_digest_product_ids = fields.Many2many(
        "product.product",
        "service_care_website_digest_product_rel",
        string="This Week's Best Sellers",
        readonly=True,
        copy=False,
    )

    @api.model
    def _cron_care_digests(self):
        """Each website whose digest day and hour came this week (company
        time) and that has not sent it yet: pick the best sellers, start the
        digest for its customers who agreed to news by email."""
        started = self.browse()
        # every website, however many: a shop has a handful
        for website in self.search([], limit=None):
            company = website.company_id
            local_slot = last_run_slot(
                company._care_local(fields.Datetime.now()),
                int(website.care_digest_weekday),
                website.care_digest_hour,
            )
            day = local_slot.date()
            if website.care_digest_week and website.care_digest_week >= day:
                continue
            slot = local_to_utc(local_slot, company._care_tz())
            late = fields.Datetime.now() - slot > timedelta(days=1)
            # a slot missed by more than a day (installed since, or the
            # server was down) waits for next week's: a digest is about now
            products = website._care_digest_best_sellers(slot) if not late else []
            website.write(
                {
                    "care_digest_week": day,
                    "care_digest_product_ids": [
                        fields.Command.set([product.id for product in products])
                    ],
                }
            )
            if products:
                self.env["service.care.scenario"]._care_trigger(
                    "weekly_digest", website._care_digest_recipients()
                )
                started |= website
        return started

    def _care_digest_best_sellers(self, until):
        """The published, in-stock products sold most on this website in the
        seven days before ``until``: units first, then revenue."""
        self.ensure_one()
        groups = self.env["sale.order.line"]._read_group(
            [
                ("state", "=", "sale"),
                ("order_id.website_id", "=", self.id),
                ("order_id.date_order", ">=", until - timedelta(days=DIGEST_DAYS)),
                ("order_id.date_order", "<", until),
                ("product_id.sale_ok", "=", True),
                ("product_id.is_published", "=", True),
            ],
            ["product_id"],
            ["product_uom_qty:sum", "price_subtotal:sum"],
            order="product_uom_qty:sum desc, price_subtotal:sum desc",
        )
        in_stock = [product for product, *_sums in groups if not product._is_sold_out()]
        return self.env["product.product"].concat(*in_stock[: self.care_digest_size])

    def _care_digest_recipients(self):
        """The website's customers (an order on it) who agreed to news by
        email: those without consent are not asked for a message at all."""
        self.ensure_one()
        customers = (
            self.env["sale.order"]
            .search([("website_id", "=", self.id), ("state", "=", "sale")])
            .partner_id
        )
        allowed = customers._care_marketing_allowed("email", ["news"], self.company_id)
        return customers.filtered(lambda p: allowed[p.id, "news"]).sorted("id")
