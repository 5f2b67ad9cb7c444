# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipped scenarios (noupdate data) get their purpose: customers now
choose what they receive purpose by purpose. A demo database gets the
customers waiting for its sold-out variants (Odoo loads demo data at install
only)."""

from odoo import SUPERUSER_ID, api

PURPOSES = {
    "service_care.service_care_scenario_replenishment": "replenishment",
    "service_care.service_care_scenario_repeat_order": "replenishment",
    "service_care.service_care_scenario_waitlist": "back_in_stock",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, purpose in PURPOSES.items():
        scenario = env.ref(xmlid, raise_if_not_found=False)
        if scenario:
            scenario.purpose = purpose
    if env["ir.module.module"]._get("service_care").demo:
        env["service.care.demo"]._create_demo_waitlists()
