# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models

# How long a notice keeps checking whether its variants were bought or sold
# out again.
FOLLOW_UP_DAYS = 14


class ServiceCareWaitlistNotice(models.Model):
    """One restock round for one customer: the variants of theirs that came
    back, told in one message.

    It is the document of the back-in-stock scenario's run: the messages list
    its lines, and the scenario's action closes the buying window on them.
    """

    _name = "service.care.waitlist.notice"
    _description = "Back-in-Stock Notice"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    website_id = fields.Many2one("website", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="website_id.company_id", store=True, index=True
    )
    waitlist_ids = fields.One2many(
        "service.care.waitlist", "notice_id", "Variants", readonly=True
    )
    message_ids = fields.One2many("service.care.message", "res_id", "Messages")
    opened_at = fields.Datetime(compute="_compute_engagement", store=True)
    clicked_at = fields.Datetime(compute="_compute_engagement", store=True)
    settled_at = fields.Datetime(
        "Last Checked At",
        readonly=True,
        help="When the scenario last checked what the customer bought.",
    )
    product_names = fields.Char(compute="_compute_product_names")
    cart_url = fields.Char(
        compute="_compute_cart_url", help="Puts all the variants in the cart."
    )
    out_again_ids = fields.Many2many(
        "service.care.waitlist",
        compute="_compute_out_again",
        string="Sold Out Again",
        help="The variants that sold out again, unbought, at the last check.",
    )
    out_again_count = fields.Integer(compute="_compute_out_again")
    follow_up = fields.Boolean(
        compute="_compute_follow_up",
        help="Variants are still unbought and in stock: check again later.",
    )

    @api.depends("partner_id", "create_date")
    def _compute_display_name(self):
        for notice in self:
            notice.display_name = self.env._(
                "Back in stock for %(customer)s", customer=notice.partner_id.name
            )

    @api.depends("message_ids.opened_at", "message_ids.clicked_at")
    def _compute_engagement(self):
        for notice in self:
            opens = notice.message_ids.filtered("opened_at").mapped("opened_at")
            clicks = notice.message_ids.filtered("clicked_at").mapped("clicked_at")
            notice.opened_at = min(opens) if opens else False
            notice.clicked_at = min(clicks) if clicks else False

    @api.depends_context("lang")
    @api.depends("waitlist_ids.product_name")
    def _compute_product_names(self):
        for notice in self:
            notice.product_names = ", ".join(notice.waitlist_ids.mapped("product_name"))

    @api.depends("waitlist_ids.product_id", "website_id")
    def _compute_cart_url(self):
        for notice in self:
            ids = ",".join(str(pid) for pid in notice.waitlist_ids.product_id.ids)
            notice.cart_url = (
                f"{notice.website_id.get_base_url()}/shop/care/cart?product_ids={ids}"
            )

    @api.depends("settled_at", "waitlist_ids.state", "waitlist_ids.out_again_at")
    def _compute_out_again(self):
        for notice in self:
            lines = notice.waitlist_ids.filtered(
                lambda line, notice=notice: (
                    line.state == "out_again"
                    and notice.settled_at
                    and line.out_again_at >= notice.settled_at
                )
            )
            notice.out_again_ids = lines
            notice.out_again_count = len(lines)

    def _compute_follow_up(self):
        since = fields.Datetime.now() - timedelta(days=FOLLOW_UP_DAYS)
        for notice in self:
            notice.follow_up = notice.create_date > since and any(
                line.state == "notified" for line in notice.waitlist_ids
            )

    def _care_settle(self):
        """Close the buying window: see what was bought and what sold out again."""
        now = fields.Datetime.now()
        self.waitlist_ids._care_settle(now)
        self.write({"settled_at": now})
