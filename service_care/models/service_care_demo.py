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
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import demo_history

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
    def _create_demo_history(self):
        """A year of messages with what became of them, planned from the
        order history (``tools/demo_history.py``); once.

        Called from ``demo/sale_order_demo.xml`` after the consents: the
        dashboard, the results and the customers' chatter then look like a
        shop that has used the addon for a year. The SMS went through two
        gateways, archived so that the demo never sends through them.
        """
        if self.env.ref(
            "service_care.service_care_sms_gateway_demo_jasmin",
            raise_if_not_found=False,
        ):
            return
        now = fields.Datetime.now().replace(microsecond=0)
        partners = self._demo_partners()
        orders = self.env["sale.order"].search(
            [
                ("partner_id", "in", [p.id for p in partners.values()]),
                ("state", "=", "sale"),
            ],
            order="date_order, id",
        )
        by_partner = orders.grouped("partner_id")
        mobiles = (
            self.env["res.partner"]
            .concat(*partners.values())
            ._care_contact_status("sms")
        )
        customers = [
            demo_history.Customer(
                key,
                partner.care_email_consent,
                partner.care_sms_consent,
                mobiles[partner.id].ok,
                [
                    (order.id, order.date_order)
                    for order in by_partner.get(partner, orders.browse())
                ],
            )
            for key, partner in sorted(partners.items())
        ]
        variants = sorted(
            self._demo_variants(
                {
                    key
                    for habits in HABITS.values()
                    for key, *_rest in habits
                    if "{" not in key
                }
            ).values(),
            key=lambda variant: variant.id,
        )
        release = self._demo_release(partners, orders, now)
        birthdays = self._demo_birthdays(partners, now)
        plan = demo_history.plan_message_history(
            customers,
            [variant.id for variant in variants],
            now,
            releases=[release] if release else (),
            birthdays=birthdays,
            cancelled=self._demo_cancelled_orders(partners, by_partner, now),
        )
        # The history is past: it starts no scenario and tracks nothing.
        demo = self.with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            service_care_no_trigger=True,
        )
        # this week's digest, if the history sent it, is not sent again
        digests = [m.sent_at for m in plan if m.flow == "digest"]
        if digests and max(digests) > now - timedelta(days=7):
            self.env.ref("website.default_website").care_digest_week = max(
                digests
            ).date()
        gateways = demo._create_demo_gateways()
        carts = demo._create_demo_carts(plan, orders.with_env(demo.env))
        carts.update(demo._create_demo_left_carts(plan, partners, by_partner))
        demo._create_demo_messages(plan, partners, carts, gateways, now)

    @api.model
    def _prepare_demo_week(self):
        """Today's state of a live shop: this week's predictive carts wait
        for the customers, their scenario runs under way. Called from
        ``demo/replenishment_demo.xml``, last: it is the weekly run a manager
        starts with "Run now", inside the install's transaction."""
        self.env["service.care.reminder"].with_context(
            service_care_one_transaction=True
        )._cron_weekly_carts(force=True)
        self._create_demo_cart_left_today()

    @api.model
    def _create_demo_cart_left_today(self):
        """A customer left a cart on the website twenty minutes ago: the
        running server's cron reminds them of it, in the send window. Once:
        an update of the module leaves it be."""
        xmlid = "service_care.sale_order_demo_cart_left"
        if self.env.ref(xmlid, raise_if_not_found=False):
            return
        partners = self._demo_partners()
        partner = next(
            partners[key]
            for key in sorted(partners)
            if partners[key].care_email_consent
        )
        changed = fields.Datetime.now() - timedelta(minutes=20)
        product = self.env.ref(
            "service_care.product_template_demo_coffee_filters"
        ).product_variant_id
        cart = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "website_id": self.env.ref("website.default_website").id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 2})
                ],
            }
        )
        cart.care_cart_changed_at = changed
        cart._care_cart_wake()
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xmlid, "record": cart, "noupdate": True}]
        )

    @api.model
    def _demo_birthdays(self, partners, now):
        """Most customers told their birthday; those whose day passed this
        year were greeted already."""
        birthdays = demo_history.plan_birthdays(sorted(partners), now.date())
        for key, (day, month) in birthdays.items():
            passed = (month, day) < (now.month, now.day)
            partners[key].write(
                {
                    "care_birth_day": day,
                    "care_birth_month": str(month),
                    "care_birthday_greeted_year": now.year if passed else 0,
                }
            )
        return birthdays

    @api.model
    def _demo_release(self, partners, orders, now):
        """Two months ago the Colombian beans came out, following the
        espresso beans and capsules: ``(product id, when, buyer keys)``."""
        ref = self.env.ref
        new = ref(
            "service_care.product_template_demo_colombia_beans",
            raise_if_not_found=False,
        )
        old = self.env["product.template"].concat(
            *(
                ref(f"service_care.product_template_demo_{name}", False)
                or self.env["product.template"]
                for name in ("espresso_beans", "espresso_capsules")
            )
        )
        if not (new and old):
            return None
        when = (now - timedelta(days=60)).replace(hour=9, minute=0, second=0)
        keys = {partner: key for key, partner in partners.items()}
        buyers = {
            keys[line.order_id.partner_id]
            for line in orders.order_line
            if line.product_id.product_tmpl_id in old
            and when - timedelta(days=365) <= line.order_id.date_order < when
        }
        new.write({"care_follows_ids": [Command.set(old.ids)]})
        new.care_release_announced_at = when
        return new.id, when, sorted(buyers)

    @api.model
    def _create_demo_gateways(self):
        """{half of the year: gateway}: the shop moved from a Jasmin to a
        Kannel gateway half-way; ``make run`` sets the Kannel one up for real
        (same name)."""
        Gateway = self.env["service.care.sms.gateway"].with_context(active_test=False)
        company = self.env.ref("base.main_company")
        jasmin = Gateway.create(
            {
                "name": "Jasmin (previous provider)",
                "active": False,
                "company_id": company.id,
                "provider": "jasmin",
                "url": "http://127.0.0.1:1401/send",
                "price_per_segment": 0.045,
            }
        )
        # a demo database that ``make run`` served has its Kannel already
        kannel = Gateway.search(
            [("name", "=", "Local Kannel"), ("company_id", "=", company.id)], limit=1
        ) or Gateway.create(
            {
                "name": "Local Kannel",
                "active": False,
                "company_id": company.id,
                "provider": "kannel",
                "url": "http://127.0.0.1:13013/cgi-bin/sendsms",
                "sender": "ServiceCare",
                "price_per_segment": 0.04,
            }
        )
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": "service_care.service_care_sms_gateway_demo_jasmin",
                    "record": jasmin,
                    "noupdate": True,
                },
                {
                    "xml_id": "service_care.service_care_sms_gateway_demo_kannel",
                    "record": kannel,
                    "noupdate": True,
                },
            ]
        )
        return {"first": jasmin, "second": kannel}

    @api.model
    def _create_demo_carts(self, plan, orders):
        """The predictive carts of the plan: {(customer, sent at): cart}.

        A confirmed cart is the order it became; the others were cancelled
        quotations with the lines of the customer's previous order.
        """
        carts = {}
        quotations = []
        for message in plan:
            if not message.cart:
                continue
            state, order_id = message.cart
            at = message.sent_at
            visited = at + timedelta(hours=3)
            values = {
                "care_predictive": True,
                "care_cart_state": state,
                "care_cart_date": at.date(),
                "care_cart_expires_at": at + timedelta(days=3),
                "care_cart_visited_at": visited
                if state != "expired" or message.clicked_at
                else False,
                "care_cart_decided_at": at + timedelta(days=3)
                if state == "expired"
                else visited,
                "care_cart_postponed_weeks": 2 if state == "postponed" else 0,
            }
            if order_id:
                order = orders.browse(order_id)
                order.write(values)
                carts[message.customer, at] = order
                continue
            previous = orders.browse(message.order)
            quotations.append(
                (
                    (message.customer, at),
                    {
                        **values,
                        "partner_id": previous.partner_id.id,
                        "website_id": previous.website_id.id,
                        "warehouse_id": previous.warehouse_id.id,
                        "user_id": previous.user_id.id,
                        "date_order": at,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": line.product_id.id,
                                    "product_uom_qty": line.product_uom_qty,
                                }
                            )
                            for line in previous.order_line
                        ],
                    },
                )
            )
        created = self.env["sale.order"].create([vals for _key, vals in quotations])
        created._action_cancel()
        for (key, _vals), cart in zip(quotations, created, strict=True):
            carts[key] = cart
        return carts

    @api.model
    def _create_demo_left_carts(self, plan, partners, orders_by_partner):
        """The website carts customers left for good, each reminded of once:
        {(customer, sent at): cart}, with the lines of the customer's order
        before."""
        left = [message for message in plan if message.stage == "left"]
        vals_list = []
        for message in left:
            partner = partners[message.customer]
            orders = orders_by_partner[partner]
            before = orders.filtered(lambda o, m=message: o.date_order < m.sent_at)
            model = (before or orders)[-1]
            changed = message.sent_at - timedelta(minutes=15)
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "website_id": model.website_id.id,
                    "warehouse_id": model.warehouse_id.id,
                    "date_order": changed,
                    "care_cart_changed_at": changed,
                    "care_cart_reminded_at": message.sent_at,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.product_uom_qty,
                            }
                        )
                        for line in model.order_line
                    ],
                }
            )
        carts = self.env["sale.order"].create(vals_list)
        for cart in carts:
            cart.care_cart_reminded_content = cart._care_cart_content()
        return {
            (message.customer, message.sent_at): cart
            for message, cart in zip(left, carts, strict=True)
        }

    @api.model
    def _demo_cancelled_orders(self, partners, orders_by_partner, now):
        """Two customers ordered again and cancelled: ``(customer key, order
        id, when)`` for the history's "cancelled" texts."""
        cancelled = []
        for key, days in zip(sorted(partners)[1:3], (34, 75), strict=True):
            partner = partners[key]
            if partner not in orders_by_partner:
                continue
            previous = orders_by_partner[partner][-1]
            when = now - timedelta(days=days)
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "website_id": previous.website_id.id,
                    "warehouse_id": previous.warehouse_id.id,
                    "date_order": when,
                    "state": "cancel",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.product_uom_qty,
                            }
                        )
                        for line in previous.order_line
                    ],
                }
            )
            cancelled.append((key, order.id, when))
        return cancelled

    @api.model
    def _create_demo_messages(self, plan, partners, carts, gateways, now):
        """Log the planned messages with their outcomes, and their chatter."""
        ref = self.env.ref
        steps = {
            key: ref(f"service_care.service_care_scenario_{step}")
            for key, step in {
                ("replenishment", "email", None): "replenishment_step_email",
                ("replenishment", "sms", None): "replenishment_step_sms",
                ("repeat_order", "email", None): "repeat_order_step_email",
                ("back_in_stock", "email", None): "waitlist_step_email",
                ("back_in_stock", "sms", None): "waitlist_step_sms",
                ("out_of_stock_again", "email", None): "waitlist_step_out_again",
                ("order", "sms", "confirmed"): "order_confirmed_step_sms",
                ("order", "email", "shipped"): "order_shipped_step_email",
                ("order", "sms", "shipped"): "order_shipped_step_sms",
                ("order", "email", "delivered"): "order_delivered_step_email",
                ("order", "sms", "delivered"): "order_delivered_step_sms",
                ("order", "sms", "cancelled"): "order_cancelled_step_sms",
                ("abandoned_cart", "email", None): "abandoned_cart_step_email",
                ("abandoned_cart", "email", "left"): "abandoned_cart_step_email",
                ("post_purchase", "email", None): "post_purchase_step_email",
                ("new_release", "email", None): "new_release_step_email",
                ("birthday", "email", None): "birthday_step_email",
                ("digest", "email", None): "digest_step_email",
            }.items()
        }
        orders = self.env["sale.order"]
        products = self.env["product.product"]
        note = ref("mail.mt_note")
        author = ref("base.main_company").partner_id
        half_year = now - timedelta(days=182)
        vals_list, chatter_list = [], []
        for message in plan:
            partner = partners[message.customer]
            step = steps[message.flow, message.channel, message.stage]
            if message.cart or message.stage == "left":
                document = carts[message.customer, message.sent_at]
            elif message.release:
                document = self.env["product.template"].browse(message.release)
            elif message.flow in ("birthday", "digest"):
                document = partner
            elif message.order:
                document = orders.browse(message.order)
            else:
                document = partner
            text = self._demo_text(message, document, products)
            vals = self._demo_message_vals(message, half_year, gateways)
            vals.update(
                partner_id=partner.id,
                scenario_step_id=step.id,
                scenario_id=step.scenario_id.id,
                res_model=document._name,
                res_id=document.id,
                subject=text if message.channel == "email" else False,
                mail_template_id=step.mail_template_id.id,
                sms_template_id=step.sms_template_id.id,
            )
            if message.converted_order:
                order = orders.browse(message.converted_order)
                vals.update(
                    order_id=order.id,
                    attribution="direct" if message.clicked_at else "assisted",
                    amount=order.amount_untaxed,
                    converted_at=order.date_order,
                )
            vals_list.append(vals)
            chatter_list.append(
                message.state != "skipped"
                and {
                    "model": document._name,
                    "res_id": document.id,
                    "date": message.sent_at,
                    "author_id": author.id,
                    "subtype_id": note.id,
                    "message_type": "email_outgoing"
                    if message.channel == "email"
                    else "sms",
                    "subject": text if message.channel == "email" else False,
                    "body": Markup("<p>%s</p>") % text,
                }
            )
        messages = self.env["service.care.message"].create(vals_list)
        # sudo: chatter messages are written as the system, like the pipeline.
        chatter = (
            self.env["mail.message"]
            .sudo()
            .create([vals for vals in chatter_list if vals])
        )
        self._create_demo_runs(messages)
        messages.filtered(lambda m: m.state != "skipped")._link(
            [
                (message, {"mail_message_id": posted.id})
                for message, posted in zip(
                    messages.filtered(lambda m: m.state != "skipped"),
                    chatter,
                    strict=True,
                )
            ]
        )
        # A year of messages was logged over the year: the hourly SMS limits
        # count the messages logged in the last hour.
        self.env.cr.execute(
            SQL(
                "UPDATE service_care_message SET create_date = scheduled_at,"
                " write_date = scheduled_at WHERE id = ANY(%s)",
                messages.ids,
            )
        )
        messages.invalidate_recordset(["create_date", "write_date"])
        _logger.info("Service Care demo: %s messages of history", len(messages))

    @api.model
    def _create_demo_runs(self, messages):
        """The finished scenario run behind each document's messages, so each
        scenario shows its runs as well as its messages."""
        groups = messages.grouped(
            lambda m: (m.scenario_id, m.partner_id, m.res_model, m.res_id)
        )
        keys = list(groups)
        runs = self.env["service.care.scenario.run"].create(
            [
                {
                    "key": f"demo:{scenario.id}:{partner.id}:{model},{res_id}",
                    "scenario_id": scenario.id,
                    "partner_id": partner.id,
                    "company_id": group[0].company_id.id,
                    "res_model": model,
                    "res_id": res_id,
                    "step_id": group.sorted("scheduled_at")[-1].scenario_step_id.id,
                    "state": "done",
                    "started_at": min(group.mapped("scheduled_at")),
                    "next_at": max(group.mapped("scheduled_at")),
                    "ended_at": max(group.mapped("scheduled_at")),
                }
                for (scenario, partner, model, res_id), group in groups.items()
            ]
        )
        messages._link(
            [
                (message, {"run_id": run.id})
                for key, run in zip(keys, runs, strict=True)
                for message in groups[key]
            ]
        )

    @api.model
    def _demo_message_vals(self, message, half_year, gateways):
        """The log values of a planned message: state and timestamps."""
        at = message.sent_at
        vals = {
            "company_id": self.env.ref("base.main_company").id,
            "channel": message.channel,
            "kind": message.kind,
            "state": message.state,
            "scheduled_at": at,
        }
        if message.state == "skipped":
            channel = {"email": self.env._("Email"), "sms": self.env._("SMS")}
            vals.update(
                skipped_at=at,
                reason_code=message.reason_code,
                reason=self.env._(
                    "The customer has not given consent to marketing by %(channel)s.",
                    channel=channel[message.channel],
                ),
            )
            return vals
        vals.update(queued_at=at, sent_at=at)
        if message.state == "bounced":
            vals.update(bounced_at=at + timedelta(minutes=1), reason_code="bounced")
        if message.state == "failed":
            vals.update(
                failed_at=at + timedelta(seconds=30),
                reason_code="undelivered",
                reason=self.env._("The handset could not be reached."),
            )
        if message.channel == "sms":
            gateway = gateways["first" if at < half_year else "second"]
            vals.update(
                sms_gateway_id=gateway.id,
                cost=(gateway.price_per_segment or 0.04)
                * (2 if message.flow == "order" else 1),
            )
            if message.state not in ("failed", "sent"):
                vals["delivered_at"] = at + timedelta(seconds=20)
        vals.update(
            machine_open_count=int(message.machine_open),
            open_count=int(bool(message.opened_at)),
            opened_at=message.opened_at,
            click_count=int(bool(message.clicked_at)),
            clicked_at=message.clicked_at,
        )
        return vals

    @api.model
    def _demo_text(self, message, document, products):
        """What the customer read: a subject for an email, a text for an SMS."""
        if message.release:
            return self.env._("%(product)s is out", product=document.display_name)
        if message.flow == "birthday":
            return self.env._("Happy birthday, %(name)s!", name=document.name)
        if message.flow == "digest":
            return self.env._("This week's best sellers")
        if message.flow == "order":
            texts = {
                "confirmed": self.env._(
                    "Order %(order)s confirmed: we will text you when it leaves.",
                    order=document.name,
                ),
                "shipped": self.env._(
                    "Your order %(order)s is on its way", order=document.name
                ),
                "delivered": self.env._(
                    "Your order %(order)s is delivered", order=document.name
                ),
                "cancelled": self.env._(
                    "Order %(order)s is cancelled.", order=document.name
                ),
            }
            return texts[message.stage]
        if message.flow == "abandoned_cart":
            return self.env._("Your cart is waiting")
        if message.variant:
            product = products.browse(message.variant).display_name
            texts = {
                ("out_of_stock_again", "email"): self.env._(
                    "%(product)s sold out again", product=product
                ),
                ("back_in_stock", "email"): self.env._(
                    "%(product)s is back in stock", product=product
                ),
                ("back_in_stock", "sms"): self.env._(
                    "%(product)s is back in stock. Reply STOP to opt out.",
                    product=product,
                ),
            }
        else:
            texts = {
                ("repeat_order", "email"): self.env._("Time for a refill?"),
                ("post_purchase", "email"): self.env._(
                    "How is your order %(order)s?", order=document.name
                ),
                ("replenishment", "email"): self.env._(
                    "Your cart for this week is ready"
                ),
                ("replenishment", "sms"): self.env._(
                    "Your cart for this week is ready: confirm or postpone it in "
                    "one click. Reply STOP to opt out."
                ),
            }
        return texts[message.flow, message.channel]

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
