# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "service.care.smart.button.mixin"]

    care_waitlist_count = fields.Integer(
        "Waiting Customers",
        compute="_compute_care_waitlist_count",
        groups="service_care.service_care_group_user",
        help="Customers waiting for this variant to be back in stock.",
    )

    def _compute_care_waitlist_count(self):
        counts = self._care_count_related(
            "service.care.waitlist", "product_id", [("state", "=", "waiting")]
        )
        for product in self:
            product.care_waitlist_count = counts.get(product.id, 0)

    def action_view_care_waitlist(self):
        self.ensure_one()
        return self._care_related_action(
            "service_care.service_care_waitlist_action",
            [("product_id", "=", self.id)],
            context={"default_product_id": self.id, "search_default_filter_waiting": 1},
        )

    def _care_free_qty(self, website):
        """{variant id: free quantity in the warehouse ``website`` sells from}.

        As ``website._get_product_available_qty`` counts it for the shop page,
        for many variants at once.
        """
        products = self.with_company(website.company_id).with_context(
            warehouse_id=website.warehouse_id.id
        )
        return {product.id: product.free_qty for product in products}

    def _has_stock_notification(self, partner):
        """The shop page shows "we'll notify you" for our waitlist too."""
        self.ensure_one()
        # sudo: the shop asks about the visitor's own waiting line.
        waiting = (
            self.env["service.care.waitlist"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("product_id", "=", self.id),
                    ("state", "=", "waiting"),
                ],
                limit=1,
            )
        )
        return bool(waiting) or super()._has_stock_notification(partner)

    def _send_availability_email(self):
        """Odoo's hourly availability email, replaced by the waitlist.

        The notify-me button now fills the waitlist; subscriptions still made
        the old way (before service_care was installed, or by other code) move
        to it, pending a confirmation by the address's owner, since Odoo let
        anyone subscribe any address. Odoo's cron then has nobody left to
        email: no customer is told twice.
        """
        self._care_adopt_stock_notifications()
        return super()._send_availability_email()

    def _care_adopt_stock_notifications(self):
        """Move Odoo's notify-me subscribers to the waitlist.

        A subscriber with a user account asked while logged in: they wait at
        once. An address a guest typed may be anyone's: its owner confirms
        first. Each line is for the website the product is sold on.
        """
        products = self.search([("stock_notification_partner_ids", "!=", False)])
        if not products:
            return
        Waitlist = self.env["service.care.waitlist"]
        pending = Waitlist
        for product in products:
            website = product._care_sold_on_website()
            for partner in product.stock_notification_partner_ids:
                # with_context(active_test=False): a portal account archived
                # since is still the customer who asked logged in.
                logged_in = bool(partner.with_context(active_test=False).user_ids)
                pending |= Waitlist._care_subscribe(
                    partner, product, website, "shop", confirmed=logged_in
                )
        pending.filtered(
            lambda line: line.state == "pending" and not line.confirmation_sent_at
        )._care_send_confirmation()
        products.write({"stock_notification_partner_ids": [fields.Command.clear()]})

    def _care_sold_on_website(self):
        """The website this variant is sold on: its own, else the first of
        its company, else the current one."""
        self.ensure_one()
        Website = self.env["website"]
        return (
            self.website_id
            or (
                self.company_id
                and Website.search([("company_id", "=", self.company_id.id)], limit=1)
            )
            or Website.get_current_website()
        )
