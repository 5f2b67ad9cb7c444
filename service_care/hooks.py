# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Customers who asked Odoo's notify-me button before the addon was
    installed wait on the waitlist from the first minute, not from the
    first run of Odoo's hourly availability cron."""
    env["product.product"]._care_adopt_stock_notifications()
