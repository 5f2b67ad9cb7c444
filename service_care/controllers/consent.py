# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.auth_signup.controllers.main import AuthSignupHome

from ..tools import birthday, signed_link
from ..tools.consent import PURPOSES


class ServiceCareConsent(http.Controller):
    """Where customers say yes: the checkout boxes, the page where they
    choose what they receive, and the double opt-in confirmation link."""

    # ------------------------------------------------------------------
    # Checkout
    # ------------------------------------------------------------------

    @http.route(
        "/shop/care/checkout_consent",
        type="json",
        auth="public",
        website=True,
        sitemap=False,
    )
    def care_checkout_consent(self, channel, ticked):
        """A box of the checkout ticked or unticked, on the visitor's own cart."""
        if channel not in ("email", "sms") or not isinstance(ticked, bool):
            raise BadRequest()
        order = request.website.sale_get_order()
        if not order:
            raise NotFound()
        # sudo: the cart is the visitor's own (from their session); the
        # consent is logged on its customer, with the visitor's IP.
        order.sudo()._care_checkout_answer(
            channel, ticked, request.httprequest.remote_addr
        )
        return {"ticked": ticked}

    # ------------------------------------------------------------------
    # Double opt-in
    # ------------------------------------------------------------------

    @http.route(
        "/care/consent/<int:consent_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def care_consent_confirm(self, consent_id, token, **post):
        """A GET shows what will be confirmed (mail scanners follow links);
        the POST confirms."""
        row, verdict = request.env["service.care.consent"]._care_from_confirm_token(
            consent_id, token
        )
        if verdict == signed_link.INVALID:
            raise NotFound()
        values = {"consent": row, "company": row.asking_company_id, "action_url": ""}
        if verdict == signed_link.EXPIRED:
            return request.render(
                "service_care.consent_confirm_page",
                {**values, "state": "expired"},
                status=403,
            )
        if row._care_confirmed():
            state = "done"
        elif request.httprequest.method == "POST":
            row._care_confirm(ip=request.httprequest.remote_addr)
            state = "done"
        else:
            state = "ask"
            values["action_url"] = request.httprequest.path
        return request.render(
            "service_care.consent_confirm_page", {**values, "state": state}
        )

    # ------------------------------------------------------------------
    # Preferences
    # ------------------------------------------------------------------

    @http.route("/my/care/preferences", type="http", auth="user", website=True)
    def care_my_preferences(self, **post):
        return self._care_preferences(
            request.env.user.partner_id, request.env.company, post
        )

    @http.route(
        "/care/p/<string:uuid>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def care_message_preferences(self, uuid, token, **post):
        """The same page, from the footer of a message, without logging in."""
        message = request.env["service.care.message"]._from_token(
            uuid, "preferences", token
        )
        if not message:
            raise NotFound()
        return self._care_preferences(message.partner_id, message.company_id, post)

    def _care_preferences(self, partner, company, post):
        # sudo: the partner is the logged-in customer or the recipient of
        # the signed message link; they read and change their own consents.
        partner = partner.sudo()
        saved = pending = birthday_error = False
        if request.httprequest.method == "POST":
            rows = partner.with_company(company)._care_set_preferences(
                {
                    (channel, purpose): bool(post.get(f"{channel}_{purpose}"))
                    for channel in ("email", "sms")
                    for purpose in PURPOSES
                },
                request.httprequest.remote_addr,
            )
            saved = True
            pending = any(rows.mapped("pending"))
            birthday_error = self._care_save_birthday(partner, post)
        choices = partner._care_preferences(company)
        return request.render(
            "service_care.care_preferences_page",
            {
                "partner": partner,
                "company": company,
                "choices": choices,
                "purposes": request.env["service.care.consent"]
                ._fields["purpose"]
                ._description_selection(request.env),
                "contacts": {
                    channel: partner._care_contact_status(channel)[partner.id]
                    for channel in ("email", "sms")
                },
                "action_url": request.httprequest.path,
                "saved": saved and not birthday_error,
                "pending": pending,
                "birthday_error": birthday_error,
                "months": request.env["res.partner"]
                ._fields["care_birth_month"]
                ._description_selection(request.env),
                "page_name": "care_preferences",
            },
        )

    @staticmethod
    def _care_save_birthday(partner, post):
        """Store the birthday the customer gave (all empty: none); return
        what is wrong with it, or False."""
        values = {
            "care_birth_day": post.get("birth_day") or "",
            "care_birth_month": post.get("birth_month") or False,
            "care_birth_year": post.get("birth_year") or "",
        }
        if not any(values.values()):
            partner.write(
                {"care_birth_day": 0, "care_birth_month": False, "care_birth_year": 0}
            )
            return False
        try:
            values["care_birth_day"] = int(values["care_birth_day"] or 0)
            values["care_birth_year"] = int(values["care_birth_year"] or 0)
        except ValueError:
            return request.env._("The day and the year are numbers.")
        if not birthday.valid(
            values["care_birth_day"],
            int(values["care_birth_month"] or 0),
            values["care_birth_year"] or None,
        ):
            return request.env._("This birthday is not a date.")
        partner.write(values)
        return False


class ServiceCareSignup(AuthSignupHome):
    """The email box of the sign-up page, like the checkout's."""

    def _signup_with_values(self, token, values):
        super()._signup_with_values(token, values)
        label = request.website.company_id.care_checkout_email_label
        if not request.params.get("care_consent_email") or not label:
            return
        # sudo: the visitor has just created this account; the consent is
        # logged on its partner, with the visitor's IP.
        user = (
            request.env["res.users"]
            .sudo()
            .search([("login", "=", values.get("login"))], limit=1)
        )
        user.partner_id.with_company(request.website.company_id)._care_set_consent(
            "email", True, "website", label, ip=request.httprequest.remote_addr
        )
