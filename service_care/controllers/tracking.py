# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..tools import tracking
from ..tools.consent import DEFAULT_PURPOSE

UTM_SOURCE = "Service Care"
UTM_MEDIUMS = {"email": "Email", "sms": "SMS"}
# As long as Odoo keeps the UTM cookies it sets from utm_* URL parameters.
UTM_COOKIE_AGE = 31 * 24 * 3600
NO_CACHE_HEADERS = [
    ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"),
    ("Pragma", "no-cache"),
    ("Expires", "0"),
]


class ServiceCareTracking(http.Controller):
    """Open pixel, click redirect and unsubscribe of service_care messages.

    Every URL carries the message's UUID and an HMAC token for its scope; a
    token that does not match is a 404 and changes nothing.
    """

    def _message(self, uuid, scope, token, *parts):
        """The message the token was made for (sudo), else 404."""
        message = request.env["service.care.message"]._from_token(
            uuid, scope, token, *parts
        )
        if not message:
            raise NotFound()
        return message

    @http.route(
        "/care/o/<string:uuid>/<string:token>.gif",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def care_open(self, uuid, token, **kwargs):
        message = self._message(uuid, "open", token)
        httprequest = request.httprequest
        # HEAD (allowed with GET) is a link checker's, not a mail client's.
        if httprequest.method == "GET":
            message._track_open(
                machine=tracking.is_machine_open(
                    httprequest.remote_addr, httprequest.user_agent.string
                )
            )
        return request.make_response(
            tracking.PIXEL_GIF, [("Content-Type", "image/gif"), *NO_CACHE_HEADERS]
        )

    @http.route(
        "/care/c/<string:uuid>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def care_click(self, uuid, token, u=None, **kwargs):
        if not u:
            raise NotFound()
        # The token covers the URL: only URLs we sent redirect, no open redirect.
        message = self._message(uuid, "click", token, u)
        # Link scanners and preview bots follow links too; like link_tracker,
        # they are redirected but not counted, nor are HEAD requests (link
        # checkers, Apple Mail's URL check).
        if (
            request.httprequest.method == "GET"
            and not request.env["ir.http"].is_a_bot()
        ):
            message._track_click()
        response = request.redirect(u, code=302, local=False)
        self._set_utm_cookies(response, message)
        response.headers.extend(NO_CACHE_HEADERS)
        return response

    def _set_utm_cookies(self, response, message):
        """Set Odoo's UTM cookies, as a link_tracker URL with utm_* does.

        An order the visitor then places on the shop gets this source, medium
        and campaign (``utm.mixin.default_get`` reads the cookies). Cookies
        hold record names, as Odoo's own do.
        """
        # sudo: the visitor is anonymous and may not create UTM records; the
        # names come from our own constants and the scenario, not from the URL.
        utm = request.env["utm.mixin"].sudo()
        names = {
            "source_id": UTM_SOURCE,
            "medium_id": UTM_MEDIUMS[message.channel],
            # The scenario name in English: one campaign whatever the reader's
            # language.
            "campaign_id": message.scenario_id.with_context(lang="en_US").name,
        }
        domain = request.env["ir.http"].get_utm_domain_cookies()
        for _param, field_name, cookie_name in utm.tracking_fields():
            if field_name not in names:
                continue
            name = names[field_name]
            if not name:
                # No scenario: this last touch has no campaign, so an older
                # click's campaign must not be credited with the order.
                if cookie_name in request.cookies:
                    response.set_cookie(
                        cookie_name,
                        "",
                        max_age=0,
                        domain=domain,
                        cookie_type="optional",
                    )
                continue
            utm._find_or_create_record(utm._fields[field_name].comodel_name, name)
            response.set_cookie(
                cookie_name,
                name,
                max_age=UTM_COOKIE_AGE,
                domain=domain,
                cookie_type="optional",
            )

    # csrf=False: RFC 8058 one-click unsubscribe POSTs come from mail
    # providers, without our session or a CSRF token. The HMAC token in the URL
    # is the protection, and only a POST changes anything (link scanners GET).
    @http.route(
        "/care/u/<string:uuid>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
        csrf=False,
    )
    def care_unsubscribe(self, uuid, token, **post):
        message = self._message(uuid, "unsubscribe", token)
        purpose = message.scenario_id.purpose or DEFAULT_PURPOSE
        values = {
            "message": message,
            "company": message.company_id,
            "channel_label": {
                "email": request.env._("emails"),
                "sms": request.env._("text messages"),
            }[message.channel],
            "purpose_label": dict(
                request.env["service.care.consent"]
                ._fields["purpose"]
                ._description_selection(request.env)
            )[purpose],
            "action_url": request.httprequest.path,
            "preferences_url": message._preferences_url(),
            "fewer": False,
        }
        if request.httprequest.method != "POST":
            return request.render("service_care.tracking_unsubscribe_page", values)
        # "Fewer messages": only this kind of message off. The mail app's
        # one-click unsubscribe and the main button turn everything off.
        fewer = post.get("scope") == "purpose"
        if post.get("List-Unsubscribe") == "One-Click":
            wording = request.env._("One-click unsubscribe from the mail app.")
        elif fewer:
            wording = request.env._(
                "Fewer messages: no more %(purpose)s as %(channel)s from %(company)s.",
                purpose=values["purpose_label"],
                channel=values["channel_label"],
                company=message.company_id.name,
            )
        else:
            wording = request.env._(
                "Unsubscribe: stop receiving marketing %(channel)s from %(company)s.",
                channel=values["channel_label"],
                company=message.company_id.name,
            )
        message.partner_id._care_set_consent(
            message.channel,
            False,
            source="unsubscribe",
            wording=wording,
            ip=request.httprequest.remote_addr,
            purpose=fewer and purpose,
        )
        values["fewer"] = fewer
        return request.render("service_care.tracking_unsubscribed_page", values)
