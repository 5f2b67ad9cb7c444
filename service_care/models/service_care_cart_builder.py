# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The weekly run's cart builder: thousands of predictive carts at once.

``_care_create_carts`` turns the ``tools.replenishment.Cart`` of a batch of
customers into draft quotations, one per customer, priced by Odoo as a
salesperson's quotation would be. Carts repeat the same few products and
quantities for many customers on a few pricelists, so Odoo computes one line
per *case* (product, quantity, pricelist, fiscal position, currency,
language) through ``create()``; the other lines of the case get its values
(``_care_create_lines``), copied in SQL when the case decides every stored
value of a line (``_care_copy_lines``). ``test_replenishment_carts`` compares
every stored value with a quotation Odoo builds on its own.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.replenishment import case_constant_fields, expiry, is_short
from .sale_order_line import CASE_VALUES_KEY

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


class ServiceCareCartBuilder(models.AbstractModel):
    _name = "service.care.cart.builder"
    _description = "Service Care Predictive Cart Builder"

    @api.model
    def _care_create_carts(self, company, carts, run_day):
        """One draft quotation per ``tools.replenishment.Cart``, then the emails.

        Prices come from each customer's pricelist (Odoo's own computation);
        lines the free stock cannot cover are flagged. The reminders go
        ``in_cart`` in one query, and the carts enter the replenishment
        scenario, which sends the email.
        """
        if not carts:
            return self.env["sale.order"]
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
        Order = (
            self.env["sale.order"]
            .with_company(company)
            .with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                tracking_disable=True,
            )
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
        casts = [Line._fields[name].column_type[0] for name in ["id", *own]]

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
                    SQL("%s::%s", value, SQL.identifier(cast))
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
