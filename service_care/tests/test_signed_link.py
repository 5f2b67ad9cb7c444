# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The signed-link helper, and the links sent before it existed."""

import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import hmac as odoo_hmac

from odoo.addons.service_care.tools import signed_link

from .common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestSignedLink(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Link = cls.env["service.care.signed.link"]

    def _old(self, scope, message):
        """A digest as the addon made it before the helper: Odoo's hmac."""
        return odoo_hmac(self.env(su=True), f"service_care.{scope}", message)

    def test_sign_and_verify(self):
        expires = int(time.time()) + 60
        digest = self.Link._care_sign("test", (1, 2), expires)
        verify = self.Link._care_verify
        self.assertEqual(verify("test", [(1, 2)], digest, expires), "ok")
        self.assertFalse(verify("test", [(1, 3)], digest, expires), "other subject")
        self.assertFalse(verify("other", [(1, 2)], digest, expires), "other scope")
        self.assertFalse(verify("test", [(1, 2)], digest, expires + 1), "moved expiry")
        past = int(time.time()) - 1
        stale = self.Link._care_sign("test", (1, 2), past)
        self.assertEqual(verify("test", [(1, 2)], stale, past), "expired")
        token = self.Link._care_token("test", (1, 2), expires)
        self.assertEqual(self.Link._care_verify_token("test", [(1, 2)], token), "ok")
        self.assertFalse(self.Link._care_verify_token("test", [(1, 2)], digest))

    def test_cart_links_sent_before_still_work(self):
        cart = self.env["sale.order"].create({"partner_id": self.customer.id})
        expires = signed_link.timestamp(fields.Datetime.now() + timedelta(days=1))
        for action, arg in (("cart", None), ("postpone", 2), ("stop", 5)):
            old = self._old(
                "cart", (cart.id, cart.partner_id.id, action, int(arg or 0), expires)
            )
            token = f"{expires}.{old}"
            self.assertEqual(cart._care_token(action, arg, expires), token)
            self.assertEqual(cart._care_check_token(token, action, arg), "ok")
        self.assertFalse(cart._care_check_token(token, "confirm"), "stop link")

    def test_waitlist_links_sent_before_still_work(self):
        product = self.env["product.product"].create({"name": "Signed Mug"})
        line = self.env["service.care.waitlist"].create(
            {
                "partner_id": self.customer.id,
                "product_id": product.id,
                "website_id": self.env["website"].get_current_website().id,
            }
        )
        expires = int(time.time()) + 3600
        old = self._old("waitlist.confirm", (line.id, self.customer.id, expires))
        Waitlist = self.env["service.care.waitlist"]
        self.assertEqual(
            Waitlist._care_from_token("confirm", line.id, expires, old), line
        )
        self.assertFalse(Waitlist._care_from_token("again", line.id, expires, old))
        # and the links made now are checked the same way
        *_path, scope, line_id, new_expires, token = line._care_signed_url(
            "again"
        ).split("/")
        self.assertEqual(
            Waitlist._care_from_token(scope, line_id, new_expires, token), line
        )

    def test_message_links_sent_before_still_work(self):
        message = self.env["service.care.message"].create(
            {"partner_id": self.customer.id, "channel": "email", "state": "sent"}
        )
        url = "https://shop.example.com/offer"
        Message = self.env["service.care.message"]
        for scope, parts in (("open", ()), ("click", (url,)), ("unsubscribe", ())):
            old = self._old(scope, (message.uuid, *parts))
            self.assertEqual(message._token(scope, *parts), old)
            self.assertEqual(
                Message._from_token(message.uuid, scope, old, *parts), message
            )
        self.assertFalse(Message._from_token(message.uuid, "open", old))

    def test_gateway_webhook_tokens_sent_before_still_work(self):
        gateway = self.env["service.care.sms.gateway"].create(
            {"name": "Signed Kannel", "provider": "kannel", "url": "http://127.0.0.1:1"}
        )
        secret = gateway.sudo().dlr_secret
        old_dlr = self._old("sms_dlr", (gateway.id, "uuid-1", secret))
        old_mo = self._old("sms_mo", (gateway.id, secret))
        self.assertTrue(gateway._check_dlr_token("uuid-1", old_dlr))
        self.assertFalse(gateway._check_dlr_token("uuid-2", old_dlr))
        self.assertTrue(gateway._check_mo_token(old_mo))
        self.assertFalse(gateway._check_mo_token(old_dlr))
