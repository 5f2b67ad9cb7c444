# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..tools.replenishment import POSTPONE_WEEKS, parse_quantity

# what a reminder a customer can still act on is in
ACTIVE_REMINDER_STATES = ("scheduled", "postponed", "in_cart")


class ServiceCarePortal(CustomerPortal):
    """``/my/care``: the customer's predictive carts and reminders.

    The cart pages answer the cart's customer when logged in, and anyone with
    a signed link from the cart's emails (no login needed): a link is signed
    for one cart, its customer and one action, and expires with the cart. A
    GET never changes anything but the "opened" mark; every action is a POST
    from the page the link shows.
    """

    # ------------------------------------------------------------------
    # Home and /my/care
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "care_count" in counters:
            Reminder = request.env["service.care.reminder"]
            values["care_count"] = (
                Reminder.search_count(self._care_reminder_domain())
                if Reminder.has_access("read")
                else 0
            )
        return values

    def _care_reminder_domain(self):
        partner = request.env.user.partner_id
        return [
            ("partner_id", "child_of", [partner.commercial_partner_id.id]),
            ("state", "in", ACTIVE_REMINDER_STATES),
        ]

    @http.route(["/my/care"], type="http", auth="user", website=True)
    def portal_my_care(self, **kwargs):
        partner = request.env.user.partner_id.commercial_partner_id
        # The record rule limits a portal user to their own reminders; the
        # explicit domain does the same for an employee looking at the portal.
        reminders = request.env["service.care.reminder"].search(
            self._care_reminder_domain(), order="due_date, id"
        )
        # sudo: carts are the customer's own quotations (partner domain); the
        # portal rule on orders needs followers, which carts do not have.
        carts = (
            request.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", [partner.id]),
                    ("care_predictive", "=", True),
                ],
                order="care_cart_date desc, id desc",
                limit=10,
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "care",
                # sudo: reminders found above as the customer; products and
                # orders are shown by name only.
                "reminders": reminders.sudo(),
                "carts": carts,
                "stopped": kwargs.get("stopped"),
            }
        )
        return request.render("service_care.portal_my_care", values)

    @http.route(
        ["/my/care/reminder/<int:reminder_id>/stop"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_care_reminder_stop(self, reminder_id, **kwargs):
        reminder = (
            request.env["service.care.reminder"]
            .search([*self._care_reminder_domain(), ("id", "=", reminder_id)])
            .exists()
        )
        if not reminder:
            raise NotFound()
        # sudo: the reminder is the customer's own (found under their rules);
        # stopping it updates their interval and open cart.
        reminder = reminder.sudo()
        reminder._care_stop()
        self._care_done(reminder)
        return request.redirect("/my/care?stopped=1")

    # ------------------------------------------------------------------
    # The cart
    # ------------------------------------------------------------------

    def _care_cart(self, order_id, token, action="cart", arg=None):
        """The cart (sudo) when the visitor may act on it, else a refusal.

        :return: (cart, None) or (None, response): 404 for a cart that is not
            theirs or a forged token, 403 for an expired link
        """
        # sudo: who may see the cart is decided below, by ownership or token.
        cart = request.env["sale.order"].sudo().browse(order_id).exists()
        if not cart or not cart.care_predictive:
            raise NotFound()
        user = request.env.user
        if (
            not user._is_public()
            and cart.partner_id.commercial_partner_id
            == user.partner_id.commercial_partner_id
        ):
            return cart, None
        status = cart._care_check_token(token, action, arg) if token else False
        if not status:
            raise NotFound()
        if status == "expired":
            return None, request.render(
                "service_care.portal_care_cart_refused",
                {"cart": cart, "reason": "expired"},
                status=403,
            )
        return cart, None

    def _care_cart_values(self, cart, token, **extra):
        return {
            "cart": cart,
            "token": token or "",
            "is_open": cart._care_cart_is_open(),
            "postpone_weeks": POSTPONE_WEEKS,
            "base_url": f"/my/care/cart/{cart.id}",
            **extra,
        }

    def _care_closed(self, cart, token):
        """The answer to an action on a cart that is no longer open."""
        expired = cart.care_cart_state == "expired" or (
            cart.care_cart_state == "open" and not cart._care_cart_is_open()
        )
        return request.render(
            "service_care.portal_care_cart_refused",
            {
                "cart": cart,
                "reason": "expired" if expired else "decided",
                "token": token or "",
            },
            status=403 if expired else 409,
        )

    @staticmethod
    def _care_done(records):
        """Flush what the visitor's action changed, in the sudo environment it
        was changed in: the request's own flush runs with the visitor's rights,
        which may not read the order lines the change recomputed."""
        records.env.flush_all()

    @staticmethod
    def _care_visited(cart):
        """Note a person's visit of the cart; link scanners and HEAD requests
        (mail security checks) are not the customer deciding."""
        if (
            request.httprequest.method == "GET"
            and not request.env["ir.http"].is_a_bot()
        ):
            cart._care_cart_visited()

    @staticmethod
    def _care_quantities(cart, form):
        quantities = {}
        for line in cart.order_line:
            raw = form.get(f"qty_{line.id}")
            if raw is None:
                continue
            quantity = parse_quantity(raw)
            if quantity is not None:
                quantities[line.id] = quantity
        return quantities

    @http.route(
        ["/my/care/cart/<int:order_id>"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def portal_care_cart(self, order_id, token=None, **kwargs):
        cart, refusal = self._care_cart(order_id, token)
        if refusal:
            return refusal
        if cart._care_cart_is_open():
            self._care_visited(cart)
            self._care_done(cart)
        return request.render(
            "service_care.portal_care_cart",
            self._care_cart_values(cart, token, updated=kwargs.get("updated")),
        )

    @http.route(
        ["/my/care/cart/<int:order_id>/update"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_care_cart_update(self, order_id, token=None, remove=None, **post):
        cart, refusal = self._care_cart(order_id, token)
        if refusal:
            return refusal
        if not cart._care_cart_is_open():
            return self._care_closed(cart, token)
        quantities = self._care_quantities(cart, post)
        if remove and remove.isdigit():
            quantities[int(remove)] = 0.0
        self._care_visited(cart)
        cart._care_cart_set_quantities(quantities)
        self._care_done(cart)
        if cart.care_cart_state != "open":
            return request.render(
                "service_care.portal_care_cart_done",
                self._care_cart_values(cart, token, outcome="emptied"),
            )
        query = f"?token={token}&updated=1" if token else "?updated=1"
        return request.redirect(f"/my/care/cart/{cart.id}{query}")

    def _care_action_page(self, cart, token, action, arg=None, **extra):
        """The page a one-click link shows: what will happen, and a button."""
        self._care_done(cart)
        return request.render(
            "service_care.portal_care_cart_action",
            self._care_cart_values(cart, token, action=action, arg=arg, **extra),
        )

    @http.route(
        ["/my/care/cart/<int:order_id>/confirm"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def portal_care_cart_confirm(self, order_id, token=None, **post):
        cart, refusal = self._care_cart(order_id, token, "confirm")
        if refusal:
            return refusal
        if not cart._care_cart_is_open():
            return self._care_closed(cart, token)
        self._care_visited(cart)
        if request.httprequest.method != "POST":
            return self._care_action_page(cart, token, "confirm")
        cart._care_cart_set_quantities(self._care_quantities(cart, post))
        if cart.care_cart_state != "open":
            outcome = "emptied"
        else:
            cart._care_portal_confirm()
            outcome = "confirmed"
        self._care_done(cart)
        return request.render(
            "service_care.portal_care_cart_done",
            self._care_cart_values(cart, token, outcome=outcome),
        )

    @http.route(
        ["/my/care/cart/<int:order_id>/postpone/<int:weeks>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def portal_care_cart_postpone(self, order_id, weeks, token=None, **post):
        if weeks not in POSTPONE_WEEKS:
            raise NotFound()
        cart, refusal = self._care_cart(order_id, token, "postpone", weeks)
        if refusal:
            return refusal
        if not cart._care_cart_is_open():
            return self._care_closed(cart, token)
        self._care_visited(cart)
        if request.httprequest.method != "POST":
            return self._care_action_page(cart, token, "postpone", weeks)
        cart._care_cart_postpone(weeks)
        self._care_done(cart)
        return request.render(
            "service_care.portal_care_cart_done",
            self._care_cart_values(
                cart,
                token,
                outcome="postponed",
                weeks=weeks,
                next_date=min(
                    cart.care_cart_reminder_ids.mapped("due_date") or [False]
                ),
            ),
        )

    @http.route(
        ["/my/care/cart/<int:order_id>/stop/<int:line_id>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def portal_care_cart_stop(self, order_id, line_id, token=None, **post):
        cart, refusal = self._care_cart(order_id, token, "stop", line_id)
        if refusal:
            return refusal
        line = cart.order_line.filtered(lambda order_line: order_line.id == line_id)
        if not line:
            raise NotFound()
        if not cart._care_cart_is_open():
            return self._care_closed(cart, token)
        self._care_visited(cart)
        if request.httprequest.method != "POST":
            return self._care_action_page(cart, token, "stop", line_id, line=line)
        product = line.product_id
        cart._care_cart_stop_line(line)
        self._care_done(cart)
        if cart.care_cart_state != "open":
            return request.render(
                "service_care.portal_care_cart_done",
                self._care_cart_values(cart, token, outcome="emptied", product=product),
            )
        query = f"?token={token}&updated=1" if token else "?updated=1"
        return request.redirect(f"/my/care/cart/{cart.id}{query}")
