# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where customers say yes, through real pages: the checkout, the page where
they choose, the unsubscribe page and the double opt-in link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import fields
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import ServiceCareCase


def _csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@tagged("post_install", "-at_install")
class TestConsentRoutes(ServiceCareCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"care_double_opt_in": False, "care_soft_opt_in": False})
        cls.website = cls.env["website"].get_current_website()
        cls.product = cls.env["product.product"].create(
            {
                "name": "Care Consent Tea",
                "list_price": 9.0,
                "is_published": True,
                "website_id": cls.website.id,
            }
        )
        transfer = cls.env.ref("payment.payment_provider_transfer")
        transfer.write({"state": "enabled", "is_published": True})
        transfer._transfer_ensure_pending_msg_is_set()
        scenario = cls.env["service.care.scenario"].create(
            {
                "name": "Care refills",
                "purpose": "replenishment",
                "step_ids": [
                    (0, 0, {"name": "Send", "mail_template_id": cls.mail_template.id})
                ],
            }
        )
        cls.message = cls.env["service.care.message"].create(
            {
                "partner_id": cls.customer.id,
                "channel": "email",
                "kind": "marketing",
                "state": "sent",
                "scenario_id": scenario.id,
            }
        )

    # ------------------------------------------------------------------
    # Checkout
    # ------------------------------------------------------------------

    def test_guest_ticks_email_at_checkout(self):
        """The tour buys as a guest through the real checkout, email box
        ticked, SMS box left unticked; the shop reworded the email box."""
        self.company.care_checkout_email_label = "Send me refill reminders by email"
        self.start_tour(self.product.website_url, "service_care_checkout_consent")
        order = self.env["sale.order"].search(
            [("partner_id.email", "=", "guest.consent@example.com")]
        )
        self.assertEqual(len(order), 1)
        self.assertIn(order.state, ("sent", "sale"), "the order was placed")
        customer = order.partner_id
        self.assertRecordValues(
            customer.care_consent_ids,
            [
                {
                    "channel": "email",
                    "granted": True,
                    "source": "checkout",
                    "wording": "Send me refill reminders by email",
                    "order_id": order.id,
                    "pending": False,
                }
            ],
        )
        self.assertTrue(customer.care_consent_ids.ip)
        self.assertTrue(customer.care_email_consent)
        self.assertFalse(customer.care_sms_consent)

    def test_checkout_consent_needs_the_visitors_own_cart(self):
        Consent = self.env["service.care.consent"]
        before = Consent.search_count([])
        self.authenticate(None, None)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/shop/care/checkout_consent", {"channel": "email", "ticked": True}
            )
        # A cart whose customer is not known yet (no address) logs nothing.
        self.make_jsonrpc_request(
            "/shop/cart/update_json", {"product_id": self.product.id, "add_qty": 1}
        )
        result = self.make_jsonrpc_request(
            "/shop/care/checkout_consent", {"channel": "email", "ticked": True}
        )
        self.assertEqual(result, {"ticked": True})
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/shop/care/checkout_consent", {"channel": "fax", "ticked": True}
            )
        self.assertEqual(Consent.search_count([]), before)

    def test_sign_up_with_the_email_box(self):
        self.env["ir.config_parameter"].set_param("auth_signup.invitation_scope", "b2c")
        self.company.care_checkout_email_label = "Email me reminders and offers"
        Users = self.env["res.users"]
        for login, ticked in (
            ("ticked@example.pl", True),
            ("unticked@example.pl", False),
        ):
            self.authenticate(None, None)
            page = self.url_open("/web/signup").text
            self.assertIn('name="care_consent_email"', page)
            data = {
                "csrf_token": _csrf(page),
                "login": login,
                "name": login,
                "password": "care-signup-1",
                "confirm_password": "care-signup-1",
            }
            if ticked:
                data["care_consent_email"] = "on"
            self.url_open("/web/signup", data=data)
            partner = Users.search([("login", "=", login)]).partner_id
            self.assertTrue(partner, login)
            self.assertEqual(partner.care_email_consent, ticked, login)
            if ticked:
                self.assertRecordValues(
                    partner.care_consent_ids,
                    [
                        {
                            "source": "website",
                            "wording": "Email me reminders and offers",
                            "channel": "email",
                        }
                    ],
                )

    # ------------------------------------------------------------------
    # Preferences
    # ------------------------------------------------------------------

    def test_customer_changes_preferences_on_the_portal(self):
        user = new_test_user(
            self.env, "care_prefs", groups="base.group_portal", password="care_prefs"
        )
        partner = user.partner_id
        partner.write({"email": "prefs@example.pl", "mobile": "+48 601 234 111"})
        partner.country_id = self.poland
        partner._care_set_consent("email", True, "backoffice", "Yes to email.")
        self.start_tour("/my/care", "service_care_preferences", login="care_prefs")
        rows = partner.care_consent_ids.filtered(lambda row: row.source == "portal")
        self.assertEqual(
            {(row.channel, row.purpose, row.granted) for row in rows},
            {("email", "news", False), ("sms", "replenishment", True)},
        )
        self.assertTrue(all(rows.mapped("ip")))
        prefs = partner._care_preferences(self.company)
        self.assertFalse(prefs[("email", "news")])
        self.assertTrue(prefs[("email", "replenishment")])
        self.assertTrue(prefs[("sms", "replenishment")])
        self.assertFalse(prefs[("sms", "news")])

    def test_preferences_from_a_message_footer(self):
        url = urlsplit(self.message._preferences_url()).path
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("anna@example.pl", page.text)
        response = self.url_open(
            url,
            data={
                "csrf_token": _csrf(page.text),
                "email_replenishment": "on",
                "email_back_in_stock": "on",
                "sms_replenishment": "on",
                "sms_back_in_stock": "on",
                "sms_news": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_care_preferences_saved", response.text)
        [row] = self.customer.care_consent_ids.filtered(
            lambda row: row.source == "portal"
        )
        self.assertEqual(
            (row.channel, row.purpose, row.granted), ("email", "news", False)
        )
        forged = url[: url.rindex("/") + 1] + "0" * 64
        self.assertEqual(self.url_open(forged).status_code, 404)

    # ------------------------------------------------------------------
    # Unsubscribe: fewer messages first
    # ------------------------------------------------------------------

    def test_unsubscribe_offers_fewer_messages(self):
        url = urlsplit(self.message._unsubscribe_url()).path
        page = self.url_open(url).text
        self.assertIn("Replenishment reminders", page)
        self.assertIn(urlsplit(self.message._preferences_url()).path, page)
        self.url_open(url, data={"scope": "purpose"})
        self.customer.invalidate_recordset()
        latest = self.customer.care_consent_ids[0]
        self.assertEqual(
            (latest.channel, latest.purpose, latest.granted, latest.source),
            ("email", "replenishment", False, "unsubscribe"),
        )
        prefs = self.customer._care_preferences(self.company)
        self.assertFalse(prefs[("email", "replenishment")])
        self.assertTrue(prefs[("email", "news")], "the rest still comes")
        self.url_open(url, data={"unsubscribe": "1"})
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.care_email_consent, "then everything off")
        self.assertFalse(self.customer.care_consent_ids[0].purpose)

    # ------------------------------------------------------------------
    # Double opt-in link
    # ------------------------------------------------------------------

    def _pending(self, partner):
        self.company.care_double_opt_in = True
        # sudo: as the checkout route gives it for a visitor
        return partner.sudo()._care_set_consent(
            "email", True, "checkout", "Email me reminders and offers"
        )

    def test_confirmation_link(self):
        partner = self._make_customer("Eva", "eva@example.pl", consent=False)
        pending = self._pending(partner)
        url = urlsplit(pending.confirm_url).path
        # A GET (a mail scanner) confirms nothing.
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Email me reminders and offers", page.text)
        self.assertFalse(partner.care_email_consent)
        # A forged token, or another row's, changes nothing.
        forged = url[: url.rindex("/") + 1] + "1." + "0" * 64
        self.assertEqual(self.url_open(forged).status_code, 404)
        other = self._pending(
            self._make_customer("Ivo", "ivo@example.pl", consent=False)
        )
        replayed = f"/care/consent/{pending.id}/{other.confirm_url.rsplit('/', 1)[1]}"
        self.assertEqual(self.url_open(replayed).status_code, 404)
        self.assertFalse(partner.care_email_consent)
        response = self.url_open(url, data={"csrf_token": _csrf(page.text)})
        self.assertIn("Confirmed", response.text)
        partner.invalidate_recordset()
        self.assertTrue(partner.care_email_consent)
        self.assertEqual(
            partner.care_consent_ids.filtered("confirms_id").confirms_id, pending
        )

    def test_expired_confirmation_link_changes_nothing(self):
        partner = self._make_customer("Late", "late@example.pl", consent=False)
        pending = self._pending(partner)
        # sudo: a test moving the row back in time, as if asked 8 days ago
        pending.sudo().date = fields.Datetime.now() - timedelta(days=8)
        url = urlsplit(pending.confirm_url).path
        page = self.url_open(url)
        self.assertEqual(page.status_code, 403)
        self.assertIn("expired", page.text)
        self.url_open(url, data={"csrf_token": _csrf(self.url_open("/my").text)})
        partner.invalidate_recordset()
        self.assertFalse(partner.care_email_consent)
        self.assertFalse(partner.care_consent_ids.filtered("confirms_id"))
