# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A demo database made before the demo had consents gets them.

Odoo loads demo data only at install: without this, an existing demo shop
would keep skipping every marketing message. A shop's own database (no demo
data) is left alone.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    if env["ir.module.module"]._get("service_care").demo:
        env["service.care.demo"]._create_demo_consents()
