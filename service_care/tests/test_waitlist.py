# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..hooks import post_init_hook
from .waitlist_common import WaitlistCase


@tagged("post_install", "-at_install")
class TestWaitlist(WaitlistCase):
    def test_stock_arriving_triggers_detection(self):
        cron = self.env.ref("service_care.ir_cron_service_care_waitlist_detect")
        Trigger = self.env["ir.cron.trigger"]

        def triggers_after(action):
            last = Trigger.search([], order="id desc", limit=1).id or 0
            action()
            self.env.cr.flush()  # runs the precommit hooks, as a commit does
            return Trigger.search([("cron_id", "=", cron.id), ("id", ">", last)])

        self.assertFalse(
            triggers_after(lambda: self._receive((self.red, 5))),
            "nobody waits for the red mug",
        )
        self._wait_for(self.customer, self.blue)
        triggers = triggers_after(
            lambda: self._receive((self.blue, 5), (self.green, 2))
        )
        self.assertEqual(len(triggers), 1, "one trigger per transaction")
        self.assertLessEqual(
            triggers.call_at, fields.Datetime.now() + timedelta(minutes=1)
        )
        # A released reservation frees stock too.
        order = self._sell(self.customer, self.red, 5)
        self._wait_for(self._make_customer("Bob", "bob@example.pl"), self.red)
        self.assertEqual(len(triggers_after(order._action_cancel)), 1)

    def test_waiting_count_on_the_variant_and_the_product(self):
        self._wait_for(self.customer, self.red, self.blue)
        self._wait_for(self._make_customer("Bob", "bob@example.pl"), self.red)
        self.assertEqual(self.red.care_waitlist_count, 2)
        self.assertEqual(self.green.care_waitlist_count, 0)
        self.assertEqual(self.mug.care_waitlist_count, 3)
        action = self.mug.action_view_care_waitlist()
        self.assertEqual(self.Waitlist.search_count(action["domain"]), 3)

    def test_one_notice_lists_the_variants_that_came_back(self):
        lines = self._wait_for(self.customer, self.red, self.blue, self.green)
        other = self._make_customer("Bob", "bob@example.pl")
        self._wait_for(other, self.green)
        self._receive((self.red, 5), (self.blue, 1))

        notices = self.Waitlist._care_detect()
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices.partner_id, self.customer)
        self.assertEqual(notices.waitlist_ids, lines[:2])
        self.assertEqual(lines.mapped("state"), ["notified", "notified", "waiting"])

        self._run()
        [email] = self._messages(notices)
        self.assertEqual(email.state, "queued")
        self.assertEqual(email.kind, "transactional")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", email.mail_message_id.id)]
        )
        self.assertEqual(mail.body_html.count("o_care_waitlist_line"), 2)
        self.assertIn(self.red.display_name, mail.body_html)
        self.assertIn(self.blue.display_name, mail.body_html)
        self.assertNotIn(self.green.display_name, mail.body_html)
        # The price the customer pays (their pricelist), with its currency.
        self.assertIn(f"{lines[0].price:.2f}", mail.body_html)
        self.assertIn(lines[0].price_currency_id.symbol, mail.body_html)
        self.assertIn(f"/web/image/product.product/{self.red.id}/image_256", mail.body)
        self.assertIn(f"/shop/care/cart?product_ids={self.red.id}", mail.body)
        # The SMS goes where the customer agreed to SMS marketing.
        self.assertEqual(len(self._messages(notices, "sms")), 1)

    def test_a_variant_is_named_and_priced_once_per_cron_call(self):
        """Each batch of the runner shows the variants the one before showed:
        their names and prices are worked out once per call, not per batch."""
        bob = self._make_customer("Bob", "bob@example.pl")
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Care Test Shop Prices",
                "currency_id": self.env.company.currency_id.id,
            }
        )
        (self.customer | bob).property_product_pricelist = pricelist
        for partner in self.customer | bob:
            self._wait_for(partner, self.red, self.blue)
        self._receive((self.red, 5), (self.blue, 5))
        notices = self.Waitlist._care_detect()
        Waitlist = self.registry["service.care.waitlist"]
        Product = self.registry["product.product"]
        priced, named = [], []
        price_of, name_of = Waitlist._care_price_of, Product._compute_display_name

        def counting_price_of(lines, pricelist, keys):
            priced.extend(keys)
            return price_of(lines, pricelist, keys)

        def counting_name_of(products):
            named.append(products.ids)
            return name_of(products)

        def commit(job):
            # what a real commit does to the cache (a test's only flushes)
            job.env.invalidate_all()

        with (
            patch.object(Waitlist, "_care_price_of", counting_price_of),
            patch.object(Product, "_compute_display_name", counting_name_of),
            patch.object(
                self.registry["service.care.batch.job"], "_care_commit", commit
            ),
        ):
            self.env["service.care.scenario.run"]._cron_run(batch_size=1)
        emails = self._messages(notices)
        self.assertEqual(emails.mapped("state"), ["queued", "queued"])
        company = self.env.company.id
        self.assertCountEqual(
            priced,
            [
                (company, pricelist.id, self.red.id),
                (company, pricelist.id, self.blue.id),
            ],
        )
        mugs = {self.red.id, self.blue.id}
        self.assertEqual(
            len([ids for ids in named if mugs & set(ids)]),
            1,
            "both variants named at once, once",
        )
        for email in emails:
            body = email.mail_message_id.body
            self.assertIn(self.red.display_name, body)
            self.assertIn(self.blue.display_name, body)
            self.assertIn(f"{pricelist._get_product_price(self.red, 1.0):.2f}", body)

    def test_pacing_three_units_ten_waiting(self):
        customers = self._make_customers(10)
        start = datetime(2026, 3, 2, 8, 0)
        for index, customer in enumerate(customers):
            with freeze_time(start + timedelta(hours=index)):
                self._wait_for(customer, self.red)
        self._receive((self.red, 3))

        first = self.Waitlist._care_detect()
        self.assertEqual(first.partner_id, customers[:3])
        self.assertFalse(self.Waitlist._care_detect(), "the three hold the units")

        # Their buying window ends unbought, stock remains: the next three.
        first._care_settle()
        self.assertEqual(first.waitlist_ids.mapped("state"), ["notified"] * 3)
        second = self.Waitlist._care_detect()
        self.assertEqual(second.partner_id, customers[3:6])

    def test_threshold(self):
        self._wait_for(self.customer, self.red)
        self.env["ir.config_parameter"].set_param(
            "service_care.waitlist_min_free_qty", "3"
        )
        self._receive((self.red, 2))
        self.assertFalse(self.Waitlist._care_detect())
        self._receive((self.red, 1))
        self.assertTrue(self.Waitlist._care_detect())

    def test_detection_twice_sends_nothing_twice(self):
        self._wait_for(self.customer, self.red)
        self._receive((self.red, 5))
        notices = self.Waitlist._care_detect()
        self._run()
        self.assertFalse(self.Waitlist._care_detect())
        self.assertEqual(self.Waitlist._cron_detect(), 0)
        self._run()
        self.assertEqual(len(self._messages(notices)), 1)
        self.assertEqual(
            self.env["service.care.scenario.run"].search_count(
                [("res_model", "=", "service.care.waitlist.notice")]
            ),
            1,
        )

    def test_no_active_scenario_no_notice(self):
        self.env.ref("service_care.service_care_scenario_waitlist").active = False
        line = self._wait_for(self.customer, self.red)
        self._receive((self.red, 5))
        self.assertFalse(self.Waitlist._care_detect())
        self.assertEqual(line.state, "waiting")

    def test_bought_sold_out_or_still_deciding(self):
        lines = self._wait_for(self.customer, self.red, self.blue, self.green)
        self._receive((self.red, 5), (self.blue, 1), (self.green, 5))
        notice = self.Waitlist._care_detect()
        order = self._sell(self.customer, self.red, 2)
        self._sell(self._make_customer("Bob", "bob@example.pl"), self.blue)

        notice._care_settle()
        red, blue, green = lines
        self.assertEqual(red.state, "purchased")
        self.assertEqual(red.order_id, order)
        self.assertEqual(red.revenue, 24.0)
        self.assertEqual(red.attribution, "assisted")
        self.assertEqual((red.bought_assisted_count, red.bought_direct_count), (1, 0))
        self.assertEqual(blue.state, "out_again")
        self.assertEqual(green.state, "notified")
        self.assertEqual(notice.out_again_ids, blue)
        self.assertTrue(notice.follow_up)

    def test_opens_and_clicks_count_on_the_lines(self):
        lines = self._wait_for(self.customer, self.red, self.blue)
        self._receive((self.red, 5), (self.blue, 5))
        notice = self.Waitlist._care_detect()
        self._run()
        self.assertEqual(lines.mapped("notified_count"), [1, 1])
        self.assertEqual(lines.mapped("opened_count"), [0, 0])
        self._messages(notice)._track_open()
        self.assertEqual(lines.mapped("opened_count"), [1, 1])
        self._messages(notice)._track_click()
        self.assertEqual(lines.mapped("clicked_count"), [1, 1])
        groups = self.Waitlist._read_group(
            [("id", "in", lines.ids)],
            ["product_tmpl_id"],
            ["notified_count:sum", "opened_count:sum", "clicked_count:sum"],
        )
        self.assertEqual(groups, [(self.mug, 2, 2, 2)])

    def test_guest_confirms_before_anything_is_sent(self):
        line = self.Waitlist._care_request("guest@example.com", self.red, self.website)
        self.assertEqual(line.state, "pending")
        self.assertEqual(line.partner_id.email, "guest@example.com")
        [confirmation] = self.Message.search(
            [("res_model", "=", line._name), ("res_id", "=", line.id)]
        )
        self.assertEqual(confirmation.state, "queued")
        self.assertEqual(confirmation.kind, "transactional")
        # Asking again at once sends no second email.
        self.assertEqual(
            self.Waitlist._care_request("guest@example.com", self.red, self.website),
            line,
        )
        self.assertEqual(
            self.Message.search_count(
                [("res_model", "=", line._name), ("res_id", "=", line.id)]
            ),
            1,
        )
        # Nor does asking for another product: one email per address and hour.
        other = self.Waitlist._care_request(
            "guest@example.com", self.blue, self.website
        )
        self.assertEqual(other.state, "pending")
        self.assertFalse(
            self.Message.search(
                [("res_model", "=", other._name), ("res_id", "=", other.id)]
            )
        )
        self._receive((self.red, 5))
        self.assertFalse(self.Waitlist._care_detect(), "unconfirmed: never told")

        # The one link confirms everything the address asked for.
        line._care_confirm_address()
        self.assertEqual((line | other).mapped("state"), ["waiting", "waiting"])
        self.assertEqual(self.Waitlist._care_detect().waitlist_ids, line)

    def test_signed_links(self):
        line = self._wait_for(self.customer, self.red)
        expires = int(time.time()) + 3600
        token = self.env["service.care.signed.link"]._care_sign(
            "waitlist.confirm", line._care_link_subject(), expires
        )
        check = self.Waitlist._care_from_token
        self.assertFalse(check("confirm", line.id, expires, "0" * len(token)))
        self.assertFalse(check("confirm", line.id, expires + 1, token))
        self.assertFalse(check("again", line.id, expires, token))
        self.assertFalse(check("unknown", line.id, expires, token))
        other = self._wait_for(self._make_customer("Bob", "bob@example.pl"), self.red)
        self.assertFalse(check("confirm", other.id, expires, token))
        self.assertEqual(check("confirm", line.id, expires, token), line)
        with freeze_time(datetime.now() + timedelta(hours=2)):
            self.assertFalse(check("confirm", line.id, expires, token), "expired")
        self.assertIn(f"/shop/care/waitlist/again/{line.id}/", line.resubscribe_url)

    def test_subscribing_twice_keeps_one_line(self):
        line = self._wait_for(self.customer, self.red)
        self.assertEqual(self._wait_for(self.customer, self.red), line)
        line.action_cancel()
        self.assertEqual(line.state, "cancelled")
        again = self._wait_for(self.customer, self.red)
        self.assertNotEqual(again, line)
        self.assertEqual(again.state, "waiting")

    def test_odoo_subscriptions_move_to_the_waitlist(self):
        guest = self.env["res.partner"].create(
            {"name": "Old subscriber", "email": "old@example.com"}
        )
        self.red.stock_notification_partner_ids = guest
        self._receive((self.red, 5))
        self.env["product.product"]._send_availability_email()
        self.assertFalse(self.red.stock_notification_partner_ids)
        self.assertFalse(
            self.env["mail.mail"].search([("email_to", "=", guest.email_formatted)]),
            "Odoo's own availability email is not sent",
        )
        line = self.Waitlist.search([("partner_id", "=", guest.id)])
        self.assertEqual(line.state, "pending", "the address's owner confirms first")
        self.assertTrue(line.confirmation_sent_at)

    def test_install_adopts_odoo_subscribers(self):
        """At install, a subscriber who asked logged in waits at once on the
        product's own website; only an address a guest typed is asked to
        confirm (Odoo let anyone subscribe any address)."""
        other_site = self.env["website"].create({"name": "Second shop"})
        # A product of its own: the website is the template's, shared by
        # the mug's colours.
        teapot = self.env["product.product"].create(
            {
                "name": "Care Test Teapot",
                "is_storable": True,
                "website_id": other_site.id,
            }
        )
        portal = new_test_user(self.env, "care_old_portal", groups="base.group_portal")
        guest = self.env["res.partner"].create(
            {"name": "Old guest", "email": "old-guest@example.com"}
        )
        self.red.stock_notification_partner_ids = portal.partner_id | guest
        teapot.stock_notification_partner_ids = portal.partner_id
        post_init_hook(self.env)
        lines = self.Waitlist.search(
            [("partner_id", "in", (portal.partner_id | guest).ids)]
        )
        got = {
            (line.partner_id, line.product_id, line.website_id): line.state
            for line in lines
        }
        self.assertEqual(
            got,
            {
                (portal.partner_id, self.red, self.website): "waiting",
                (portal.partner_id, teapot, other_site): "waiting",
                (guest, self.red, self.website): "pending",
            },
        )
        confirmations = self.Message.search(
            [("res_model", "=", "service.care.waitlist"), ("res_id", "in", lines.ids)]
        )
        self.assertEqual(confirmations.partner_id, guest, "only the guest confirms")
        self.assertFalse(
            (self.red | teapot).stock_notification_partner_ids,
            "Odoo's cron has nobody left to email",
        )

    def test_shop_shows_our_subscriptions(self):
        self.assertFalse(self.red._has_stock_notification(self.customer))
        self._wait_for(self.customer, self.red)
        self.assertTrue(self.red._has_stock_notification(self.customer))
        self.assertEqual(self.red.care_waitlist_count, 1)
        self.assertEqual(self.blue.care_waitlist_count, 0)

    def test_portal_customers_see_only_their_waitlist(self):
        portal = new_test_user(self.env, "care_portal", groups="base.group_portal")
        own = self._wait_for(portal.partner_id, self.red)
        other = self._wait_for(self.customer, self.red)
        Waitlist = self.Waitlist.with_user(portal)
        self.assertEqual(Waitlist.search([]), own)
        with self.assertRaises(AccessError):
            other.with_user(portal).read(["state"])
        with self.assertRaises(AccessError):
            own.with_user(portal).write({"state": "cancelled"})

    def test_back_office_subscription_for_a_phoning_customer(self):
        user = new_test_user(
            self.env, "care_clerk", groups="service_care.service_care_group_user"
        )
        line = (
            self.Waitlist.with_user(user)
            .with_context(default_source="backoffice")
            .create({"partner_id": self.customer.id, "product_id": self.red.id})
        )
        self.assertEqual(line.state, "waiting")
        self.assertEqual(line.website_id, self.website)
        self._receive((self.red, 5))
        self.assertEqual(self.Waitlist._care_detect().waitlist_ids, line)
