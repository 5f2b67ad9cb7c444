# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The waitlist end to end: the shop's button, the emails through the local
SMTP server, and the links in them."""

import re
import secrets
from datetime import datetime, timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.modules import module
from odoo.tests import HttpCase, new_test_user, tagged

from .stack import poll_until, smtp_sink_server, spooled_emails
from .waitlist_common import WaitlistCase

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)


def _links(body, css_class=None):
    """The href of the links of an HTML body (with ``css_class`` if given)."""
    xpath = f"//a[contains(@class, '{css_class}')]" if css_class else "//a[@href]"
    return [a.get("href") for a in lxml_html.fromstring(body).xpath(xpath)]


def _csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@tagged("post_install", "-at_install")
class TestWaitlistFlow(HttpCase, WaitlistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_server = smtp_sink_server(cls.env)
        cls.kettle = cls.env["product.product"].create(
            {
                "name": "Care Test Kettle",
                "is_storable": True,
                "list_price": 40.0,
                "is_published": True,
                "allow_out_of_stock_order": False,
            }
        )

    def _deliver(self, messages, recipient):
        """Send the messages' emails over SMTP; return what the sink received."""
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.mail_message_id.ids)]
        )
        self.assertEqual(len(mails), len(messages))
        subjects = {" ".join(subject.split()) for subject in mails.mapped("subject")}
        mails.mail_server_id = self.mail_server
        # Odoo's test runner keeps mail from leaving; these tests are about
        # what reaches the SMTP server, so the guard is lifted for the queue.
        with patch.object(module, "current_test", False):
            self.env["mail.mail"].process_email_queue(ids=mails.ids)
        return poll_until(
            lambda: [
                received
                for received in spooled_emails()
                if received["X-Sink-Rcpt-To"] == recipient
                and " ".join(received["Subject"].split()) in subjects
            ],
            f"no email to {recipient} in the SMTP sink's spool",
        )

    def test_back_in_stock_round_trip(self):
        email = f"anna-{secrets.token_hex(4)}@example.pl"
        anna = self._make_customer("Anna Flow", email)
        bob = self._make_customer("Bob Flow", f"bob-{secrets.token_hex(4)}@example.pl")
        red, blue, green = self._wait_for(anna, self.red, self.blue, self.green)

        self._receive((self.red, 3), (self.blue, 1))
        self.assertEqual(self.Waitlist._cron_detect(), 1)
        notice = red.notice_id
        self.assertEqual(notice.waitlist_ids, red | blue)
        self._run()

        [received] = self._deliver(self._messages(notice), email)
        body = received.get_body(("html",)).get_content()
        self.assertEqual(body.count("o_care_waitlist_line"), 2)
        self.assertIn(self.red.display_name, body)
        self.assertIn(self.blue.display_name, body)
        self.assertNotIn(self.green.display_name, body)

        # Anna clicks "Add to cart" for the red one, and orders it; the last
        # blue one sells to Bob.
        add_red = next(
            link for link in _links(body) if f"product_ids%3D{self.red.id}" in link
        )
        # The link only shows a button (mail scanners follow links): the
        # cart stays empty until the customer presses it.
        page = self.url_open(add_red, headers={"User-Agent": BROWSER_UA})
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.red.display_name, page.text)
        self.assertFalse(
            self.env["sale.order"].search_count(
                [("order_line.product_id", "=", self.red.id), ("state", "=", "draft")]
            )
        )
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/shop/care/cart",
            data={"csrf_token": csrf, "product_ids": str(self.red.id)},
            headers={"User-Agent": BROWSER_UA},
        )
        self.assertEqual(urlsplit(response.url).path, "/shop/cart")
        self.assertIn(self.red.display_name, response.text)
        order = self._sell(anna, self.red)
        self._sell(bob, self.blue)

        with freeze_time(datetime.now() + timedelta(days=1, hours=1)):
            self._run()
        self.assertEqual(red.state, "purchased")
        self.assertEqual(red.order_id, order)
        self.assertEqual(red.attribution, "direct")
        self.assertEqual(red.bought_direct_count, 1)
        self.assertEqual(blue.state, "out_again")
        self.assertEqual(green.state, "waiting")

        template = self.env.ref("service_care.mail_template_waitlist_out_again")
        out_again = self._messages(notice).filtered(
            lambda m: m.mail_template_id == template
        )
        [received] = self._deliver(out_again, email)
        body = received.get_body(("html",)).get_content()
        self.assertIn(self.blue.display_name, body)
        self.assertNotIn(self.red.display_name, body)
        [resubscribe] = _links(body, "o_care_resubscribe")

        # The link shows a page; only its button (a POST) puts her back.
        page = self.url_open(resubscribe, headers={"User-Agent": BROWSER_UA})
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_care_waitlist_submit", page.text)
        self.assertFalse(
            self.Waitlist.search(
                [("partner_id", "=", anna.id), ("state", "=", "waiting")]
            )
            - green
        )
        done = self.url_open(page.url, data={"csrf_token": _csrf(page.text)})
        self.assertIn("care_waitlist_done", done.text)
        again = self.Waitlist.search(
            [
                ("partner_id", "=", anna.id),
                ("product_id", "=", self.blue.id),
                ("state", "=", "waiting"),
            ]
        )
        self.assertEqual(again.source, "email")

    def test_guest_notify_me_confirm_by_email(self):
        self.start_tour(self.kettle.website_url, "service_care_waitlist_guest_notify")
        line = self.Waitlist.search(
            [
                ("product_id", "=", self.kettle.id),
                ("partner_id.email", "=", "guest.waitlist@example.com"),
            ]
        )
        self.assertEqual(line.state, "pending")
        message = self.Message.search(
            [("res_model", "=", line._name), ("res_id", "=", line.id)]
        )
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
        [tracked_link] = _links(mail.body_html)

        # A forged token does nothing.
        genuine = urlsplit(line.confirm_url).path
        forged = genuine[: genuine.rindex("/") + 1] + "0" * 64
        self.assertEqual(self.url_open(forged).status_code, 404)
        self.assertEqual(line.state, "pending")

        self.start_tour(
            tracked_link.removeprefix(self.base_url()),
            "service_care_waitlist_guest_confirm",
        )
        self.assertEqual(line.state, "waiting")

    def test_logged_in_customer_one_click(self):
        user = new_test_user(
            self.env,
            "care_tour_customer",
            groups="base.group_portal",
            email="tour.customer@example.com",
        )
        self.start_tour(
            self.kettle.website_url,
            "service_care_waitlist_customer_notify",
            login=user.login,
        )
        line = self.Waitlist.search([("partner_id", "=", user.partner_id.id)])
        self.assertEqual(line.state, "waiting")
        self.assertEqual(line.product_id, self.kettle)

        # The portal lists it, and the customer can leave it.
        self.authenticate(user.login, user.login)
        page = self.url_open("/my/care/waitlist")
        self.assertIn(self.kettle.display_name, page.text)
        self.url_open(
            f"/my/care/waitlist/{line.id}/leave", data={"csrf_token": _csrf(page.text)}
        )
        self.assertEqual(line.state, "cancelled")
        # Someone else's line is out of reach.
        other = self._wait_for(self.customer, self.kettle)
        response = self.url_open(
            f"/my/care/waitlist/{other.id}/leave", data={"csrf_token": _csrf(page.text)}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(other.state, "waiting")
