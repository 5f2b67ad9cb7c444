# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import calendar
import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..tools.replenishment import moved_due_date
from .common import ServiceCareCase
from .replenishment_common import ReplenishmentMixin


def _csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@tagged("post_install", "-at_install")
class TestReplenishmentPortal(ReplenishmentMixin, ServiceCareCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_replenishment()
        cls.coffee.care_days_per_unit = 30
        cls.anna = cls._customer("Anna Portal", "anna.portal@example.pl")
        cls.bob = cls._customer(
            "Bob Portal", "bob.portal@example.pl", mobile="+48 601 000 004"
        )
        for partner in (cls.anna, cls.bob):
            cls.env["res.users"].create(
                {
                    "login": partner.email.split("@")[0],
                    "password": partner.email.split("@")[0],
                    "partner_id": partner.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
            cls._order(partner, (cls.coffee, 1), (cls.filters, 1))
        # due now: the weekly run carts them today
        reminders = cls.Reminder.search(
            [("partner_id", "in", (cls.anna | cls.bob).ids)]
        )
        reminders.due_date = fields.Date.today()
        cls.Reminder._care_run_company(cls.company, cls.company._care_today())
        cls.anna_cart = cls._cart_of(cls.anna)
        cls.bob_cart = cls._cart_of(cls.bob)

    @classmethod
    def _cart_of(cls, partner):
        return cls.env["sale.order"].search(
            [("partner_id", "=", partner.id), ("care_predictive", "=", True)]
        )

    def _path(self, cart, action="", token=None):
        path = f"/my/care/cart/{cart.id}{action}"
        return f"{path}?token={token}" if token else path

    def assertOpen(self, cart):
        cart.invalidate_recordset()
        self.assertEqual(cart.state, "draft")
        self.assertEqual(cart.care_cart_state, "open")

    def test_carts_are_ready(self):
        for cart in (self.anna_cart, self.bob_cart):
            self.assertEqual(len(cart), 1)
            self.assertEqual(len(cart.order_line), 2)
            self.assertEqual(
                set(cart.care_cart_reminder_ids.mapped("state")), {"in_cart"}
            )

    def test_signed_links_refused_then_accepted(self):
        anna, bob = self.anna_cart, self.bob_cart
        # refusals first: a forged token, another cart's token, a token for
        # another action, an expired token
        forged = f"{anna._care_token('cart').split('.')[0]}.{'0' * 64}"
        self.assertEqual(self.url_open(self._path(anna, token=forged)).status_code, 404)
        self.assertEqual(self.url_open(self._path(anna)).status_code, 404)
        bob_token = bob._care_token("cart")
        self.assertEqual(
            self.url_open(self._path(anna, token=bob_token)).status_code, 404
        )
        postpone_token = anna._care_token("postpone", 2)
        self.assertEqual(
            self.url_open(self._path(anna, "/confirm", postpone_token)).status_code,
            404,
        )
        past = calendar.timegm(
            (fields.Datetime.now() - timedelta(minutes=1)).timetuple()
        )
        expired = anna._care_token("cart", expires=past)
        response = self.url_open(self._path(anna, token=expired))
        self.assertEqual(response.status_code, 403)
        self.assertIn("This link has expired", response.text)
        # a POST with a forged token changes nothing, CSRF token or not
        page = self.url_open(self._path(bob, token=bob_token))
        self.assertEqual(page.status_code, 200)
        response = self.url_open(
            self._path(anna, "/confirm"),
            data={"csrf_token": _csrf(page.text), "token": bob_token},
        )
        self.assertEqual(response.status_code, 404)
        self.assertOpen(anna)
        self.assertFalse(anna.care_cart_visited_at)

        # the owner's one-click link: a page first, nothing changed but the
        # "opened" mark, then the POST confirms
        link = anna.get_care_link("confirm")
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Confirm your order?", page.text)
        self.assertOpen(anna)
        self.assertTrue(anna.care_cart_visited_at)
        done = self.url_open(
            link,
            data={
                "csrf_token": _csrf(page.text),
                "token": link.split("token=")[1],
            },
        )
        self.assertEqual(done.status_code, 200)
        self.assertIn("is confirmed", done.text)
        self.assertEqual(anna.state, "sale")
        self.assertEqual(anna.care_cart_state, "confirmed")
        self.assertEqual(anna.activity_ids.user_id, self.salesperson)
        # the link cannot be used twice
        again = self.url_open(link)
        self.assertEqual(again.status_code, 409)
        self.assertOpen(bob)

    def test_one_click_postpone(self):
        link = self.bob_cart.get_care_link("postpone", 4)
        page = self.url_open(link)
        self.assertIn("Remind you later?", page.text)
        self.assertOpen(self.bob_cart)
        self.url_open(
            link,
            data={"csrf_token": _csrf(page.text), "token": link.split("token=")[1]},
        )
        self.assertEqual(self.bob_cart.care_cart_state, "postponed")
        self.assertEqual(self.bob_cart.care_cart_postponed_weeks, 4)
        due = moved_due_date(self.company._care_today(), 4, 0)
        self.assertEqual(
            set(self.bob_cart.care_cart_reminder_ids.mapped("due_date")), {due}
        )

    def test_logged_in_customer(self):
        self.authenticate("anna.portal", "anna.portal")
        # another customer's cart, without a token: not found
        self.assertEqual(self.url_open(self._path(self.bob_cart)).status_code, 404)
        self.assertOpen(self.bob_cart)
        page = self.url_open(self._path(self.anna_cart))
        self.assertEqual(page.status_code, 200)
        self.assertIn("Care Coffee Beans", page.text)
        # /my/care lists the reminders, each with its stop button
        page = self.url_open("/my/care")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Care Paper Filters", page.text)
        self.assertIn(self.anna_cart.name, page.text)
        self.assertIn("/my/care", self.url_open("/my").text)
        bob_reminder = self.bob_cart.care_cart_reminder_ids[0]
        response = self.url_open(
            f"/my/care/reminder/{bob_reminder.id}/stop",
            data={"csrf_token": _csrf(page.text)},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(bob_reminder.state, "in_cart")
        filters = self.anna_cart.care_cart_reminder_ids.filtered(
            lambda r: r.product_id == self.filters
        )
        response = self.url_open(
            f"/my/care/reminder/{filters.id}/stop",
            data={"csrf_token": _csrf(page.text)},
        )
        self.assertTrue(response.url.endswith("/my/care?stopped=1"))
        self.assertEqual(filters.state, "stopped")
        self.assertEqual(self.anna_cart.order_line.product_id, self.coffee)

    def test_tour_change_quantity_and_confirm(self):
        self.start_tour(
            self._path(self.anna_cart),
            "service_care_replenishment_confirm",
            login="anna.portal",
        )
        cart = self.anna_cart
        self.assertEqual(cart.state, "sale")
        self.assertEqual(cart.care_cart_state, "confirmed")
        coffee = cart.order_line.filtered(lambda line: line.product_id == self.coffee)
        self.assertEqual(coffee.product_uom_qty, 3)
        self.assertEqual(
            cart.activity_ids.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        self.assertEqual(cart.activity_ids.user_id, self.salesperson)
        # reminders of the cart are done; new ones follow from the order
        self.assertEqual(
            set(cart.care_cart_reminder_ids.mapped("state")), {"confirmed"}
        )
        new = self.Reminder.search([("order_id", "=", cart.id)])
        self.assertEqual(new.product_id, self.coffee | self.filters)
        self.assertEqual(
            new.filtered(lambda r: r.product_id == self.coffee).quantity, 3
        )

    def test_tour_postpone_two_weeks(self):
        self.start_tour(
            self._path(self.bob_cart),
            "service_care_replenishment_postpone",
            login="bob.portal",
        )
        self.assertEqual(self.bob_cart.state, "cancel")
        self.assertEqual(self.bob_cart.care_cart_state, "postponed")
        due = moved_due_date(self.company._care_today(), 2, 0)
        reminders = self.bob_cart.care_cart_reminder_ids
        self.assertEqual(set(reminders.mapped("state")), {"postponed"})
        self.assertEqual(set(reminders.mapped("due_date")), {due})
        self.assertOpen(self.anna_cart)
