# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import calendar
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, consteq
from odoo.tools.misc import hmac as odoo_hmac

from ..tools.attribution import DIRECT, Order, Touch, attribute_orders
from ..tools.replenishment import (
    POSTPONE_WEEKS,
    case_constant_fields,
    expiry,
    is_short,
)
from .sale_order_line import CASE_VALUES_KEY

UTM_SOURCE_NAME = "Service Care"


_logger = logging.getLogger(__name__)

CART_STATES = [
    ("open", "Waiting for the Customer"),
    ("confirmed", "Confirmed"),
    ("postponed", "Postponed"),
    ("expired", "Expired"),
    ("declined", "Declined"),
]
# What a one-click link may do; "cart" links open the cart page, whose forms
# may do all of them.
LINK_ACTIONS = ("cart", "confirm", "postpone", "stop")
LINK_PATHS = {
    "cart": "",
    "confirm": "/confirm",
    "postpone": "/postpone/{arg}",
    "stop": "/stop/{arg}",
}


# What every cart line of one batch and case shares through its order: the
# company, warehouse, state and date of every cart of the batch, and the
# pricelist, fiscal position, currency (and its rate) and language that are
# part of the case.
CASE_ORDER_PATHS = frozenset(
    {
        "order_id.company_id",
        "order_id.warehouse_id",
        "order_id.state",
        "order_id.date_order",
        "order_id.pricelist_id",
        "order_id.fiscal_position_id",
        "order_id.currency_id",
        "order_id.currency_rate",
        "order_id.partner_id.lang",
    }
)
# What the weekly run gives every cart line itself.
GIVEN_LINE_FIELDS = ("order_id", "product_id", "product_uom_qty", "care_out_of_stock")


def _timestamp(utc_datetime):
    return calendar.timegm(utc_datetime.timetuple())


class SaleOrder(models.Model):
    _inherit = "sale.order"

    care_message_count = fields.Integer(
        string="Care Messages",
        compute="_compute_care_message_count",
        groups="service_care.service_care_group_user",
    )

    care_run_count = fields.Integer(
        string="Care Scenario Runs",
        compute="_compute_care_run_count",
        groups="service_care.service_care_group_user",
    )
    care_cross_sell_product_ids = fields.Many2many(
        "product.product",
        compute="_compute_care_cross_sell_product_ids",
        string="Goes Well With",
        help="Accessories and alternatives of the ordered products, for "
        "cross-selling messages.",
    )

    care_predictive = fields.Boolean(
        "Predictive Cart",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Prepared by Service Care from the customer's due reminders.",
    )
    care_cart_state = fields.Selection(
        CART_STATES, "Cart Status", readonly=True, copy=False, index="btree_not_null"
    )
    care_cart_date = fields.Date("Cart Day", readonly=True, copy=False)
    care_cart_expires_at = fields.Datetime("Cart Expires", readonly=True, copy=False)
    care_cart_visited_at = fields.Datetime(
        "Opened by the Customer", readonly=True, copy=False
    )
    care_cart_decided_at = fields.Datetime("Decided On", readonly=True, copy=False)
    care_cart_postponed_weeks = fields.Integer(
        "Postponed by (Weeks)", readonly=True, copy=False
    )
    care_cart_reminder_ids = fields.One2many(
        "service.care.reminder", "cart_id", "Reminders in the Cart", readonly=True
    )
    care_cart_short_count = fields.Integer(
        "Lines Out of Stock", compute="_compute_care_cart_short_count"
    )

    def _compute_care_run_count(self):
        counts = dict(
            self.env["service.care.scenario.run"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for order in self:
            order.care_run_count = counts.get(order.id, 0)

    @api.depends("order_line.product_id")
    def _compute_care_cross_sell_product_ids(self):
        for order in self:
            ordered = order.order_line.product_id
            templates = ordered.product_tmpl_id
            candidates = templates.accessory_product_ids | (
                templates.alternative_product_ids.product_variant_id
            )
            order.care_cross_sell_product_ids = (candidates - ordered).filtered(
                lambda p: p.sale_ok and p.is_published
            )[:4]

    def _care_best_sellers(self, days=30, limit=4):
        """The published products sold most over the last ``days`` days.

        A method, not a computed field: the answer depends on the moment,
        not on the order, and must never come from a stale cache.
        """
        since = fields.Datetime.now() - timedelta(days=days)
        groups = self.env["sale.order.line"]._read_group(
            [
                ("state", "=", "sale"),
                ("order_id.date_order", ">=", since),
                ("product_id.sale_ok", "=", True),
                ("product_id.is_published", "=", True),
            ],
            ["product_id"],
            ["product_uom_qty:sum"],
            order="product_uom_qty:sum desc",
            limit=limit,
        )
        return self.env["product.product"].union(*(product for product, _qty in groups))

    def action_view_care_runs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_care.service_care_scenario_run_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    def _compute_care_message_count(self):
        messages = self.env["service.care.message"].search_fetch(
            self._care_messages_domain(), ["res_model", "res_id", "order_id"]
        )
        ids_by_order = defaultdict(set)
        for message in messages:
            if message.res_model == self._name:
                ids_by_order[message.res_id].add(message.id)
            if message.order_id:
                ids_by_order[message.order_id.id].add(message.id)
        for order in self:
            order.care_message_count = len(ids_by_order.get(order.id, ()))

    def action_confirm(self):
        carts = self._care_open_carts()
        result = super().action_confirm()
        carts.filtered(lambda o: o.state == "sale")._care_cart_confirmed()
        self._care_attribute()
        # sudo: confirming an order (a salesperson, or a customer on the
        # portal) keeps its customer's reminders up to date, whatever the
        # confirming user may see of Service Care.
        self.env["service.care.reminder"].sudo()._care_from_orders(self)
        # sudo: customers confirm their own orders on the shop without any
        # right on scenarios; starting one only reads its configuration.
        self.env["service.care.scenario"].sudo()._care_trigger("order_confirmed", self)
        return result

    def action_view_care_messages(self):
        """Messages about these orders, and those credited with them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_care.service_care_message_action"
        )
        action["domain"] = self._care_messages_domain()
        action["context"] = {"create": False}
        return action

    def _care_messages_domain(self):
        """Domain of the care messages about these orders or credited with them."""
        return [
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("order_id", "in", self.ids),
        ]

    def _care_attribute(self):
        """Credit the confirmed orders to the message that brought each, if any.

        Set-based: one search for the messages of all the orders' customers, the
        choice made by ``tools.attribution``, batched writes. An order is credited
        once; a directly attributed message becomes "converted", an assisted one
        keeps its state.
        """
        # sudo: attribution is bookkeeping of the confirmation itself; whoever
        # may confirm an order (a salesperson, a customer paying online) may
        # credit it to the message that brought it, and fill its UTM.
        orders = self.sudo().filtered(
            lambda o: o.state == "sale" and o.company_id.care_attribution_days > 0
        )
        Message = (
            self.env["service.care.message"].sudo().with_context(active_test=False)
        )
        orders -= Message.search([("order_id", "in", orders.ids)]).order_id
        if not orders:
            return
        days = max(orders.company_id.mapped("care_attribution_days"))
        since = min(orders.mapped("date_order")) - timedelta(days=days)
        messages = Message.search(
            [
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    orders.partner_id.commercial_partner_id.ids,
                ),
                ("company_id", "in", orders.company_id.ids),
                ("order_id", "=", False),
                "|",
                "|",
                ("clicked_at", ">=", since),
                ("sent_at", ">=", since),
                ("delivered_at", ">=", since),
            ]
        )
        touches = defaultdict(list)
        for message in messages:
            key = (message.partner_id.commercial_partner_id.id, message.company_id.id)
            touches[key].append(
                Touch(
                    message.id,
                    message.channel,
                    message.state,
                    sent_at=message.sent_at,
                    delivered_at=message.delivered_at,
                    clicked_at=message.clicked_at,
                )
            )
        credits = attribute_orders(
            [
                Order(
                    order.id,
                    (order.partner_id.commercial_partner_id.id, order.company_id.id),
                    order.date_order,
                    timedelta(days=order.company_id.care_attribution_days),
                )
                for order in orders
            ],
            touches,
        )
        direct_ids = []
        for order in orders.filtered(lambda o: o.id in credits):
            credit = credits[order.id]
            # one write per message, flushed as one UPDATE for all of them
            Message.browse(credit.message_id).write(
                {
                    "order_id": order.id,
                    "attribution": credit.kind,
                    "amount": order._care_amount_company_currency(),
                }
            )
            if credit.kind == DIRECT:
                direct_ids.append(credit.message_id)
        direct = Message.browse(direct_ids)
        direct._mark("converted")
        direct.order_id._care_fill_utm(direct)

    def _care_amount_company_currency(self):
        """Untaxed amount of the order in its company's currency."""
        self.ensure_one()
        currency = self.company_id.currency_id
        return currency.round(self.amount_untaxed / (self.currency_rate or 1.0))

    def _care_fill_utm(self, messages):
        """Set the UTM of orders brought by a click as Odoo does for tracked links.

        Source "Service Care", medium by channel, campaign named after the
        scenario. An order that already has UTM (from the visitor's cookies,
        or set by hand) keeps them all.
        """
        orders = self.filtered(
            lambda o: not (o.source_id or o.medium_id or o.campaign_id)
        )
        messages = messages.filtered(lambda m: m.order_id in orders)
        if not messages:
            return
        source = self._find_or_create_record("utm.source", UTM_SOURCE_NAME)
        mediums = {
            channel: self._care_utm_medium(channel)
            for channel in set(messages.mapped("channel"))
        }
        campaigns = {
            scenario: self._find_or_create_record(
                "utm.campaign", scenario.with_context(lang="en_US").name
            )
            for scenario in messages.scenario_id
        }
        groups = defaultdict(self.browse)
        for message in messages:
            campaign = campaigns.get(message.scenario_id)
            key = (mediums[message.channel], campaign or self.env["utm.campaign"])
            groups[key] |= message.order_id
        for (medium, campaign), group in groups.items():
            group.write(
                {
                    "source_id": source.id,
                    "medium_id": medium.id,
                    "campaign_id": campaign.id,
                }
            )

    def _care_utm_medium(self, channel):
        """UTM medium of a channel: Odoo's "Email", or "SMS" (created if none)."""
        if channel == "email":
            return self.env["utm.medium"]._fetch_or_create_utm_medium("email")
        return self._find_or_create_record("utm.medium", "SMS")

    # ------------------------------------------------------------------
    # Predictive carts: draft quotations the weekly run prepares
    # ------------------------------------------------------------------

    def init(self):
        result = super().init()
        # One open predictive cart per customer: two weekly runs (or a run
        # and a "run now") cannot both cart the same customer.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS sale_order_care_open_cart_unique
                ON sale_order (partner_id, company_id)
             WHERE care_predictive AND care_cart_state = 'open'
            """
        )
        return result

    @api.depends("order_line.care_out_of_stock")
    def _compute_care_cart_short_count(self):
        for order in self:
            order.care_cart_short_count = len(
                order.order_line.filtered("care_out_of_stock")
            )

    # ------------------------------------------------------------------
    # CRUD and Odoo's own actions
    # ------------------------------------------------------------------

    def _action_cancel(self):
        carts = self._care_open_carts()
        confirmed = self.filtered(lambda order: order.state == "sale")
        result = super()._action_cancel()
        # cancelled in the back office: the customer still needs the products
        carts._care_cart_close("declined", weeks=1)
        # An order that did not happen schedules nothing. sudo: whoever may
        # cancel the order may drop the reminders it made.
        self.env["service.care.reminder"].sudo().search(
            [
                ("order_id", "in", confirmed.ids),
                ("state", "in", ("scheduled", "postponed")),
            ]
        )._care_set_state("dropped")
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_care_release_cart_reminders(self):
        """A predictive cart deleted in the back office gives back its reminders."""
        self._care_open_carts()._care_cart_close("declined", weeks=1)
        # The reminders outlive the cart: unlink them from it first.
        self.care_cart_reminder_ids.write({"cart_id": False, "cart_line_id": False})
        self.env["service.care.reminder"].flush_model()

    def action_view_care_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_care.service_care_reminder_action"
        )
        action["domain"] = [("cart_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Making carts (the weekly run)
    # ------------------------------------------------------------------

    def _care_open_carts(self):
        return self.filtered(
            lambda o: o.care_predictive and o.care_cart_state == "open"
        )

    @api.model
    def _care_create_carts(self, company, carts, run_day):
        """One draft quotation per ``tools.replenishment.Cart``, then the emails.

        Prices come from each customer's pricelist (Odoo's own computation);
        lines the free stock cannot cover are flagged. The reminders go
        ``in_cart`` in one query, and the carts enter the replenishment
        scenario, which sends the email.
        """
        if not carts:
            return self.browse()
        Reminder = self.env["service.care.reminder"]
        reminders = Reminder.browse(
            [rid for cart in carts for rid in cart.reminder_ids]
        )
        last_user = {}
        for reminder in reminders.sorted(lambda r: (r.order_date, r.id)):
            if reminder.user_id:
                last_user[reminder.partner_id.id] = reminder.user_id.id
        partners = self.env["res.partner"].browse([cart.partner_id for cart in carts])
        products = self.env["product.product"].browse(
            {line.product_id for cart in carts for line in cart.lines}
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        free = {
            product.id: product.free_qty
            for product in products.with_context(warehouse_id=warehouse.id)
        }
        storable = {product.id: product.is_storable for product in products}
        now = fields.Datetime.now()
        expires = expiry(now, company.care_cart_days)
        # No "quotation created" note nor the creating user as follower on
        # each of thousands of carts; the customer is no follower either
        # (the portal reaches carts by signed link or ownership).
        Order = self.with_company(company).with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        # The terms and conditions note depends on the company and the
        # customer's language only: Odoo computes it once per language.
        notes = {}
        for partner in partners:
            if partner.lang not in notes:
                notes[partner.lang] = Order.new(
                    {"partner_id": partner.id, "company_id": company.id}
                ).note
        orders = Order.create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "user_id": (
                        partner.user_id.id
                        or partner.commercial_partner_id.user_id.id
                        or last_user.get(partner.id, False)
                    ),
                    "warehouse_id": warehouse.id,
                    "origin": self.env._("Replenishment"),
                    "require_signature": False,
                    "require_payment": False,
                    "care_predictive": True,
                    "care_cart_state": "open",
                    "care_cart_date": run_day,
                    "care_cart_expires_at": expires,
                    "note": notes[partner.lang],
                }
                for partner in partners
            ]
        )
        line_vals = [
            [
                {
                    "order_id": order.id,
                    "product_id": line.product_id,
                    "product_uom_qty": line.quantity,
                    "care_out_of_stock": storable[line.product_id]
                    and is_short(free[line.product_id], line.quantity),
                }
                for line in cart.lines
            ]
            for order, cart in zip(orders, carts, strict=True)
        ]
        order_lines = self._care_create_lines(company, orders, line_vals)
        rows = []
        for cart, lines in zip(carts, order_lines, strict=True):
            for order_line, line in zip(lines, cart.lines, strict=True):
                rows.extend(
                    (reminder_id, order_line.order_id.id, order_line.id)
                    for reminder_id in line.reminder_ids
                )
        reminders._care_mark_in_cart(rows, run_day)
        self._care_enroll_carts(orders)
        return orders

    @api.model
    def _care_line_case_fields(self):
        """Which line fields one case fixes, and which come from each order.

        :return: ``(carried, from_order)``: the stored fields Odoo computes
            from the case alone (see ``tools.replenishment``), and
            ``{line field: order field}`` of the stored related fields that
            differ per order (customer, salesperson)
        """
        Line = self.env["sale.order.line"]
        field_depends = self.env.registry.field_depends
        depends = {
            name: list(field_depends[field])
            for name, field in Line._fields.items()
            if field.compute and name not in GIVEN_LINE_FIELDS
        }
        constant = case_constant_fields(depends, set(), "order_id", CASE_ORDER_PATHS)
        carried = sorted(name for name in constant if Line._fields[name].store)
        from_order = {}
        for name in set(depends) - constant:
            field = Line._fields[name]
            head, _dot, rest = (field.related or "").partition(".")
            if field.store and head == "order_id" and rest and "." not in rest:
                from_order[name] = rest
        return carried, from_order

    @api.model
    def _care_create_lines(self, company, orders, line_vals):
        """Create the cart lines; return them per order, in order.

        Carts repeat the same few products and quantities for many customers
        on a few pricelists, so Odoo's own computation runs once per distinct
        case, on the first line of that case, and the other lines of the case
        get its results for every stored field that the case alone decides
        (name, unit, price, taxes, amounts, invoicing status...), and their
        order's customer and salesperson: nothing is left for Odoo to compute
        on them, no pricelist search or tax computation per line. When that is
        every stored field, they are copied from the first line in SQL
        (``_care_copy_lines``); when a field depends on more (analytic
        distribution models per customer, say), they are created with the
        case's values and Odoo computes that field for every line.
        """
        Line = orders.order_line.with_company(company).with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        carried, from_order = self._care_line_case_fields()
        no_analytic = not self.env["account.analytic.distribution.model"].search_count(
            [("company_id", "in", [company.id, False])], limit=1
        )

        def case(order, vals):
            return (
                order.pricelist_id.id,
                order.fiscal_position_id.id,
                order.currency_id.id,
                order.partner_id.lang,
                vals["product_id"],
                vals["product_uom_qty"],
            )

        firsts, seen = [], set()
        for order, lines in zip(orders, line_vals, strict=True):
            for vals in lines:
                key = case(order, vals)
                if key not in seen:
                    seen.add(key)
                    firsts.append((key, vals))
        created = Line.create([vals for _key, vals in firsts])
        memo = {}
        for (key, _vals), line in zip(firsts, created, strict=True):
            memo[key] = line._convert_to_write({name: line[name] for name in carried})
            if no_analytic:
                memo[key]["analytic_distribution"] = False
        first_ids = {
            id(vals): line for (_key, vals), line in zip(firsts, created, strict=True)
        }
        templates = dict(zip((key for key, _vals in firsts), created, strict=True))
        rest = [
            (order, vals, templates[case(order, vals)])
            for order, lines in zip(orders, line_vals, strict=True)
            for vals in lines
            if id(vals) not in first_ids
        ]
        stored_computed = {
            name
            for name, field in Line._fields.items()
            if field.store and (field.compute or field.related)
        } - set(GIVEN_LINE_FIELDS)
        copied = set(carried) | set(from_order)
        if no_analytic:
            copied.add("analytic_distribution")
        if stored_computed <= copied:
            # nothing to compute per line: copy the rows of the first lines
            made = self._care_copy_lines(Line, orders, rest, from_order)
        else:
            made = {}
        others = [
            (order, vals, tmpl) for order, vals, tmpl in rest if id(vals) not in made
        ]
        created_others = Line.create(
            [
                dict(
                    vals,
                    **{
                        CASE_VALUES_KEY: dict(
                            memo[case(order, vals)],
                            **Line._convert_to_write(
                                {name: order[f] for name, f in from_order.items()}
                            ),
                        )
                    },
                )
                for order, vals, _tmpl in others
            ]
        )
        made.update(
            (id(vals), line)
            for (_order, vals, _tmpl), line in zip(others, created_others, strict=True)
        )
        made.update(first_ids)
        return [Line.concat(*(made[id(vals)] for vals in lines)) for lines in line_vals]

    @api.model
    def _care_copy_lines(self, Line, orders, rest, from_order):
        """Copy the first line of each case into the other carts, in SQL.

        Every stored value of such a line is its case's (see
        ``_care_create_lines``) but its order, its order's customer and
        salesperson, and the stock flag the weekly run sets: the first line's
        row is copied with those, with its many2many rows (taxes...). Then
        Odoo is told the lines exist, so what depends on them (the order's
        amounts) is computed as after a create(). A case whose first line got
        one2many children (custom attribute values) is left to create().

        :param rest: ``(order, create values, first line)`` of the lines to make
        :return: ``{id(create values): line}`` of the lines copied
        """
        one2many = [
            name
            for name, field in Line._fields.items()
            if field.type == "one2many" and name != "care_reminder_ids"
        ]
        templates = {template for _order, _vals, template in rest}
        plain = {t for t in templates if not any(t[name] for name in one2many)}
        rest = [row for row in rest if row[2] in plain]
        # the copies are told apart by order and product: a cart has one line
        # per product (tools.replenishment.group_carts)
        keys = [(order.id, vals["product_id"]) for order, vals, _template in rest]
        if not rest or len(set(keys)) != len(keys):
            return {}
        Line.flush_model()
        own = ["order_id", "care_out_of_stock", *from_order]
        columns = [
            name
            for name, field in Line._fields.items()
            if field.store and field.column_type and name != "id" and name not in own
        ]
        casts = [Line._fields[name].column_type[1] for name in ["id", *own]]

        def row(order, vals, template):
            values = [
                template.id,
                order.id,
                bool(vals.get("care_out_of_stock")),
                # as create() would store them, whatever their type
                *(
                    Line._fields[name].convert_to_column(
                        Line._fields[name].convert_to_write(order[field], Line), Line
                    )
                    for name, field in from_order.items()
                ),
            ]
            return SQL(
                "(%s)",
                SQL(", ").join(
                    SQL(f"%s::{cast}", value)
                    for value, cast in zip(values, casts, strict=True)
                ),
            )

        # one row per order and product: that is what identifies the copies
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO sale_order_line (%(into)s)
            SELECT %(select)s
              FROM (VALUES %(rows)s) AS v(%(names)s)
              JOIN sale_order_line t ON t.id = v.template_id
         RETURNING id, order_id, product_id
                """,
                into=SQL(", ").join(SQL.identifier(name) for name in columns + own),
                select=SQL(", ").join(
                    [SQL.identifier("t", name) for name in columns]
                    + [SQL.identifier("v", name) for name in own]
                ),
                rows=SQL(", ").join(row(*line) for line in rest),
                names=SQL(", ").join(
                    SQL.identifier(name) for name in ["template_id", *own]
                ),
            )
        )
        new_ids = {
            (order, product): line for line, order, product in self.env.cr.fetchall()
        }
        made, pairs = {}, []
        for order, vals, template in rest:
            line_id = new_ids[(order.id, vals["product_id"])]
            made[id(vals)] = Line.browse(line_id)
            pairs.append((template.id, line_id))
        for field in Line._fields.values():
            if field.type == "many2many" and field.store:
                self.env.cr.execute(
                    SQL(
                        """
                    INSERT INTO %(rel)s (%(col1)s, %(col2)s)
                    SELECT m.new_id, r.%(col2)s
                      FROM %(rel)s r
                      JOIN (VALUES %(pairs)s) AS m(template_id, new_id)
                        ON r.%(col1)s = m.template_id
                        """,
                        rel=SQL.identifier(field.relation),
                        col1=SQL.identifier(field.column1),
                        col2=SQL.identifier(field.column2),
                        pairs=SQL(", ").join(SQL("(%s, %s)", *pair) for pair in pairs),
                    )
                )
        copies = Line.browse([line_id for _template, line_id in pairs])
        orders.invalidate_recordset(["order_line"])
        # their own values are final: only what depends on them is recomputed
        with self.env.protecting(list(Line._fields.values()), copies):
            copies.modified(list(Line._fields), create=True)
        return made

    def _care_enroll_carts(self, orders):
        scenario = self.env.ref(
            "service_care.service_care_scenario_replenishment",
            raise_if_not_found=False,
        )
        if scenario and scenario.active:
            # sudo: the weekly run starts the shop's replenishment scenario
            # for the carts it made, whoever started the run.
            scenario.sudo()._enroll(orders)

    @api.model
    def _care_expire_due_carts(self, company):
        """Expire the open carts of ``company`` past their date.

        The replenishment scenario expires its carts itself; this catches
        those it could not (scenario stopped or archived).
        """
        carts = self.search(
            [
                ("company_id", "=", company.id),
                ("care_predictive", "=", True),
                ("care_cart_state", "=", "open"),
                ("care_cart_expires_at", "<=", fields.Datetime.now()),
            ]
        )
        carts._care_cart_expire()
        return carts

    # ------------------------------------------------------------------
    # Signed links
    # ------------------------------------------------------------------

    def get_care_link(self, action="cart", arg=None):
        """Absolute URL of a one-click link for the cart's customer.

        Signed for this cart, its customer, the action (and its argument:
        weeks to postpone, cart line to stop), valid until the cart expires.
        """
        self.ensure_one()
        self.check_access("read")
        if action not in LINK_ACTIONS:
            raise UserError(self.env._("Unknown cart action %(a)s.", a=action))
        path = LINK_PATHS[action].format(arg=arg)
        return (
            f"{self.get_base_url()}/my/care/cart/{self.id}{path}"
            f"?token={self._care_token(action, arg)}"
        )

    def _care_token(self, action, arg=None, expires=None):
        self.ensure_one()
        if expires is None:
            expires = _timestamp(self.care_cart_expires_at or fields.Datetime.now())
        digest = odoo_hmac(
            self.env(su=True),
            "service_care.cart",
            (self.id, self.partner_id.id, action, int(arg or 0), int(expires)),
        )
        return f"{int(expires)}.{digest}"

    def _care_check_token(self, token, action, arg=None):
        """ "ok", "expired", or False for a forged or foreign token.

        A cart link (scope "cart") is good for every action on its cart; an
        action link only for its own action and argument.
        """
        self.ensure_one()
        expires, _dot, digest = (token or "").partition(".")
        if not expires.isdigit() or not digest:
            return False
        scopes = {(action, arg), ("cart", None)}
        if not any(
            consteq(self._care_token(scope, scope_arg, int(expires)), str(token))
            for scope, scope_arg in scopes
        ):
            return False
        if int(expires) < _timestamp(fields.Datetime.now()):
            return "expired"
        return "ok"

    # ------------------------------------------------------------------
    # What the customer does with a cart
    # ------------------------------------------------------------------

    def _care_cart_is_open(self):
        """Whether the customer may still decide: open and not past its date."""
        self.ensure_one()
        return (
            self.care_predictive
            and self.care_cart_state == "open"
            and self.state in ("draft", "sent")
            and (
                not self.care_cart_expires_at
                or self.care_cart_expires_at > fields.Datetime.now()
            )
        )

    def _care_cart_visited(self):
        """The customer opened the cart: what the follow-ups count as a click."""
        self.filtered(
            lambda o: o.care_cart_state == "open" and not o.care_cart_visited_at
        ).care_cart_visited_at = fields.Datetime.now()

    def _care_cart_set_quantities(self, quantities):
        """Apply the customer's quantities: {line id: qty}; 0 removes the line."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: line.id in quantities)
        removed = lines.filtered(lambda line: quantities[line.id] <= 0)
        for line in lines - removed:
            qty = quantities[line.id]
            if qty != line.product_uom_qty:
                line.product_uom_qty = qty
                line.care_out_of_stock = line.product_id.is_storable and is_short(
                    line.product_id.with_context(
                        warehouse_id=self.warehouse_id.id
                    ).free_qty,
                    qty,
                )
        if removed:
            removed.care_reminder_ids._care_set_state("dropped")
            self._care_cart_remove_lines(removed)

    def _care_cart_stop_line(self, line):
        """The customer wants no more reminders of a line's product."""
        self.ensure_one()
        if line.care_reminder_ids:
            line.care_reminder_ids._care_stop()
        else:
            self._care_cart_remove_lines(line)

    def _care_portal_confirm(self):
        """The customer confirms their cart: it becomes a real order."""
        self.ensure_one()
        if not self._care_cart_is_open():
            raise UserError(self.env._("This cart can no longer be confirmed."))
        self.action_confirm()
        self._message_log(
            body=self.env._("Confirmed by the customer from their predictive cart.")
        )

    def _care_cart_remove_lines(self, lines):
        """Take lines out of open carts; a cart left empty is declined."""
        lines = lines.filtered(lambda line: line.order_id.care_cart_state == "open")
        carts = lines.order_id
        lines.unlink()
        carts.filtered(lambda o: not o.order_line)._care_cart_close("declined")

    def _care_cart_confirmed(self):
        """The carts became orders: their reminders are done, new ones follow.

        A customer's confirmation also asks the salesperson to call them.
        """
        carts = self.filtered(lambda o: o.care_cart_state == "open")
        if not carts:
            return
        carts.write(
            {
                "care_cart_state": "confirmed",
                "care_cart_decided_at": fields.Datetime.now(),
            }
        )
        reminders = carts.care_cart_reminder_ids.filtered(
            lambda r: r.state == "in_cart"
        )
        kept = reminders.filtered("cart_line_id")
        kept._care_set_state("confirmed")
        (reminders - kept)._care_set_state("dropped")
        if self.env.user.share:
            carts._care_call_activity()

    def _care_call_activity(self):
        activity_type = self.env.ref("mail.mail_activity_data_call")
        fallback = self.env.ref("base.user_admin", raise_if_not_found=False)
        vals_list = [
            {
                "activity_type_id": activity_type.id,
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": order.id,
                "user_id": (order.user_id or order.partner_id.user_id or fallback).id,
                "summary": self.env._(
                    "Call %(customer)s about their confirmed cart",
                    customer=order.partner_id.name,
                ),
            }
            for order in self
        ]
        # sudo: the customer confirming on the portal may not create
        # activities; the salesperson gets one on their own order.
        self.env["mail.activity"].sudo().create(vals_list)

    def _care_cart_postpone(self, weeks):
        """The customer wants the products later: the cart goes, reminders move."""
        if weeks not in POSTPONE_WEEKS:
            raise UserError(
                self.env._(
                    "A cart can be postponed by %(choices)s weeks.",
                    choices=", ".join(str(w) for w in POSTPONE_WEEKS),
                )
            )
        self._care_cart_close("postponed", weeks=weeks)

    def _care_cart_expire(self):
        """Nobody decided in time: the cart goes, reminders move a week."""
        self._care_cart_close("expired", weeks=1)

    def _care_cart_close(self, state, weeks=None):
        """Close open carts as ``state``; cancel the quotations.

        :param weeks: move the carts' reminders this many weeks; without it,
            they are dropped
        """
        carts = self._care_open_carts()
        if not carts:
            return
        carts.write(
            {
                "care_cart_state": state,
                "care_cart_decided_at": fields.Datetime.now(),
                "care_cart_postponed_weeks": weeks if state == "postponed" else 0,
            }
        )
        reminders = carts.care_cart_reminder_ids.filtered(
            lambda r: r.state == "in_cart"
        )
        if weeks:
            reminders._care_move(weeks)
        else:
            reminders._care_set_state("dropped")
        carts.filtered(lambda o: o.state in ("draft", "sent"))._action_cancel()
