# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

PRECOMMIT_KEY = "service_care.waitlist_products"


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(
        self, product_id, location_id, quantity=False, reserved_quantity=False, **kwargs
    ):
        result = super()._update_available_quantity(
            product_id, location_id, quantity, reserved_quantity, **kwargs
        )
        # More on hand, or a reservation released (reservations go through
        # here too, from _update_reserved_quantity).
        if (quantity or 0) > 0 or (reserved_quantity or 0) < 0:
            self._care_free_qty_rose(product_id, location_id)
        return result

    @api.model
    def _care_free_qty_rose(self, product, location):
        """Look at the waitlist of ``product`` when this transaction commits.

        Free stock rose (a receipt, an inventory count, a released
        reservation): the waitlist's detection cron is triggered once per
        transaction for all such variants, if anyone waits for one.
        """
        if location.usage != "internal":
            return
        cr = self.env.cr
        if PRECOMMIT_KEY not in cr.precommit.data:
            product_ids = cr.precommit.data[PRECOMMIT_KEY] = set()
            env = self.env

            @cr.precommit.add
            def wake_waitlist():
                # sudo: whoever moved the stock may know nothing of waitlists;
                # this only checks whether one waits and triggers the cron.
                env["service.care.waitlist"].sudo()._care_stock_changed(product_ids)

        cr.precommit.data[PRECOMMIT_KEY].update(product.ids)
