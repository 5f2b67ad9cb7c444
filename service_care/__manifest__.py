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
        "security/ir.model.access.csv",
        "views/service_care_menus.xml",
    ],
    "demo": [
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/sale_order_demo.xml",
    ],
}
