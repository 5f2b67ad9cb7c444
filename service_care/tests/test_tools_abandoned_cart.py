# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import abandoned_cart
from odoo.addons.service_care.tools.abandoned_cart import (
    CLOSED,
    EXPIRED,
    LOGIN,
    OTHER_ACCOUNT,
    RESTORE,
    restore_decision,
)


@tagged("service_care")
class TestAbandonedCartTools(BaseCase):
    def test_content_is_the_same_in_any_order_of_the_lines(self):
        key = abandoned_cart.content_key([(7, 2.0), (3, 1.0)])
        self.assertEqual(key, "3:1;7:2")
        self.assertEqual(abandoned_cart.content_key([(3, 1.0), (7, 2.0)]), key)
        self.assertNotEqual(abandoned_cart.content_key([(3, 1.0), (7, 3.0)]), key)
        self.assertEqual(abandoned_cart.content_key([]), "")

    def _decide(self, **changes):
        facts = {
            "expired": False,
            "open_cart": True,
            "owned_by_user": True,
            "anonymous": False,
            "visitor_is_customer": True,
        }
        return restore_decision(**{**facts, **changes})

    def test_the_customer_gets_the_cart_back(self):
        self.assertEqual(self._decide(), RESTORE)

    def test_a_users_cart_asks_a_logged_out_visitor_to_log_in(self):
        self.assertEqual(self._decide(anonymous=True), LOGIN)

    def test_a_guests_cart_comes_back_in_any_browser(self):
        self.assertEqual(
            self._decide(
                anonymous=True, owned_by_user=False, visitor_is_customer=False
            ),
            RESTORE,
        )

    def test_never_in_another_account(self):
        self.assertEqual(self._decide(visitor_is_customer=False), OTHER_ACCOUNT)
        self.assertEqual(
            self._decide(owned_by_user=False, visitor_is_customer=False), OTHER_ACCOUNT
        )

    def test_expired_then_closed_before_anything_else(self):
        self.assertEqual(self._decide(expired=True, open_cart=False), EXPIRED)
        self.assertEqual(self._decide(open_cart=False, anonymous=True), CLOSED)
