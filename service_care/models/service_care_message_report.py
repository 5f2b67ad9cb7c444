# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models, tools
from odoo.tools import SQL

from .service_care_message import CHANNELS, KINDS, STATES
from .service_care_scenario import FLOWS

# A message reached the customer: an SMS with a handset's receipt (or read),
# an email the server took and did not bounce.
DELIVERED = SQL(
    "(m.state IN ('delivered', 'opened', 'clicked', 'converted') "
    "OR (m.channel = 'email' AND m.state = 'sent'))"
)
# A person read it: an open pixel fetched by a mail client, or a click (images
# blocked still count). An open by a privacy proxy (Apple Mail) alone is not.
# (The counters are NULL until a first open or click.)
OPENED = SQL("(COALESCE(m.open_count, 0) + COALESCE(m.click_count, 0) > 0)")
MACHINE_ONLY = SQL("(COALESCE(m.machine_open_count, 0) > 0 AND NOT %s)", OPENED)
# What the message became, in the words of the flows' results.
OUTCOMES = {
    "sent": SQL(
        "(m.state IN ('sent', 'delivered', 'opened', 'clicked', 'converted',"
        " 'bounced') OR (m.state = 'failed' AND m.sent_at IS NOT NULL))"
    ),
    "delivered": DELIVERED,
    "opened": SQL("(%s AND %s)", DELIVERED, OPENED),
    "machine_opened": SQL("(%s AND %s)", DELIVERED, MACHINE_ONLY),
    "clicked": SQL("(%s AND COALESCE(m.click_count, 0) > 0)", DELIVERED),
    "converted": SQL("(m.state = 'converted')"),
    "bounced": SQL("(m.state = 'bounced')"),
    "failed": SQL("(m.state = 'failed')"),
    "skipped": SQL("(m.state = 'skipped')"),
}
# Rates are over the delivered messages: an average of 100 (yes) or 0 (no)
# over them, NULL elsewhere, so any grouping averages the right rows.
RATES = {
    "open_rate": "opened",
    "machine_open_rate": "machine_opened",
    "click_rate": "clicked",
    "conversion_rate": "converted",
}


class ServiceCareMessageReport(models.Model):
    """The results of the messages, flow by flow: what went out, reached the
    customer, was read, clicked and bought from.

    One row per message of the log, with its outcomes as 0/1 counts and its
    rates over the delivered messages; the dashboard and the pivots read it.
    """

    _name = "service.care.message.report"
    _description = "Service Care Message Results"
    _auto = False
    _order = "date desc"
    _depends = {
        "service.care.message": [
            "amount",
            "channel",
            "click_count",
            "company_id",
            "cost",
            "kind",
            "machine_open_count",
            "open_count",
            "partner_id",
            "queued_at",
            "reason_code",
            "res_model",
            "scenario_id",
            "scenario_step_id",
            "scheduled_at",
            "sent_at",
            "sms_gateway_id",
            "state",
        ],
        "service.care.scenario": ["flow"],
        "service.care.scenario.step": ["flow"],
    }

    message_id = fields.Many2one("service.care.message", readonly=True)
    date = fields.Datetime(readonly=True, help="When it went out, else was due.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    flow = fields.Selection(FLOWS, readonly=True)
    scenario_id = fields.Many2one("service.care.scenario", readonly=True)
    state = fields.Selection(STATES, readonly=True)
    reason_code = fields.Char("Reason", readonly=True)
    sms_gateway_id = fields.Many2one(
        "service.care.sms.gateway", "SMS Gateway", readonly=True
    )
    message_count = fields.Integer("Messages", readonly=True)
    sent_count = fields.Integer("Sent", readonly=True)
    delivered_count = fields.Integer("Delivered", readonly=True)
    opened_count = fields.Integer(
        "Opened", readonly=True, help="Read by a person: opened or clicked."
    )
    machine_opened_count = fields.Integer(
        "Opened by a Proxy Only",
        readonly=True,
        help="Fetched by a mail privacy proxy (Apple Mail) and not otherwise "
        "opened: not counted as opened.",
    )
    clicked_count = fields.Integer("Clicked", readonly=True)
    converted_count = fields.Integer("Converted", readonly=True)
    bounced_count = fields.Integer("Bounced", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    skipped_count = fields.Integer("Skipped", readonly=True)
    open_rate = fields.Float(
        "Open Rate (%)", aggregator="avg", readonly=True, help="Over delivered."
    )
    machine_open_rate = fields.Float(
        "Proxy-Only Open Rate (%)",
        aggregator="avg",
        readonly=True,
        help="Over delivered.",
    )
    click_rate = fields.Float(
        "Click Rate (%)", aggregator="avg", readonly=True, help="Over delivered."
    )
    conversion_rate = fields.Float(
        "Conversion Rate (%)", aggregator="avg", readonly=True, help="Over delivered."
    )
    revenue = fields.Monetary(
        "Attributed Revenue",
        readonly=True,
        help="Untaxed amount of the orders attributed to the messages.",
    )
    cost = fields.Float(digits=(16, 4), readonly=True, help="What the SMS cost.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        counts = SQL(", ").join(
            SQL("%s::int AS %s", condition, SQL.identifier(f"{name}_count"))
            for name, condition in OUTCOMES.items()
        )
        rates = SQL(", ").join(
            SQL(
                "CASE WHEN %s THEN 100.0 * %s::int END AS %s",
                DELIVERED,
                OUTCOMES[outcome],
                SQL.identifier(rate),
            )
            for rate, outcome in RATES.items()
        )
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(table)s AS (
            SELECT m.id, m.id AS message_id,
                   COALESCE(m.sent_at, m.queued_at, m.scheduled_at) AS date,
                   m.company_id, c.currency_id, m.partner_id, m.channel, m.kind,
                   m.scenario_id, m.state, m.reason_code, m.sms_gateway_id,
                   COALESCE(
                       st.flow, s.flow,
                       CASE WHEN m.kind = 'transactional'
                             AND m.res_model IN ('sale.order', 'stock.picking')
                            THEN 'order' ELSE 'other' END
                   ) AS flow,
                   1 AS message_count, %(counts)s, %(rates)s,
                   COALESCE(m.amount, 0) AS revenue, COALESCE(m.cost, 0) AS cost
              FROM service_care_message m
              JOIN res_company c ON c.id = m.company_id
              LEFT JOIN service_care_scenario s ON s.id = m.scenario_id
              LEFT JOIN service_care_scenario_step st ON st.id = m.scenario_step_id
            )
                """,
                table=SQL.identifier(self._table),
                counts=counts,
                rates=rates,
            )
        )
