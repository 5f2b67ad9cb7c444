# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Send hours per country become records (``service.care.send.window``).

The text each company had ("FR 08:00-22:00 mon-sat", a line per country) is
read once and turned into one record per line. A text that no longer parses
(it was validated when saved, so only by hand in the database) is logged and
left in its column for the shop to re-enter.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.service_care.tools.policy import (
    parse_country_windows,
    time_to_float,
)

_logger = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def migrate(cr, version):
    cr.execute(
        SQL(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'res_company' AND column_name = 'care_country_windows'"
        )
    )
    if not cr.fetchone():
        return
    cr.execute(
        SQL(
            "SELECT id, care_country_windows FROM res_company "
            "WHERE care_country_windows IS NOT NULL AND care_country_windows != ''"
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company_id, text in cr.fetchall():
        try:
            windows = parse_country_windows(text)
        except ValueError as error:
            _logger.warning(
                "service_care: send hours per country of company %s not migrated: %s",
                company_id,
                error,
            )
            continue
        countries = {
            country.code: country
            for country in env["res.country"].search([("code", "in", list(windows))])
        }
        env["service.care.send.window"].create(
            [
                {
                    "company_id": company_id,
                    "country_id": countries[code].id,
                    "hour_from": time_to_float(window.start),
                    "hour_to": time_to_float(window.end, is_end=True),
                    **{day: index in window.weekdays for index, day in enumerate(DAYS)},
                }
                for code, window in windows.items()
                if code in countries
            ]
        )
