# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two detection workers at once, each in its own database transaction.

Real concurrency needs data the other transactions see: this test commits
its own records through separate cursors and deletes them afterwards.
"""

import secrets
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

FREE_UNITS = 3


@tagged("post_install", "-at_install")
class TestWaitlistWorkers(TransactionCase):
    def _committed(self, function):
        """Run ``function(env)`` in a transaction of its own and commit it."""
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup_shop(self, env):
        tag = secrets.token_hex(4)
        product = env["product.product"].create(
            {"name": f"Care Worker Mug {tag}", "is_storable": True}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Worker {index} {tag}",
                    "email": f"w{index}-{tag}@example.com",
                }
                for index in range(5)
            ]
        )
        website = env["website"].get_current_website()
        for partner in partners:
            env["service.care.waitlist"]._care_subscribe(
                partner, product, website, "shop"
            )
        return product.id, partners.ids

    def _cleanup(self, product_id, partner_ids):
        def delete(env):
            # Waitlists, notices, runs and messages go with their customer.
            env["res.partner"].browse(partner_ids).unlink()
            env["product.product"].browse(product_id).unlink()

        self._committed(delete)

    def test_two_workers_send_nothing_twice(self):
        product_id, partner_ids = self._committed(self._setup_shop)
        self.addCleanup(self._cleanup, product_id, partner_ids)

        def free_qty(products, website):
            # Our mug has units; whatever else the database holds has none.
            return {p.id: FREE_UNITS if p.id == product_id else 0 for p in products}

        Product = type(self.env["product.product"])
        with (
            patch.object(Product, "_care_free_qty", free_qty),
            self.registry.cursor() as cr_a,
            self.registry.cursor() as cr_b,
        ):
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["service.care.waitlist"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["service.care.waitlist"]
            told_by_a = worker_a._care_detect()
            # B runs while A holds the lines: it skips them, sends nothing.
            told_by_b = worker_b._care_detect()
            self.assertEqual(len(told_by_a), FREE_UNITS)
            self.assertFalse(told_by_b)
            cr_a.commit()
            cr_b.rollback()
            # B again once A committed: the units are taken, nothing to send.
            self.assertFalse(worker_b._care_detect())

        def count(env):
            notices = env["service.care.waitlist.notice"].search(
                [("partner_id", "in", partner_ids)]
            )
            runs = env["service.care.scenario.run"].search(
                [("res_model", "=", notices._name), ("res_id", "in", notices.ids)]
            )
            return len(notices), len(runs), len(notices.partner_id)

        self.assertEqual(self._committed(count), (FREE_UNITS, FREE_UNITS, FREE_UNITS))
