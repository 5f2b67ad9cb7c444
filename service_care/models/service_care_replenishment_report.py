# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models, tools
from odoo.tools import SQL

EVENTS = [
    ("due", "Due"),
    ("carted", "Put in a Cart"),
    ("confirmed", "Confirmed"),
    ("postponed", "Postponed"),
    ("cart", "Predictive Cart"),
]


class ServiceCareReplenishmentReport(models.Model):
    """What replenishment did, per day: reminders due, carted, confirmed and
    postponed, and the predictive carts with their conversion and revenue.

    One row per reminder event (on the day it happened, or is due) and one
    per cart (on its cart day).
    """

    _name = "service.care.replenishment.report"
    _description = "Replenishment Analysis"
    _auto = False
    _order = "date desc"

    date = fields.Date(readonly=True)
    event = fields.Selection(EVENTS, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cart_id = fields.Many2one("sale.order", readonly=True)
    reminder_count = fields.Integer("Reminders", readonly=True)
    cart_count = fields.Integer("Carts", readonly=True)
    confirmed_cart_count = fields.Integer("Confirmed Carts", readonly=True)
    conversion = fields.Float(
        "Conversion (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the decided carts the customers confirmed.",
    )
    cart_amount = fields.Monetary("Cart Value", readonly=True)
    revenue = fields.Monetary(
        readonly=True, help="Untaxed amount of the confirmed carts."
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
            WITH reminders AS (
                SELECT r.id, r.partner_id, r.product_id, r.user_id, r.company_id,
                       r.cart_id, r.due_date, r.carted_date, r.postponed_date,
                       r.decided_date, r.state, c.currency_id
                  FROM service_care_reminder r
                  JOIN res_company c ON c.id = r.company_id
            )
            SELECT id * 8 AS id, 'due' AS event, due_date AS date, partner_id,
                   product_id, user_id, company_id, currency_id, cart_id,
                   1 AS reminder_count, 0 AS cart_count,
                   0 AS confirmed_cart_count, NULL::float AS conversion,
                   0::numeric AS cart_amount, 0::numeric AS revenue
              FROM reminders
            UNION ALL
            SELECT id * 8 + 1, 'carted', carted_date, partner_id, product_id,
                   user_id, company_id, currency_id, cart_id, 1, 0, 0, NULL,
                   0, 0
              FROM reminders WHERE carted_date IS NOT NULL
            UNION ALL
            SELECT id * 8 + 2, 'confirmed', decided_date, partner_id, product_id,
                   user_id, company_id, currency_id, cart_id, 1, 0, 0, NULL,
                   0, 0
              FROM reminders WHERE state = 'confirmed'
            UNION ALL
            SELECT id * 8 + 3, 'postponed', postponed_date, partner_id,
                   product_id, user_id, company_id, currency_id, cart_id, 1, 0,
                   0, NULL, 0, 0
              FROM reminders WHERE postponed_date IS NOT NULL
            UNION ALL
            SELECT so.id * 8 + 4, 'cart', so.care_cart_date, so.partner_id,
                   NULL, so.user_id, so.company_id, c.currency_id, so.id, 0, 1,
                   CASE WHEN so.care_cart_state = 'confirmed' THEN 1 ELSE 0 END,
                   CASE WHEN so.care_cart_state = 'open' THEN NULL
                        WHEN so.care_cart_state = 'confirmed' THEN 100.0
                        ELSE 0.0 END,
                   so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1),
                   CASE WHEN so.care_cart_state = 'confirmed'
                        THEN so.amount_untaxed
                             / COALESCE(NULLIF(so.currency_rate, 0), 1)
                        ELSE 0 END
              FROM sale_order so
              JOIN res_company c ON c.id = so.company_id
             WHERE so.care_predictive
            )
                """,
                SQL.identifier(self._table),
            )
        )
