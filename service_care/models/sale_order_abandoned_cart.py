# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Abandoned carts: a website cart whose known customer left it for the
website's delay starts the abandoned-cart scenario
(``data/abandoned_cart_scenario_data.xml``).

A change of the cart wakes the cron for its deadline, so the scenario starts
within a minute of it rather than at an hourly poll; the cron claims due
carts ``FOR UPDATE SKIP LOCKED`` and marks each, so two workers or a rerun
start nothing twice. A cart reminded of is not reminded of again with the
same content.
"""

from datetime import timedelta
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import abandoned_cart, signed_link

# How long the "return to my cart" button of a reminder works.
RESTORE_LINK_DAYS = 7
CRON = "service_care.ir_cron_service_care_abandoned_carts"
DEFAULT_DELAY = 15


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    care_cart_changed_at = fields.Datetime(
        "Cart Changed At",
        readonly=True,
        copy=False,
        help="The last time the customer changed this website cart.",
    )
    care_cart_reminded_at = fields.Datetime(
        "Cart Reminder Started",
        readonly=True,
        copy=False,
        help="When the abandoned-cart scenario last looked at this cart.",
    )
    care_cart_reminded_content = fields.Char(
        "Cart Content Reminded Of",
        readonly=True,
        copy=False,
        help="The products and quantities of the last reminder: the same "
        "content is not reminded of twice.",
    )
    care_cart_left = fields.Boolean(
        "Cart Left As Is",
        compute="_compute_care_cart_left",
        search="_search_care_cart_left",
        help="A website cart of a known customer, not ordered, emptied or "
        "replaced by a newer order, and not changed since its reminder started.",
    )

    # ------------------------------------------------------------------
    # What a left cart is
    # ------------------------------------------------------------------

    @api.model
    def _care_left_carts_sql(self):
        """The condition of a cart left as is, on ``sale_order``."""
        return SQL(
            """
            sale_order.state = 'draft'
            AND sale_order.website_id IS NOT NULL
            AND sale_order.care_cart_reminded_at IS NOT NULL
            AND sale_order.care_cart_changed_at <= sale_order.care_cart_reminded_at
            AND sale_order.partner_id <> (
                SELECT u.partner_id FROM website w JOIN res_users u ON u.id = w.user_id
                WHERE w.id = sale_order.website_id)
            AND EXISTS (SELECT 1 FROM sale_order_line l
                        WHERE l.order_id = sale_order.id AND NOT l.is_delivery)
            AND NOT EXISTS (
                SELECT 1 FROM sale_order later
                WHERE later.partner_id = sale_order.partner_id
                  AND later.website_id = sale_order.website_id
                  AND later.id > sale_order.id
                  AND later.state IN ('draft', 'sent', 'sale'))
            """
        )

    def _care_left_cart_ids(self, ids=None):
        self.flush_model()
        self.env["sale.order.line"].flush_model(["order_id", "is_delivery"])
        restrict = SQL(" AND sale_order.id IN %s", tuple(ids)) if ids else SQL()
        self.env.cr.execute(
            SQL(
                "SELECT sale_order.id FROM sale_order WHERE %s%s",
                self._care_left_carts_sql(),
                restrict,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.depends(
        "state",
        "care_cart_changed_at",
        "care_cart_reminded_at",
        "order_line",
        "partner_id",
    )
    def _compute_care_cart_left(self):
        ids = self._care_left_cart_ids(self.ids) if self.ids else set()
        for order in self:
            order.care_cart_left = order.id in ids

    def _search_care_cart_left(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        inside = (operator == "=") == value
        return [("id", "in" if inside else "not in", list(self._care_left_cart_ids()))]

    def _care_cart_content(self):
        """The products and quantities of the cart, as one comparable text."""
        self.ensure_one()
        return abandoned_cart.content_key(
            (line.product_id.id, line.product_uom_qty)
            for line in self.website_order_line
        )

    # ------------------------------------------------------------------
    # The cart changes: wake the cron for its deadline
    # ------------------------------------------------------------------

    def _cart_update(self, *args, **kwargs):
        result = super()._cart_update(*args, **kwargs)
        self.care_cart_changed_at = fields.Datetime.now()
        self._care_cart_wake()
        return result

    def write(self, vals):
        result = super().write(vals)
        if "partner_id" in vals:
            # a guest typed an address at checkout: the cart now has a
            # customer to remind
            self.filtered(
                lambda o: o.website_id and o.state == "draft" and o.care_cart_changed_at
            )._care_cart_wake()
        return result

    def _care_cart_wake(self):
        """Have the abandoned-cart cron run at these carts' deadlines."""
        now = fields.Datetime.now()
        deadlines = {
            max(
                now,
                order.care_cart_changed_at
                + timedelta(minutes=order.website_id._care_cart_delay()),
            )
            for order in self
            if order.website_id and order.care_cart_changed_at
        }
        # sudo: a shop visitor's cart change wakes the cron; a trigger is
        # bookkeeping of the cron itself
        if deadlines:
            self.env.ref(CRON).sudo()._trigger(deadlines)

    # ------------------------------------------------------------------
    # The cron: carts left for the delay start the scenario
    # ------------------------------------------------------------------

    @api.model
    def _care_cart_due_sql(self):
        """Carts of a known customer left for their website's delay and not
        looked at since they last changed."""
        return SQL(
            """
            state = 'draft'
            AND website_id IS NOT NULL
            AND care_cart_changed_at IS NOT NULL
            AND (care_cart_reminded_at IS NULL
                 OR care_cart_reminded_at < care_cart_changed_at)
            AND care_cart_changed_at <= %s - make_interval(mins => COALESCE(
                (SELECT NULLIF(w.care_cart_abandoned_delay, 0) FROM website w
                 WHERE w.id = sale_order.website_id), %s))
            AND partner_id <> (
                SELECT u.partner_id FROM website w JOIN res_users u ON u.id = w.user_id
                WHERE w.id = sale_order.website_id)
            """,
            fields.Datetime.now(),
            DEFAULT_DELAY,
        )

    @api.model
    def _cron_care_abandoned_carts(self, batch_size=200):
        """Start the abandoned-cart scenario for the carts left for the delay."""
        return self.env["service.care.batch.job"]._care_run_queue(
            self,
            self._care_cart_due_sql,
            SQL("care_cart_changed_at, id"),
            lambda carts: carts._care_cart_abandoned(),
            batch_size,
            cron=CRON,
        )

    def _care_cart_abandoned(self):
        """Mark these claimed carts as looked at; start the scenario for
        those still left whose content was not reminded of yet."""
        now = fields.Datetime.now()
        self.care_cart_reminded_at = now
        left = self.filtered("care_cart_left").filtered(
            lambda cart: cart._care_cart_content() != cart.care_cart_reminded_content
        )
        Run = self.env["service.care.scenario.run"]
        # a changed cart starts a new wait: the runs about its old content end
        Run.search(
            [
                ("state", "=", "running"),
                ("res_model", "=", self._name),
                ("res_id", "in", left.ids),
                ("scenario_id.trigger", "=", "cart_abandoned"),
            ]
        )._end("exited", self.env._("The cart changed: a new wait started."))
        for cart in left:
            cart.care_cart_reminded_content = cart._care_cart_content()
        self.env["service.care.scenario"]._care_trigger("cart_abandoned", left)
        return len(self)

    # ------------------------------------------------------------------
    # The reminder's "return to my cart" link
    # ------------------------------------------------------------------

    def _care_restore_subject(self):
        self.ensure_one()
        return (self.id, self.partner_id.id)

    def get_care_restore_url(self):
        """Absolute URL that puts this cart back in the customer's browser;
        signed for the cart and its customer, valid a week."""
        self.ensure_one()
        self.check_access("read")
        expires = signed_link.timestamp(
            fields.Datetime.now() + timedelta(days=RESTORE_LINK_DAYS)
        )
        token = self.env["service.care.signed.link"]._care_token(
            "abandoned_cart", self._care_restore_subject(), expires
        )
        query = urlencode({"token": token})
        return f"{self.get_base_url()}/shop/care/cart/{self.id}?{query}"

    @api.model
    def _care_cart_from_token(self, order_id, token):
        """(cart, verdict) for a restore link a visitor brings."""
        # sudo: the visitor holds a signed link, not access rights; the
        # signature names the cart and its customer
        cart = self.sudo().browse(order_id).exists()
        if not cart:
            return cart, signed_link.INVALID
        verdict = self.env["service.care.signed.link"]._care_verify_token(
            "abandoned_cart", [cart._care_restore_subject()], token
        )
        return cart, verdict

    # ------------------------------------------------------------------
    # Odoo's own abandoned-cart email stays silent while ours is on
    # ------------------------------------------------------------------

    def _filter_can_send_abandoned_cart_mail(self):
        carts = super()._filter_can_send_abandoned_cart_mail()
        if self.env["service.care.scenario"]._care_recovers_carts(
            self.website_id.company_id
        ):
            # Odoo marks the carts it does not send as done: none of them
            # gets its email later either
            return carts.browse()
        return carts
