# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Service Care: Birthday Coupons",
    "summary": "The birthday greeting of Service Care gives a coupon from one "
    "of Odoo's loyalty programs",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/service-care/service_care",
    "author": "service_care contributors",
    "license": "LGPL-3",
    "depends": ["service_care", "loyalty"],
    "auto_install": True,
    "data": [
        "data/birthday_coupon_data.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/birthday_coupon_demo.xml"],
}
