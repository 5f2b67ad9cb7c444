# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipped scenarios (noupdate data) get the flow their messages are
reported as. A demo database gets its year of message history (Odoo loads
demo data at install only)."""

from odoo import SUPERUSER_ID, api

FLOWS = {
    "service_care.service_care_scenario_replenishment": "replenishment",
    "service_care.service_care_scenario_repeat_order": "repeat_order",
    "service_care.service_care_scenario_waitlist": "back_in_stock",
    "service_care.service_care_scenario_waitlist_step_out_again": (
        "out_of_stock_again"
    ),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, flow in FLOWS.items():
        record = env.ref(xmlid, raise_if_not_found=False)
        if record:
            record.flow = flow
    if env["ir.module.module"]._get("service_care").demo:
        env["service.care.demo"]._create_demo_history()
