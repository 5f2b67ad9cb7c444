# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from urllib.parse import urlencode

from werkzeug.exceptions import BadRequest, NotFound

from odoo.http import request, route
from odoo.tools import email_normalize
from odoo.tools.mail import email_re

from odoo.addons.website_sale_stock.controllers.main import WebsiteSaleStock

from ..tools import abandoned_cart, signed_link

# At most this many variants go to the cart from one link.
MAX_CART_LINK_PRODUCTS = 20


class ServiceCareShop(WebsiteSaleStock):
    """The shop's "notify me" button, routed to the back-in-stock waitlist,
    the links of the waitlist's emails and the abandoned-cart reminder's
    "return to my cart"."""

    @route()
    def add_stock_email_notification(self, email, product_id):
        """A logged-in customer is on the waitlist in one click; any other
        address gets an email asking its owner to confirm first."""
        product = request.env["product.product"].browse(int(product_id)).exists()
        if not product or not product._is_add_to_cart_allowed():
            raise NotFound()
        # sudo: visitors have no right on waitlists; they only put on them
        # themselves, or an address whose owner confirms by email.
        Waitlist = request.env["service.care.waitlist"].sudo()
        website = request.website
        partner = request.env.user.partner_id
        if not website.is_public_user() and (
            not email or email_normalize(email) == partner.email_normalized
        ):
            Waitlist._care_subscribe(partner, product, website, "shop")
            return {"state": "waiting"}
        if not email_re.match(email or ""):
            raise BadRequest(request.env._("Invalid Email"))
        Waitlist._care_request(email, product, website)
        request.session["stock_notification_email"] = email
        # The same answer whether the address was already waiting or not:
        # it tells a visitor nothing about someone else's address.
        return {"state": "pending"}

    @route(
        "/shop/care/waitlist/<string:scope>/<int:line_id>/<int:expires>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def care_waitlist_link(self, scope, line_id, expires, token, **post):
        """Confirm a request (``confirm``) or wait again (``again``).

        The link was signed for the line's customer; a GET only shows what
        the button will do (mail scanners follow links), the POST does it.
        """
        line = request.env["service.care.waitlist"]._care_from_token(
            scope, line_id, expires, token
        )
        if not line:
            raise NotFound()
        values = {"line": line, "scope": scope, "action_url": request.httprequest.path}
        if request.httprequest.method != "POST":
            return request.render("service_care.waitlist_link_page", values)
        if scope == "confirm":
            line._care_confirm_address()
        else:
            line = line._care_wait_again("email")
        return request.render(
            "service_care.waitlist_link_done", dict(values, line=line)
        )

    @route(
        "/shop/care/cart",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def care_cart(self, product_ids="", **kwargs):
        """Put the variants of a back-in-stock email in the cart, once each.

        A GET (the email's link, also followed by mail scanners) only shows
        them with a button; the POST, with its CSRF token, fills the cart.
        """
        ids = [int(pid) for pid in product_ids.split(",") if pid.isdigit()]
        # A search, not a browse: a variant unpublished since the email was
        # sent is left out (record rules) rather than forbid the whole page.
        products = (
            request.env["product.product"]
            .search([("id", "in", ids[:MAX_CART_LINK_PRODUCTS])])
            .filtered(lambda p: p._is_add_to_cart_allowed())
        )
        if request.httprequest.method != "POST":
            return request.render(
                "service_care.waitlist_cart_page",
                {"products": products, "product_ids": ",".join(map(str, products.ids))},
            )
        if products:
            order = request.website.sale_get_order(force_create=True)
            if order.state != "draft":
                request.session["sale_order_id"] = None
                order = request.website.sale_get_order(force_create=True)
            for product in products - order.order_line.product_id:
                order._cart_update(product_id=product.id, add_qty=1)
            request.session["website_sale_cart_quantity"] = order.cart_quantity
        return request.redirect("/shop/cart")

    @route(
        "/shop/care/cart/<int:order_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def care_restore_cart(self, order_id, token="", **kwargs):
        """Put the cart of an abandoned-cart reminder back in this browser.

        The link is signed for the cart and its customer. A cart of a user
        account is restored only in that user's session: a visitor who is
        not logged in is asked to log in first.
        """
        cart, verdict = request.env["sale.order"]._care_cart_from_token(order_id, token)
        if verdict == signed_link.INVALID:
            raise NotFound()
        if cart.website_id != request.website:
            base = cart.website_id.get_base_url()
            return request.redirect(
                f"{base}{request.httprequest.full_path}", local=False
            )
        anonymous = request.website.is_public_user()
        decision = abandoned_cart.restore_decision(
            expired=verdict == signed_link.EXPIRED,
            open_cart=cart.state == "draft" and bool(cart.website_order_line),
            owned_by_user=bool(cart.partner_id.user_ids),
            anonymous=anonymous,
            visitor_is_customer=request.env.user.partner_id == cart.partner_id,
        )
        if decision == abandoned_cart.LOGIN:
            query = urlencode({"redirect": request.httprequest.full_path})
            return request.redirect(f"/web/login?{query}")
        if decision != abandoned_cart.RESTORE:
            return request.render(
                "service_care.abandoned_cart_link_page", {"reason": decision}
            )
        request.session["sale_order_id"] = cart.id
        request.session["website_sale_cart_quantity"] = cart.cart_quantity
        return request.redirect("/shop/cart")
