# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Abandoned cart end to end: a customer fills a cart on the shop and
leaves; the delay later one email reaches the local SMTP server, and its
button puts that cart back in the customer's browser."""

import re
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields, http
from odoo.exceptions import ValidationError
from odoo.modules import module
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, tagged

from .common import ServiceCareCase
from .stack import poll_until, smtp_sink_server, spooled_emails

ODOO_SUBJECT = "You left items in your cart!"


def _csrf(page):
    return re.search(r'csrf_token: "([^"]+)"', page).group(1)


@tagged("post_install", "-at_install")
class TestAbandonedCart(ServiceCareCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        smtp_sink_server(cls.env, only=True)
        # a window open all day: the test runs at any hour
        cls.company.write(
            {"care_window_start": 0.0, "care_window_end": 0.0, "phone": "+48 22 5"}
        )
        cls.website = cls.env.ref("website.default_website")
        cls.website.write(
            {
                "company_id": cls.company.id,
                "care_cart_abandoned_delay": 15,
                # Odoo's own email is on: ours must keep it silent
                "send_abandoned_cart_email": True,
                "cart_abandoned_delay": 1.0,
            }
        )
        cls.teapot, cls.cups = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "consu",
                    "list_price": price,
                    "is_published": True,
                    "website_id": cls.website.id,
                }
                for name, price in (("Care Teapot", 30.0), ("Care Cups", 12.0))
            ]
        )
        cls.anna = cls._shopper("anna.cart")
        cls.bob = cls._shopper("bob.cart")
        cls.scenario = cls.env.ref("service_care.service_care_scenario_abandoned_cart")

    @classmethod
    def _shopper(cls, login):
        partner = cls._make_customer(login.title(), f"{login}@example.pl")
        cls.env["res.users"].create(
            {
                "login": login,
                "password": login,
                "partner_id": partner.id,
                "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )
        return partner

    def _cart_update(self, product, **quantities):
        page = self.url_open("/shop")
        response = self.url_open(
            "/shop/cart/update",
            data={
                "product_id": product.id,
                "csrf_token": _csrf(page.text),
                **quantities,
            },
        )
        self.assertEqual(response.status_code, 200)

    def _fill_cart(self, partner, product, qty):
        login = partner.user_ids.login
        self.authenticate(login, login)
        self._cart_update(product, add_qty=qty)
        self.env.invalidate_all()
        return self.env["sale.order"].search(
            [
                ("partner_id", "=", partner.id),
                ("website_id", "=", self.website.id),
                ("state", "=", "draft"),
            ]
        )

    def _run(self, at):
        """The crons as Odoo runs them, at ``at``."""
        with freeze_time(at):
            self.env["sale.order"]._cron_care_abandoned_carts()
            self.env["service.care.scenario.run"]._cron_run()

    def _messages(self, cart):
        return self.env["service.care.message"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", cart.id),
                ("scenario_id", "=", self.scenario.id),
            ],
            order="id",
        )

    def _at_smtp(self, partner, count=1):
        # Odoo's test runner stops mail at the SMTP client; this is about
        # the real exchange with the local server.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue()
        return poll_until(
            lambda: (
                len(mails := [m for m in spooled_emails() if partner.email in m["To"]])
                >= count
                and mails
            ),
            f"{count} emails to {partner.email} did not arrive",
        )

    def _html(self, mail):
        return mail.get_body(("html",)).get_content()

    def test_left_cart_gets_one_email_whose_button_restores_it(self):
        # a promotion this morning: the cart's email is not held for the cap
        self.assertEqual(self._send(self.anna).state, "queued")
        cart = self._fill_cart(self.anna, self.teapot, 2)
        self.assertEqual(len(cart), 1)
        left_at = cart.care_cart_changed_at
        self.assertTrue(left_at)
        # the change woke the cron for the deadline, not an hourly poll
        cron = self.env.ref("service_care.ir_cron_service_care_abandoned_carts")
        deadline = left_at + timedelta(minutes=15)
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id), ("call_at", "=", deadline)]
            )
        )
        bob_cart = self._fill_cart(self.bob, self.cups, 1)
        with freeze_time(left_at + timedelta(minutes=10)):
            bob_cart.action_confirm()

        self._run(left_at + timedelta(minutes=14))
        self.assertFalse(self._messages(cart), "too early")
        self._run(left_at + timedelta(minutes=16))
        self._run(left_at + timedelta(minutes=17))
        self.assertEqual(len(self._messages(cart)), 1)
        self.assertTrue(self._messages(cart).queued_at)
        self.assertFalse(self._messages(bob_cart), "Bob ordered at minute 10")

        mail = next(
            mail
            for mail in self._at_smtp(self.anna, count=2)
            if "your cart" in mail["Subject"]
        )
        html = self._html(mail)
        self.assertIn("Care Teapot", html)
        self.assertIn(f"{cart.amount_total:.2f}", html)
        self.assertIn("+48 22 5", html)
        link = next(
            href
            for href in re.findall(r'href="([^"]+)"', html)
            if "Return to my cart" in html.split(href, 1)[1][:200]
        )
        path = urlsplit(link.replace("&amp;", "&"))
        path = f"{path.path}?{path.query}"

        # logged out: asked to log in, back to the link after
        self.authenticate(None, None)
        response = self.url_open(path)
        self.assertIn("/web/login", response.url)
        # another customer's session does not get the cart
        self.authenticate("bob.cart", "bob.cart")
        self.assertIn("another account", self.url_open(path).text)
        # the customer gets that very cart back
        session = self.authenticate("anna.cart", "anna.cart")
        response = self.url_open(path)
        self.assertTrue(response.url.endswith("/shop/cart"))
        self.assertIn("Care Teapot", response.text)
        stored = http.root.session_store.get(session.sid)
        self.assertEqual(stored["sale_order_id"], cart.id)
        # the click is measured on the message
        self.assertTrue(self._messages(cart).clicked_at)

    def test_a_delay_under_a_minute_is_refused(self):
        for minutes in (0, -5):
            with self.assertRaises(ValidationError):
                self.website.care_cart_abandoned_delay = minutes

    def test_forged_and_expired_links_restore_nothing(self):
        cart = self._fill_cart(self.anna, self.teapot, 1)
        url = urlsplit(cart.get_care_restore_url())
        self.authenticate("anna.cart", "anna.cart")
        forged = f"{url.path}?token=9999999999.{'0' * 64}"
        self.assertEqual(self.url_open(forged).status_code, 404)
        other = self.env["sale.order"].create({"partner_id": self.anna.id})
        self.assertEqual(
            self.url_open(f"/shop/care/cart/{other.id}?{url.query}").status_code, 404
        )
        with freeze_time(fields.Datetime.now() - timedelta(days=8)):
            old = urlsplit(cart.get_care_restore_url())
        self.assertIn("expired", self.url_open(f"{old.path}?{old.query}").text)

    def test_changed_cart_waits_again_same_content_never_twice(self):
        cart = self._fill_cart(self.anna, self.teapot, 1)
        first = cart.care_cart_changed_at
        self._run(first + timedelta(minutes=16))
        self.assertEqual(len(self._messages(cart)), 1)
        # the customer comes back and adds cups: a new wait, a new email
        with freeze_time(first + timedelta(hours=2)):
            self._cart_update(self.cups, add_qty=1)
        self.env.invalidate_all()
        second = cart.care_cart_changed_at
        self.assertGreater(second, first)
        self._run(second + timedelta(minutes=5))
        self.assertEqual(len(self._messages(cart)), 1, "the new wait is not over")
        self._run(second + timedelta(minutes=16))
        self.assertEqual(len(self._messages(cart)), 2)
        # a teapot added and taken out again: the content reminded of
        with freeze_time(second + timedelta(hours=1)):
            self._cart_update(self.teapot, add_qty=1)
            self._cart_update(self.teapot, add_qty=-1)
        self.env.invalidate_all()
        self.assertGreater(cart.care_cart_changed_at, second)
        self._run(cart.care_cart_changed_at + timedelta(minutes=16))
        self.assertEqual(len(self._messages(cart)), 2)
        # emptied: the cart is no longer left, nothing more
        with freeze_time(second + timedelta(hours=2)):
            self._cart_update(self.teapot, add_qty=-1)
            self._cart_update(self.cups, add_qty=-1)
        self.env.invalidate_all()
        self.assertFalse(cart.website_order_line)
        self._run(cart.care_cart_changed_at + timedelta(minutes=16))
        self.assertEqual(len(self._messages(cart)), 2)

    def test_odoo_own_email_is_silent_while_ours_is_on(self):
        def odoo_emails(partner):
            return self.env["mail.mail"].search(
                [("subject", "=", ODOO_SUBJECT), ("email_to", "=", partner.email)]
            )

        cart = self._fill_cart(self.anna, self.teapot, 1)
        with freeze_time(cart.care_cart_changed_at + timedelta(hours=2)):
            self.env["website"]._send_abandoned_cart_email()
        self.assertFalse(odoo_emails(self.anna))
        self.assertTrue(cart.cart_recovery_email_sent, "and it will not come later")
        # with our scenario off, Odoo's email goes out again
        self.scenario.active = False
        bob_cart = self._fill_cart(self.bob, self.cups, 1)
        with freeze_time(bob_cart.care_cart_changed_at + timedelta(hours=2)):
            self.env["website"]._send_abandoned_cart_email()
        self.assertEqual(len(odoo_emails(self.bob)), 1)

    def test_guest_known_by_the_address_typed_at_checkout(self):
        """A guest fills a cart, types an address at checkout, ticks the
        email box and leaves: the reminder, whose link works in any browser."""
        self.company.write(
            {
                "care_checkout_email_box": True,
                "care_checkout_email_label": "Email me offers",
            }
        )
        self.authenticate(None, None)
        self._cart_update(self.teapot, add_qty=1)
        self.env.invalidate_all()
        cart = self.env["sale.order"].search(
            [("website_id", "=", self.website.id), ("state", "=", "draft")],
            order="id desc",
            limit=1,
        )
        self.assertEqual(cart.partner_id, self.website.user_id.partner_id)
        self._run(cart.care_cart_changed_at + timedelta(minutes=16))
        self.assertFalse(self._messages(cart), "an anonymous cart has nobody to remind")
        cron = self.env.ref("service_care.ir_cron_service_care_abandoned_carts")
        Trigger = self.env["ir.cron.trigger"]
        woken = Trigger.search_count([("cron_id", "=", cron.id)])
        response = self.url_open(
            "/shop/address/submit",
            data={
                "csrf_token": _csrf(self.url_open("/shop/address").text),
                "address_type": "billing",
                "use_delivery_as_billing": "true",
                "name": "Gosia Gość",
                "email": "gosia.guest@example.pl",
                "phone": "+48 601 555 123",
                "street": "Prosta 1",
                "city": "Warszawa",
                "zip": "00-001",
                "country_id": self.poland.id,
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.make_jsonrpc_request(
            "/shop/care/checkout_consent", {"channel": "email", "ticked": True}
        )
        self.env.invalidate_all()
        # the address typed wakes the cron: the guest now has an address
        self.assertGreater(Trigger.search_count([("cron_id", "=", cron.id)]), woken)
        guest = cart.partner_id
        self.assertEqual(guest.email, "gosia.guest@example.pl")
        self.assertTrue(guest.care_email_consent)
        self._run(cart.care_cart_changed_at + timedelta(minutes=17))
        self.assertEqual(len(self._messages(cart)), 1)
        [mail] = self._at_smtp(guest)
        self.assertIn("Care Teapot", self._html(mail))
        link = urlsplit(cart.get_care_restore_url())
        # a guest's cart comes back in any browser that has the link
        self.authenticate(None, None)
        response = self.url_open(f"{link.path}?{link.query}")
        self.assertTrue(response.url.endswith("/shop/cart"))
        self.assertIn("Care Teapot", response.text)


@tagged("post_install", "-at_install")
class TestAbandonedCartWorkers(BaseCase):
    """Two workers on two connections start one run for a left cart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            website = env.ref("website.default_website")
            partner = env["res.partner"].create(
                {"name": "Two Workers", "email": "two.workers@example.com"}
            )
            product = env["product.product"].create(
                {"name": "Two Workers Mug", "list_price": 5.0}
            )
            cart = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "website_id": website.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            cart.care_cart_changed_at = "2000-01-01 00:00:00"
            cls.ids = (partner.id, product.id, cart.id)
            # the other carts due (the demo shop's) are left as they were
            others = env["sale.order"].search(
                [("id", "!=", cart.id), ("care_cart_changed_at", "!=", False)]
            )
            cls.others = {
                order.id: (
                    order.care_cart_reminded_at,
                    order.care_cart_reminded_content,
                )
                for order in others
            }
            cls.last_run = env["service.care.scenario.run"].search([], limit=1).id
        cls.addClassCleanup(cls._clean)

    @classmethod
    def _clean(cls):
        partner_id, product_id, cart_id = cls.ids
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["service.care.scenario.run"].search(
                [
                    ("res_model", "=", "sale.order"),
                    "|",
                    ("res_id", "=", cart_id),
                    ("id", ">", cls.last_run),
                ]
            ).unlink()
            for order_id, (at, content) in cls.others.items():
                env["sale.order"].browse(order_id).write(
                    {"care_cart_reminded_at": at, "care_cart_reminded_content": content}
                )
            env["sale.order"].browse(cart_id).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()

    def _runs(self, env):
        return env["service.care.scenario.run"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", self.ids[2])]
        )

    def test_two_workers_start_one_run(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            env1["sale.order"]._cron_care_abandoned_carts()
            self.assertEqual(len(self._runs(env1)), 1)
            # the first worker holds the cart: the second passes it by
            env2["sale.order"]._cron_care_abandoned_carts()
            self.assertFalse(self._runs(env2))
            cr1.commit()
            cr2.rollback()
            # and once it is done, finds nothing left to start
            env2["sale.order"]._cron_care_abandoned_carts()
            env2["sale.order"]._cron_care_abandoned_carts()
            self.assertEqual(len(self._runs(env2)), 1)
            cr2.commit()
