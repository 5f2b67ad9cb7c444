# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Service Care: Dashboard",
    "summary": "Service Care's results at a glance in Odoo's Dashboards app: "
    "flow by flow, weekly trends, predictive carts, waitlists, reach, SMS cost",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/service-care/service_care",
    "author": "service_care contributors",
    "license": "LGPL-3",
    "depends": ["service_care", "spreadsheet_dashboard"],
    "auto_install": True,
    "data": ["data/dashboards.xml"],
    "assets": {
        "web.assets_tests": [
            "service_care_dashboard/static/tests/tours/*.js",
        ],
    },
}
