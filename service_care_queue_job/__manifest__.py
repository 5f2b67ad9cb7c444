# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Service Care: Queue Job",
    "summary": "Run Service Care's heavy crons as OCA queue_job jobs across "
    "Odoo workers and hosts",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/service-care/service_care",
    "author": "service_care contributors",
    "license": "LGPL-3",
    "depends": ["service_care", "queue_job"],
    "auto_install": True,
    "data": [
        "data/queue_job_channel_data.xml",
        "data/queue_job_function_data.xml",
    ],
}
