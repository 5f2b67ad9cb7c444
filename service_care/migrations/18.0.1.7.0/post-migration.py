# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The birthday greeting (noupdate data) goes out on the day whatever the
frequency cap, and its email gets the line that gives the birthday coupon's
code, in each language it has, unless the shop rewrote the template (then it
is left as the shop wrote it)."""

import logging

from psycopg2.extras import Json

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

CODE = '<strong t-out="object.care_birthday_coupon_code">BDAY-1234</strong>'
LINES = {
    "en_US": "Our gift: enter the code %s at checkout.",
    "ru_RU": "Наш подарок: введите код %s при оформлении заказа.",
    "pl_PL": "Nasz prezent: wpisz kod %s przy składaniu zamówienia.",
    "uk_UA": "Наш подарунок: введіть код %s під час оформлення замовлення.",
}


def _with_coupon(body, lang):
    """The body with the coupon line after its second paragraph, or None."""
    if not body or "care_birthday_coupon_code" in body or body.count("</p>") != 3:
        return None
    line = LINES.get(lang, LINES["en_US"]) % CODE
    head, _sep, rest = body.partition("</p>")
    second, _sep, tail = rest.partition("</p>")
    return (
        f'{head}</p>{second}</p>\n    <p t-if="object.care_birthday_coupon_code">'
        f"{line}</p>{tail}"
    )


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    scenario = env.ref(
        "service_care.service_care_scenario_birthday", raise_if_not_found=False
    )
    if scenario:
        scenario.frequency_cap = False
    template = env.ref("service_care.mail_template_birthday", raise_if_not_found=False)
    if not template:
        return
    cr.execute(SQL("SELECT body_html FROM mail_template WHERE id = %s", template.id))
    bodies = cr.fetchone()[0] or {}
    updated = {lang: _with_coupon(body, lang) for lang, body in bodies.items()}
    if not all(updated.values()):
        _logger.info("service_care: the birthday template was edited; left as is")
        return
    # every language at once: writing one through the ORM resets the others
    cr.execute(
        SQL(
            "UPDATE mail_template SET body_html = %s WHERE id = %s",
            Json(updated),
            template.id,
        )
    )
    template.invalidate_recordset(["body_html"])
