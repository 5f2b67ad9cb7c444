# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sale_order_abandoned_cart import DEFAULT_DELAY


class Website(models.Model):
    """How long a cart is left before the abandoned-cart scenario starts."""

    _inherit = "website"  # pylint: disable=consider-merging-classes-inherited

    care_cart_abandoned_delay = fields.Integer(
        "Cart Left After (minutes)",
        default=DEFAULT_DELAY,
        help="Minutes without a change after which a known customer's cart "
        "counts as left and the abandoned-cart scenario starts.",
    )

    @api.constrains("care_cart_abandoned_delay")
    def _check_care_cart_abandoned_delay(self):
        if any(website.care_cart_abandoned_delay < 1 for website in self):
            raise ValidationError(
                self.env._("A cart counts as left after one minute at least.")
            )

    def _care_cart_delay(self):
        self.ensure_one()
        return self.care_cart_abandoned_delay or DEFAULT_DELAY
