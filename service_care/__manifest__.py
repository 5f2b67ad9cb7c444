# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Service Care",
    "summary": "Replenishment reminders, back-in-stock waitlists and lifecycle "
    "messages by email and SMS, all through one tracked send pipeline",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/service-care/service_care",
    "author": "service_care contributors",
    "license": "LGPL-3",
    "application": True,
    "depends": [
        "sale_management",
        "sale_stock",
        "website_sale_stock",
        "sms",
        "portal",
    ],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/service_care_security.xml",
        "security/service_care_consent_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/repeat_order_scenario_data.xml",
        "views/service_care_message_views.xml",
        "views/service_care_scenario_test_views.xml",
        "views/service_care_scenario_views.xml",
        "views/service_care_consent_views.xml",
        "views/service_care_tracking_templates.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/service_care_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "service_care/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/sale_order_demo.xml",
    ],
}
