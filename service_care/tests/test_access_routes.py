# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every public and portal route of the addon, tried by every kind of visitor.

Visitors: the owner (Anna, logged in), another customer (Bob, logged in), a
guest, a guest with the owner's genuine link, a guest with a forged token, and
one replaying a token signed for someone else's record. What each gets is in
``EXPECTED``; a refusal must also leave the owner's records as they were.
"""

import re
from urllib.parse import urlsplit

from odoo import Command, fields
from odoo.http import _generate_routing_rules
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from .common import ServiceCareCase
from .replenishment_common import ReplenishmentMixin

VISITORS = ("owner", "other", "guest", "link", "forged", "replayed")
# ok: the page, or the action done; login: sent to the login page; refused:
# 403 / 404 and nothing changed; own: the visitor's own page, without a trace
# of the owner's records; -: not a way this route is reached.
EXPECTED = {
    "/my/care": ("ok", "own", "login", "-", "-", "-"),
    "/my/care/reminder/<int:reminder_id>/stop": (
        *("ok", "refused", "login"),
        *("-", "-", "-"),
    ),
    "/my/care/cart/<int:order_id>": (
        *("ok", "refused", "refused"),
        *("ok", "refused", "refused"),
    ),
    # the actions: the owner's are tried in test_replenishment_portal
    "/my/care/cart/<int:order_id>/update": (
        *("-", "refused", "refused"),
        *("-", "refused", "refused"),
    ),
    "/my/care/cart/<int:order_id>/confirm": (
        *("-", "refused", "refused"),
        *("-", "refused", "refused"),
    ),
    "/my/care/cart/<int:order_id>/postpone/<int:weeks>": (
        *("-", "refused", "refused"),
        *("-", "refused", "refused"),
    ),
    "/my/care/cart/<int:order_id>/stop/<int:line_id>": (
        *("-", "refused", "refused"),
        *("-", "refused", "refused"),
    ),
    "/my/care/waitlist": ("ok", "own", "login", "-", "-", "-"),
    "/my/care/waitlist/<int:line_id>/<string:action>": (
        *("ok", "refused", "login"),
        *("-", "-", "-"),
    ),
    "/shop/care/waitlist/<string:scope>/<int:line_id>/<int:expires>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    # not anyone's: the variants of a back-in-stock email, for any visitor
    "/shop/care/cart": ("-", "ok", "ok", "-", "-", "-"),
    # a cart of a user account comes back in that user's session only: the
    # link's holder logs in first (another account: test_abandoned_cart)
    "/shop/care/cart/<int:order_id>": ("ok", "-", "-", "login", "refused", "refused"),
    "/care/o/<string:uuid>/<string:token>.gif": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    "/care/c/<string:uuid>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    "/care/u/<string:uuid>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    "/care/p/<string:uuid>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    "/my/care/preferences": ("ok", "own", "login", "-", "-", "-"),
    "/care/consent/<int:consent_id>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    # JSON, on the visitor's own cart (their session) only: no id to try
    # on someone else's; tried in test_consent_routes.
    "/shop/care/checkout_consent": ("-", "-", "-", "-", "-", "-"),
    "/service_care/sms/dlr/<int:gateway_id>/<string:sms_uuid>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
    "/service_care/sms/mo/<int:gateway_id>/<string:token>": (
        *("-", "-", "-"),
        *("ok", "refused", "refused"),
    ),
}
# Odoo's own routes the addon overrides, with Odoo's access unchanged.
ODOO_ROUTES = {"/shop/add/stock_notification"}


def _forge(token):
    """The same token with its signature replaced: right shape, wrong HMAC."""
    head, dot, signature = token.rpartition(".")
    return f"{head}{dot}{'0' * len(signature)}" if dot else "0" * len(token)


@tagged("post_install", "-at_install")
class TestAccessRoutes(ReplenishmentMixin, ServiceCareCase, HttpCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_replenishment()
        cls.coffee.care_days_per_unit = 30
        cls.website = cls.env["website"].get_current_website()
        cls.anna = cls._customer("Anna Routes", "anna.routes@example.pl")
        cls.bob = cls._customer(
            "Bob Routes", "bob.routes@example.pl", mobile="+48 601 000 014"
        )
        cls.gateway = cls.env["service.care.sms.gateway"].create(
            {
                "name": "Routes gateway",
                "provider": "kannel",
                "url": "http://127.0.0.1:9/cgi-bin/sendsms",
                "is_default": False,
            }
        )
        cls.other_gateway = cls.gateway.copy({"name": "Another shop's gateway"})
        cls.records = {}
        for partner in (cls.anna, cls.bob):
            login = partner.email.split("@")[0]
            cls.env["res.users"].create(
                {
                    "login": login,
                    "password": login,
                    "partner_id": partner.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
            cls._order(partner, (cls.coffee, 1), (cls.filters, 1))
            cls.records[partner] = {
                "waitlist": cls.env["service.care.waitlist"].create(
                    {
                        "partner_id": partner.id,
                        "product_id": cls.filters.id,
                        "website_id": cls.website.id,
                    }
                ),
                "message": cls.env["service.care.message"].create(
                    {
                        "partner_id": partner.id,
                        "channel": "email",
                        "kind": "marketing",
                        "state": "sent",
                    }
                ),
                "consent": cls._pending_consent(partner),
                "left_cart": cls.env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "website_id": cls.website.id,
                        "order_line": [Command.create({"product_id": cls.coffee.id})],
                    }
                ),
                "sms": cls.env["sms.sms"].create(
                    {
                        "number": partner.mobile,
                        "partner_id": partner.id,
                        "state": "pending",
                        "care_gateway_id": cls.gateway.id,
                    }
                ),
            }
        reminders = cls.Reminder.search(
            [("partner_id", "in", (cls.anna | cls.bob).ids)]
        )
        reminders.due_date = fields.Date.today()
        cls.Reminder._care_run_company(cls.company, cls.company._care_today())
        for partner in (cls.anna, cls.bob):
            cart = cls.env["sale.order"].search(
                [("partner_id", "=", partner.id), ("care_predictive", "=", True)]
            )
            cls.records[partner].update(
                cart=cart,
                reminder=cls.Reminder.search(
                    [
                        ("partner_id", "=", partner.id),
                        ("product_id", "=", cls.coffee.id),
                    ]
                ),
            )

    @classmethod
    def _pending_consent(cls, partner):
        cls.company.care_double_opt_in = True
        # sudo: as the checkout route gives it for a visitor
        consent = partner.sudo()._care_set_consent(
            "sms", True, "checkout", "Text me (SMS)"
        )
        cls.company.care_double_opt_in = False
        return consent

    # ------------------------------------------------------------------
    # Visitors and requests
    # ------------------------------------------------------------------

    def _as(self, visitor):
        if visitor in ("owner", "other"):
            partner = self.anna if visitor == "owner" else self.bob
            login = partner.email.split("@")[0]
            self.authenticate(login, login)
        else:
            self.authenticate(None, None)

    def _csrf(self):
        page = self.url_open("/shop").text
        return re.search(r'csrf_token: "([^"]+)"', page).group(1)

    def _call(self, method, url, data=None):
        if method == "GET":
            return self.url_open(url, allow_redirects=False)
        data = dict(data or {}, csrf_token=self._csrf())
        return self.url_open(url, data=data, allow_redirects=False)

    def _verdict(self, response):
        if response.status_code in (403, 404):
            return "refused"
        location = urlsplit(response.headers.get("Location") or "").path
        if response.status_code in (301, 302, 303) and location == "/web/login":
            return "login"
        if response.status_code in (200, 301, 302, 303):
            return "ok"
        return f"unexpected {response.status_code}"

    # ------------------------------------------------------------------
    # The routes: (method, URL for a visitor, what the owner's state is)
    # ------------------------------------------------------------------

    def _token_route(self, visitor, valid, foreign):
        """``valid``: the owner's genuine URL part; ``foreign``: the same
        built for Bob's record, whose token is then replayed on Anna's."""
        if visitor == "forged":
            return _forge(valid)
        if visitor == "replayed":
            return foreign
        return valid

    def _restore_link(self, visitor):
        """The abandoned-cart reminder's "return to my cart" of Anna's cart."""
        own = urlsplit(self.records[self.anna]["left_cart"].get_care_restore_url())
        token = own.query.removeprefix("token=")
        if visitor == "replayed":
            bob_cart = self.records[self.bob]["left_cart"]
            token = urlsplit(bob_cart.get_care_restore_url()).query
            token = token.removeprefix("token=")
        elif visitor == "forged":
            token = _forge(token)
        return f"{own.path}?token={token}"

    def _routes(self):
        anna, bob = self.records[self.anna], self.records[self.bob]
        cart, line = anna["cart"], anna["cart"].order_line[0]

        def cart_url(suffix, action="cart", arg=None):
            def url(visitor):
                path = f"/my/care/cart/{cart.id}{suffix}"
                if visitor in ("owner", "other", "guest"):
                    return path
                token = self._token_route(
                    visitor,
                    cart._care_token(action, arg),
                    bob["cart"]._care_token(action, arg),
                )
                return f"{path}?token={token}"

            return url

        def waitlist_link(visitor):
            valid = anna["waitlist"]._care_signed_url("again")
            if visitor == "replayed":
                # Bob's genuine token, on Anna's line
                bob_token = bob["waitlist"]._care_signed_url("again").rsplit("/", 1)
                return f"{valid.rsplit('/', 1)[0]}/{bob_token[1]}"
            if visitor == "forged":
                head, token = valid.rsplit("/", 1)
                return f"{head}/{_forge(token)}"
            return valid

        def message_url(build):
            def url(visitor):
                message = anna["message"]
                if visitor == "replayed":
                    # a token of Bob's message with Anna's uuid
                    return build(bob["message"]).replace(
                        bob["message"].uuid, message.uuid
                    )
                valid = build(message)
                if visitor == "forged":
                    token = valid.split(f"/{message.uuid}/")[1].split(".gif")[0]
                    token = token.split("?")[0]
                    return valid.replace(token, _forge(token))
                return valid

            return url

        def dlr_url(visitor):
            sms = anna["sms"]
            url = self.gateway._dlr_url(sms.uuid)
            if visitor == "replayed":
                url = self.gateway._dlr_url(bob["sms"].uuid).replace(
                    bob["sms"].uuid, sms.uuid
                )
            elif visitor == "forged":
                token = url.split(f"/{sms.uuid}/")[1].split("?")[0]
                url = url.replace(token, _forge(token))
            parts = urlsplit(url.replace("%d", "1").replace("%A", "x"))
            return f"{parts.path}?{parts.query}"

        def mo_url(visitor):
            gateway = self.other_gateway if visitor == "replayed" else self.gateway
            url = gateway.mo_url.replace(f"/{gateway.id}/", f"/{self.gateway.id}/")
            if visitor == "forged":
                token = url.split(f"/{self.gateway.id}/")[1].split("?")[0]
                url = url.replace(token, _forge(token))
            parts = urlsplit(url)
            return f"{parts.path}?from=%2B48601000099&to=OWOX&text=hello&id=1"

        def consent_link(visitor):
            own = anna["consent"]
            valid = urlsplit(own.confirm_url).path
            if visitor == "replayed":
                bob_token = bob["consent"].confirm_url.rsplit("/", 1)[1]
                return f"{valid.rsplit('/', 1)[0]}/{bob_token}"
            if visitor == "forged":
                head, token = valid.rsplit("/", 1)
                return f"{head}/{_forge(token)}"
            return valid

        message_rules = {
            "o": ("/care/o/<string:uuid>/<string:token>.gif", "GET"),
            "c": ("/care/c/<string:uuid>/<string:token>", "GET"),
            "u": ("/care/u/<string:uuid>/<string:token>", "POST"),
            "p": ("/care/p/<string:uuid>/<string:token>", "POST"),
        }
        builders = {
            "o": lambda m: urlsplit(m._open_url()).path,
            "c": lambda m: m._click_url("https://shop.example.com/")[
                len(m.get_base_url()) :
            ],
            "u": lambda m: urlsplit(m._unsubscribe_url()).path,
            # a choice to save: saving the same choices again changes nothing
            "p": lambda m: f"{urlsplit(m._preferences_url()).path}?email_news=on",
        }
        routes = {
            "/my/care": ("GET", lambda v: "/my/care", None, cart.name),
            "/my/care/reminder/<int:reminder_id>/stop": (
                "POST",
                lambda v: f"/my/care/reminder/{anna['reminder'].id}/stop",
                self._reminder_state,
                None,
            ),
            "/my/care/cart/<int:order_id>": ("GET", cart_url(""), None, None),
            "/my/care/cart/<int:order_id>/update": (
                "POST",
                cart_url("/update"),
                self._cart_state,
                None,
            ),
            "/my/care/cart/<int:order_id>/confirm": (
                "POST",
                cart_url("/confirm", "confirm"),
                self._cart_state,
                None,
            ),
            "/my/care/cart/<int:order_id>/postpone/<int:weeks>": (
                "POST",
                cart_url("/postpone/2", "postpone", 2),
                self._cart_state,
                None,
            ),
            "/my/care/cart/<int:order_id>/stop/<int:line_id>": (
                "POST",
                cart_url(f"/stop/{line.id}", "stop", line.id),
                self._cart_state,
                None,
            ),
            "/my/care/waitlist": (
                "GET",
                lambda v: "/my/care/waitlist",
                None,
                f"/my/care/waitlist/{anna['waitlist'].id}/",
            ),
            "/my/care/waitlist/<int:line_id>/<string:action>": (
                "POST",
                lambda v: f"/my/care/waitlist/{anna['waitlist'].id}/leave",
                self._waitlist_state,
                None,
            ),
            "/shop/care/waitlist/<string:scope>/<int:line_id>/<int:expires>"
            "/<string:token>": (
                "POST",
                lambda v: urlsplit(waitlist_link(v)).path,
                self._waiting_lines,
                None,
            ),
            "/shop/care/cart/<int:order_id>": (
                "GET",
                self._restore_link,
                None,
                None,
            ),
            "/shop/care/cart": (
                "GET",
                lambda v: f"/shop/care/cart?product_ids={self.coffee.id}",
                None,
                None,
            ),
            "/service_care/sms/dlr/<int:gateway_id>/<string:sms_uuid>/<string:token>": (
                "GET",
                dlr_url,
                self._dlr_state,
                None,
            ),
            "/service_care/sms/mo/<int:gateway_id>/<string:token>": (
                "GET",
                mo_url,
                None,
                None,
            ),
            "/my/care/preferences": (
                "GET",
                lambda v: "/my/care/preferences",
                None,
                self.anna.email,
            ),
            "/care/consent/<int:consent_id>/<string:token>": (
                "POST",
                consent_link,
                self._consent_state,
                None,
            ),
            "/shop/care/checkout_consent": ("POST", None, None, None),
        }
        for key, (rule, method) in message_rules.items():
            routes[rule] = (
                method,
                message_url(builders[key]),
                self._message_state,
                None,
            )
        return routes

    # ------------------------------------------------------------------
    # What a request may change: compared before and after
    # ------------------------------------------------------------------

    def _cart_state(self):
        cart = self.records[self.anna]["cart"]
        cart.invalidate_recordset()
        return (
            cart.state,
            cart.care_cart_state,
            cart.care_cart_visited_at,
            [(line.product_id.id, line.product_uom_qty) for line in cart.order_line],
        )

    def _message_state(self):
        message = self.records[self.anna]["message"]
        message.invalidate_recordset()
        self.anna.invalidate_recordset()
        return (
            message.open_count,
            message.machine_open_count,
            message.click_count,
            message.state,
            self.anna.care_email_consent,
        )

    def _consent_state(self):
        self.anna.invalidate_recordset()
        return (
            self.anna.care_sms_consent,
            len(self.anna.care_consent_ids.filtered("confirms_id")),
        )

    def _dlr_state(self):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM service_care_sms_report WHERE sms_uuid = %s",
                self.records[self.anna]["sms"].uuid,
            )
        )
        return self.env.cr.fetchone()[0]

    def _reminder_state(self):
        self.records[self.anna]["reminder"].invalidate_recordset()
        return self.records[self.anna]["reminder"].state

    def _waitlist_state(self):
        self.records[self.anna]["waitlist"].invalidate_recordset()
        return self.records[self.anna]["waitlist"].state

    def _waiting_lines(self):
        return self.env["service.care.waitlist"].search_count(
            [("partner_id", "=", self.anna.id), ("state", "=", "waiting")]
        )

    # ------------------------------------------------------------------

    def test_every_route_is_in_the_table(self):
        """A new route of the addon must be added to ``EXPECTED``."""
        self.assertEqual(sorted(self._routes()), sorted(EXPECTED))
        installed = self.env["ir.module.module"].search([("state", "=", "installed")])
        rules = {
            url
            for url, endpoint in _generate_routing_rules(
                installed.mapped("name"), False
            )
            if endpoint.__module__.startswith("odoo.addons.service_care.")
        }
        self.assertEqual(rules - ODOO_ROUTES, set(EXPECTED))

    def test_each_visitor_gets_what_the_table_says(self):
        found = {}
        for name, (method, url, state, marker) in self._routes().items():
            verdicts = {}
            # the owner last: an action of theirs changes the state
            for visitor in sorted(VISITORS, key=lambda v: v == "owner"):
                if EXPECTED[name][VISITORS.index(visitor)] == "-":
                    verdicts[visitor] = "-"
                    continue
                self._as(visitor)
                before = state() if state else None
                response = self._call(method, url(visitor))
                verdict = self._verdict(response)
                if verdict == "ok" and marker and marker not in response.text:
                    verdict = "own"
                if state:
                    with self.subTest(route=name, visitor=visitor):
                        if verdict == "ok" and method == "POST":
                            self.assertNotEqual(state(), before, "nothing done")
                        elif verdict != "ok":
                            self.assertEqual(state(), before, "a refusal acted")
                verdicts[visitor] = verdict
            found[name] = tuple(verdicts[visitor] for visitor in VISITORS)
        self.assertEqual(found, EXPECTED)
