# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A year of orders for the demo shop, so replenishment has a history to learn from.

The plan (who buys what, when) is pure and seeded; the model turns it into
confirmed, delivered sale orders dated in the past.
"""

import logging
import random
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

DEMO_SEED = 2024
HISTORY_DAYS = 365
# a customer who places an order adds what runs out in the next days too
CONSOLIDATION_DAYS = 14
# share of customers who already bought here a year ago; the others came
# later, only those whose most frequent purchase comes at most this often
LOYAL_SHARE = 0.6
RECENT_MAX_INTERVAL = 60
# share of purchases made elsewhere (a gap in the history)
ELSEWHERE_SHARE = 0.1
# share of lines where the customer takes one more than usual
TOP_UP_SHARE = 0.1
# warehouse ships the next day at this hour (UTC)
DISPATCH_HOUR = 9

# What each kind of household buys again and again: a variant's xml id
# without the "product_product_demo_" prefix, its usual interval in days, and
# the usual quantity. "{power}" is the customer's own lens power.
HABITS = {
    "coffee": [
        ("espresso_beans_250g", 24, (1, 2)),
        ("espresso_beans_1kg", 62, (1, 1)),
        ("colombia_beans_250g", 28, (1, 2)),
        ("colombia_beans_1kg", 70, (1, 1)),
        ("espresso_capsules", 35, (1, 2)),
        ("coffee_filters", 95, (1, 2)),
    ],
    "dog": [
        ("dog_food_3kg", 26, (1, 1)),
        ("dog_food_12kg", 80, (1, 1)),
        ("small_dog_food", 36, (1, 2)),
    ],
    "cat": [
        ("cat_food_2kg", 32, (1, 1)),
        ("cat_food_7kg", 95, (1, 1)),
        ("cat_pouches", 30, (2, 3)),
        ("cat_litter_10l", 30, (1, 2)),
        ("cat_litter_20l", 55, (1, 1)),
    ],
    "lenses": [
        ("monthly_lenses_{power}", 90, (2, 2)),
        ("daily_lenses_{power}", 60, (4, 4)),
        ("lens_solution", 45, (1, 2)),
    ],
    "wellness": [
        ("vitamin_d3", 115, (1, 1)),
        ("omega3", 88, (1, 1)),
        ("multivitamin", 58, (1, 1)),
    ],
    "home": [
        ("jug_cartridge_1pc", 30, (1, 1)),
        ("jug_cartridge_3pcs", 88, (1, 1)),
        ("fridge_filter", 175, (1, 1)),
        ("dishwasher_tabs_40pcs", 38, (1, 1)),
        ("dishwasher_tabs_100pcs", 92, (1, 1)),
        ("laundry_caps", 42, (1, 1)),
        ("brush_heads", 90, (1, 1)),
    ],
    "office": [
        ("ink_305_black", 70, (1, 2)),
        ("ink_305_tricolour", 105, (1, 1)),
        ("toner_106a", 140, (1, 1)),
    ],
}
LENS_POWERS = {
    "monthly_lenses": ["m100", "m150", "m200", "m250", "m300", "m400"],
    "daily_lenses": ["m100", "m200", "m300"],
}


def _variant_template(key):
    """Variant key without its value suffix: one habit per product template."""
    for template in (
        "espresso_beans",
        "colombia_beans",
        "dog_food",
        "cat_food",
        "cat_litter",
        "monthly_lenses",
        "daily_lenses",
        "jug_cartridge",
        "dishwasher_tabs",
        "ink_305",
    ):
        if key.startswith(template + "_"):
            return template
    return key


def _pick_habits(rng):
    """One to four habits from one or two kinds of household."""
    kinds = rng.sample(sorted(HABITS), rng.choice((1, 1, 2)))
    habits, templates = [], set()
    for kind in kinds:
        for pattern, interval, qty in rng.sample(HABITS[kind], rng.choice((1, 2))):
            key = pattern
            if "{power}" in pattern:
                template = pattern.split("_{")[0]
                key = pattern.format(power=rng.choice(LENS_POWERS[template]))
            template = _variant_template(key)
            if template in templates:
                continue
            templates.add(template)
            habits.append((key, interval, rng.randint(*qty)))
    # the most frequent habit leads: it makes the repeat purchases
    habits.sort(key=lambda habit: habit[1])
    return habits


def plan_order_history(customer_keys, seed=DEMO_SEED, days=HISTORY_DAYS):
    """Plan a year of orders.

    Every customer has a few habits (a variant, an interval, a quantity) and
    buys each again when it runs out, give or take, adding to the order what
    runs out in the next days; now and then a purchase happens elsewhere.

    :param customer_keys: sorted, hashable customer identifiers
    :return: list of ``(customer_key, day, hour, minute, [(variant key, qty)])``
        where ``day`` counts from the start of the history (0) to ``days - 1``
        and hour/minute are the customer's local time
    """
    rng = random.Random(seed)
    orders = []
    for customer in customer_keys:
        habits = _pick_habits(rng)
        joined = 0
        # some customers found the shop during the year, if they buy often
        if habits[0][1] <= RECENT_MAX_INTERVAL and rng.random() > LOYAL_SHARE:
            joined = rng.randint(20, 150)
        pace = rng.uniform(1.0, 1.25)
        next_due = {}
        for index, (key, interval, _qty) in enumerate(habits):
            first = rng.randint(0, min(interval, 45) - 1)
            # the leading habit starts early so it repeats within the year
            next_due[key] = joined + (first // 2 if index == 0 else first)
        quantities = {key: qty for key, _interval, qty in habits}
        intervals = {key: interval * pace for key, interval, _qty in habits}
        bought = set()
        while True:
            day = min(next_due.values())
            if day >= days:
                break
            lines = []
            for key, _interval, _qty in habits:
                if next_due[key] > day + CONSOLIDATION_DAYS:
                    continue
                next_due[key] = day + max(
                    7, round(intervals[key] * rng.uniform(0.85, 1.15))
                )
                if key in bought and rng.random() < ELSEWHERE_SHARE:
                    continue
                bought.add(key)
                qty = quantities[key] + (1 if rng.random() < TOP_UP_SHARE else 0)
                lines.append((key, qty))
            if lines:
                hour = rng.choice((8, 9, 11, 12, 13, 17, 19, 20, 21, 21, 22))
                orders.append((customer, day, hour, rng.randint(0, 59), lines))
    return orders


# Who said yes to marketing, and where: most customers at the shop's checkout,
# some in the shop's previous system (imported); a few were never asked.
CONSENT_NEVER_SHARE = 0.15
CONSENT_IMPORT_SHARE = 0.3
CONSENT_SMS_SHARE = 0.7
CONSENT_WORDING = {
    # the checkout boxes' default text
    ("checkout", "email"): "Email me reminders and offers",
    ("checkout", "sms"): "Text me (SMS)",
    ("import", "email"): "Newsletter: yes (imported from the previous shop).",
    ("import", "sms"): "SMS offers: yes (imported from the previous shop).",
    ("sms", "sms"): "STOP",
}


def plan_consents(customer_keys, seed=DEMO_SEED):
    """Plan the demo customers' consents, one customer texting STOP later.

    :param customer_keys: sorted, hashable customer identifiers
    :return: list of ``(customer_key, channel, granted, source, days_ago)``
    """
    rng = random.Random(seed + 1)
    plan = []
    for customer in customer_keys:
        roll = rng.random()
        if roll < CONSENT_NEVER_SHARE:
            continue
        source = "import" if roll > 1 - CONSENT_IMPORT_SHARE else "checkout"
        days_ago = rng.randint(30, HISTORY_DAYS)
        plan.append((customer, "email", True, source, days_ago))
        if rng.random() < CONSENT_SMS_SHARE:
            plan.append((customer, "sms", True, source, days_ago))
    texted = [row[0] for row in plan if row[1] == "sms"]
    if texted:
        plan.append((rng.choice(texted), "sms", False, "sms", rng.randint(1, 20)))
    return plan


# Customers waiting for each sold-out variant, and how they asked.
WAITLIST_PER_VARIANT = (2, 5)
WAITLIST_SOURCES = ("shop", "shop", "portal", "backoffice")
WAITLIST_MAX_DAYS = 40


def plan_waitlists(customer_keys, variant_keys, seed=DEMO_SEED):
    """Plan who waits for the sold-out variants, since when.

    :param customer_keys: sorted customer identifiers
    :param variant_keys: sorted identifiers of the sold-out variants
    :return: list of ``(customer_key, variant_key, source, days_ago)``
    """
    rng = random.Random(seed + 2)
    plan = []
    for variant in variant_keys:
        count = min(rng.randint(*WAITLIST_PER_VARIANT), len(customer_keys))
        for customer in sorted(rng.sample(list(customer_keys), count)):
            plan.append(
                (
                    customer,
                    variant,
                    rng.choice(WAITLIST_SOURCES),
                    rng.randint(1, WAITLIST_MAX_DAYS),
                )
            )
    return plan


class ServiceCareDemo(models.AbstractModel):
    _name = "service.care.demo"
    _description = "Service Care demo data"

    @api.model
    def _generate_order_history(self):
        """Create a year of confirmed, delivered orders for the demo customers.

        Called once from ``demo/sale_order_demo.xml``. Stock on hand after the
        history is what ``demo/product_demo.xml`` declares: the history is
        received first, dated before the first order, then delivered.
        """
        if self.env.ref("service_care.sale_order_demo_1", raise_if_not_found=False):
            return
        # The history is past: it starts no scenario (no message about a
        # year-old order); features still learn from it.
        self.with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            service_care_no_trigger=True,
        )._create_order_history()

    @api.model
    def _create_demo_consents(self):
        """Log the planned consents, dated in the past; once.

        Called from ``demo/sale_order_demo.xml``, after the order history:
        without consents, every marketing message of the demo shop would be
        skipped. A box ticked at checkout is on the customer's first order,
        and dated with it.
        """
        partners = self._demo_partners()
        Consent = self.env["service.care.consent"]
        if Consent.search_count(
            [("partner_id", "in", [p.id for p in partners.values()])]
        ):
            return
        now = fields.Datetime.now()
        plan = plan_consents(sorted(partners))
        first_orders = {}
        for order in self.env["sale.order"].search(
            [
                ("partner_id", "in", [p.id for p in partners.values()]),
                ("state", "=", "sale"),
            ],
            order="date_order desc, id desc",
        ):
            first_orders[order.partner_id] = order
        vals_list = []
        for key, channel, granted, source, days_ago in plan:
            partner = partners[key]
            order = source == "checkout" and first_orders.get(partner)
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "granted": granted,
                    "source": source,
                    "wording": CONSENT_WORDING[(source, channel)],
                    "date": order.date_order
                    if order
                    else now - timedelta(days=days_ago),
                    "order_id": order and order.id,
                }
            )
        Consent.create(vals_list)
        # A STOP puts the number on Odoo's blacklist too, as the gateway does.
        stopped = [partners[key] for key, _c, _g, source, _d in plan if source == "sms"]
        for partner in stopped:
            # sudo: demo data loads as the superuser anyway; the blacklist is
            # reserved to system users.
            self.env["phone.blacklist"].sudo()._add([partner.mobile])

    @api.model
    def _create_demo_waitlists(self):
        """Customers waiting for the sold-out variants, as in a live shop;
        once. Called from ``demo/sale_order_demo.xml``, after the history
        (which decides what is sold out)."""
        Waitlist = self.env["service.care.waitlist"]
        if Waitlist.search_count([], limit=1):
            return
        partners = self._demo_partners()
        website = self.env["website"].get_current_website()
        sold_out = (
            self.env["product.product"]
            .search(
                [
                    ("product_tmpl_id.is_published", "=", True),
                    ("is_storable", "=", True),
                    ("allow_out_of_stock_order", "=", False),
                ],
                order="id",
            )
            .filtered(lambda variant: variant._is_sold_out())
        )
        variants = {variant.id: variant for variant in sold_out}
        now = fields.Datetime.now()
        Waitlist.create(
            [
                {
                    "partner_id": partners[key].id,
                    "product_id": variant_id,
                    "website_id": website.id,
                    "source": source,
                    # the longest waiting are told first
                    "subscribed_at": now - timedelta(days=days),
                }
                for key, variant_id, source, days in plan_waitlists(
                    sorted(partners), sorted(variants)
                )
            ]
        )

    @api.model
    def _create_order_history(self):
        partners = self._demo_partners()
        plan = plan_order_history(sorted(partners))
        products = self._demo_variants(
            {key for *_head, lines in plan for key, _qty in lines}
        )
        now = fields.Datetime.now().replace(microsecond=0)
        start = datetime.combine(
            now.date() - timedelta(days=HISTORY_DAYS), time(DISPATCH_HOUR)
        )
        warehouse = self.env.ref("stock.warehouse0")
        website = self.env.ref("website.default_website", raise_if_not_found=False)
        admin = self.env.ref("base.user_admin")

        order_vals, order_dates = [], []
        demand = defaultdict(float)
        for customer, day, hour, minute, lines in plan:
            partner = partners[customer]
            local = datetime.combine(
                start.date() + timedelta(days=day), time(hour, minute)
            )
            tz = pytz.timezone(partner.tz or "UTC")
            date_order = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
            date_order = min(date_order, now - timedelta(hours=1))
            order_lines = []
            for key, qty in lines:
                product = products.get(key)
                if product:
                    order_lines.append(
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                    )
                    demand[product] += qty
            if not order_lines:
                continue
            order_vals.append(
                {
                    "partner_id": partner.id,
                    "user_id": admin.id,
                    "website_id": website.id if website else False,
                    "warehouse_id": warehouse.id,
                    "order_line": order_lines,
                }
            )
            order_dates.append(date_order)
        self._receive_demo_stock(demand, warehouse, start - timedelta(days=1))

        orders = self.env["sale.order"].create(order_vals)
        orders.action_confirm()
        by_dispatch = defaultdict(lambda: self.env["sale.order"])
        for order, date_order in zip(orders, order_dates, strict=True):
            # action_confirm() dates the order now: give it back its own date
            order.date_order = date_order
            dispatch = datetime.combine(
                date_order.date() + timedelta(days=1), time(DISPATCH_HOUR)
            )
            by_dispatch[min(dispatch, now)] |= order
        for dispatch, day_orders in by_dispatch.items():
            day_orders.picking_ids.scheduled_date = dispatch
        pickings = orders.picking_ids
        pickings.with_context(skip_sms=True, skip_backorder=True).button_validate()
        if any(picking.state != "done" for picking in pickings):
            raise UserError(
                self.env._("Demo history: some deliveries could not be validated.")
            )
        for dispatch, day_orders in by_dispatch.items():
            day_pickings = day_orders.picking_ids
            day_pickings.date_done = dispatch
            day_pickings.move_ids.date = dispatch
            day_pickings.move_line_ids.date = dispatch

        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"service_care.sale_order_demo_{index}",
                    "record": order,
                    "noupdate": True,
                }
                for index, order in enumerate(
                    orders.sorted(lambda order: (order.date_order, order.id)),
                    start=1,
                )
            ]
        )
        _logger.info(
            "Service Care demo: %s orders, %s order lines, %s deliveries",
            len(orders),
            len(orders.order_line),
            len(pickings),
        )

    @api.model
    def _demo_partners(self):
        """The demo customers by their number in ``res_partner_demo_<n>``."""
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "service_care"),
                ("model", "=", "res.partner"),
                ("name", "=like", "res_partner_demo_%"),
            ]
        )
        return {
            int(suffix): self.env["res.partner"].browse(item.res_id)
            for item in data
            if (suffix := item.name.removeprefix("res_partner_demo_")).isdigit()
        }

    @api.model
    def _demo_variants(self, keys):
        """Map variant keys to the records loaded by ``demo/product_demo.xml``."""
        variants = {}
        for key in sorted(keys):
            product = self.env.ref(
                f"service_care.product_product_demo_{key}", raise_if_not_found=False
            )
            if product:
                variants[key] = product
            else:
                _logger.warning("Service Care demo: no variant %s", key)
        return variants

    @api.model
    def _receive_demo_stock(self, demand, warehouse, date):
        """Receive what the history will deliver, dated before the first order.

        The inventory moves of the demo products (those of the demo file
        included) are dated then too, so the stock history reads forward.
        """
        location = warehouse.lot_stock_id
        products = self.env["product.product"].concat(*demand)
        on_hand = {
            product: product.qty_available
            for product in products.with_context(location=location.id)
        }
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": product.id,
                        "location_id": location.id,
                        "inventory_quantity": on_hand[product] + qty,
                    }
                    for product, qty in demand.items()
                ]
            )
        )
        quants.action_apply_inventory()
        demo_products = self.env["product.product"].browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "service_care"),
                    ("model", "=", "product.product"),
                    ("name", "=like", "product_product_demo_%"),
                ]
            )
            .mapped("res_id")
        )
        moves = self.env["stock.move"].search(
            [
                ("product_id", "in", demo_products.ids),
                ("is_inventory", "=", True),
                ("state", "=", "done"),
            ]
        )
        moves.date = date
        moves.move_line_ids.date = date
        # in_date is not an inventory field: plain write, as the superuser
        quants.with_context(inventory_mode=False).in_date = date
