# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A year of messages for the demo shop, planned from its order history.

Pure and seeded: given the customers (what they agreed to, whether their mail
app is behind a privacy proxy) and their orders, plan which messages each
flow sent and what became of them. The demo model turns the plan into carts,
messages and chatter.

The outcomes follow what shops report for these flows: back-in-stock emails
opened by about two customers in three and clicked by two in five; a
predictive cart confirmed about every other week it is built.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import birthday

# Share of customers reading their mail through Apple Mail's privacy proxy:
# every email to them is "opened" by the proxy on delivery.
PROXY_SHARE = 0.3
# A repeat purchase started as a confirmed predictive cart.
CART_CONFIRMED_SHARE = 0.4
# Carts built between two orders at least this far apart (and what became
# of them): the customer had enough then.
CART_OTHER_DAYS = 21
CART_OTHER_STATES = (("expired", 0.5), ("postponed", 0.35), ("declined", 0.15))
REPEAT_ORDER_SHARE = 0.3
REPEAT_ORDER_DAYS = 21
RESTOCK_EVERY_DAYS = 9
RESTOCK_WAITING = (2, 5)
ORDER_MESSAGES_DAYS = 180
ATTRIBUTION_DAYS = 5
EMAIL_BOUNCE = 0.02
SMS_FAILED = 0.03
SMS_NO_REPORT = 0.02
# (human open, click given open) per flow
ENGAGEMENT = {
    "replenishment": (0.55, 0.5),
    "repeat_order": (0.45, 0.35),
    "back_in_stock": (0.68, 0.62),
    "out_of_stock_again": (0.55, 0.3),
    "order": (0.6, 0.05),
    "abandoned_cart": (0.45, 0.45),
    "post_purchase": (0.5, 0.25),
    "new_release": (0.6, 0.35),
    "birthday": (0.7, 0.3),
    "digest": (0.35, 0.3),
}
# The weekly digest, since the shop turned it on (weeks), on Thursdays.
DIGEST_WEEKS = 12
DIGEST_WEEKDAY = 3
# Share of customers who told their birthday.
BIRTHDAY_SHARE = 0.6
# Orders whose cart was left for a while first (and reminded of), and carts
# left for good: one per customer every this many days on average.
ABANDONED_SHARE = 0.2
# Orders that left the warehouse in two parts.
SHIPPED_IN_PART_SHARE = 0.1
LEFT_CART_EVERY_DAYS = 120
# The last day before now has no history.
HISTORY_QUIET_HOURS = 24
# The post-purchase follow-up, a week after delivery, since the shop
# turned it on.
POST_PURCHASE_DAYS = 7
POST_PURCHASE_SINCE_DAYS = 120


@dataclass
class Customer:
    key: int
    email_consent: bool
    sms_consent: bool
    has_mobile: bool
    orders: list = field(default_factory=list)  # [(order key, datetime)]


@dataclass
class Planned:
    """One message of the history and its outcome."""

    customer: int
    flow: str
    channel: str
    kind: str
    sent_at: datetime
    state: str = "sent"
    order: object = None  # the order it is about
    cart: object = None  # (cart state, order key or None) for replenishment
    opened_at: datetime = None
    machine_open: bool = False
    clicked_at: datetime = None
    converted_order: object = None
    reason_code: str = None
    variant: object = None
    release: object = None  # the new product announced
    # which message of its flow: the order's "confirmed", "delivered" or
    # "cancelled"; "left" for a cart never ordered
    stage: str = None


def _engage(rng, message, proxy):
    """Decide delivery, opens and clicks of an email or SMS that went out."""
    if message.channel == "email":
        if rng.random() < EMAIL_BOUNCE:
            message.state = "bounced"
            return False
        message.machine_open = proxy
    else:
        roll = rng.random()
        if roll < SMS_FAILED:
            message.state = "failed"
            return False
        if roll < SMS_FAILED + SMS_NO_REPORT:
            return False
        message.state = "delivered"
    open_share, click_share = ENGAGEMENT.get(message.flow, (0.5, 0.3))
    if message.channel == "sms":
        open_share = 0.0  # an SMS has no open pixel: clicks only
        click_share *= 0.5
        if rng.random() < click_share:
            message.clicked_at = message.sent_at + timedelta(minutes=rng.randint(2, 90))
            message.state = "clicked"
        return True
    if rng.random() < open_share:
        message.opened_at = message.sent_at + timedelta(minutes=rng.randint(5, 1800))
        message.state = "opened"
        if rng.random() < click_share:
            message.clicked_at = message.opened_at + timedelta(
                minutes=rng.randint(1, 20)
            )
            message.state = "clicked"
    return True


def _next_order(customer, after, days=ATTRIBUTION_DAYS):
    for order, date in customer.orders:
        if after < date <= after + timedelta(days=days):
            return order, date
    return None


def _cart_state(rng):
    roll = rng.random()
    for state, share in CART_OTHER_STATES:
        if roll < share:
            return state
        roll -= share
    return CART_OTHER_STATES[0][0]


class _Planner:
    """The seeded random source, the plan so far and who reads through a
    privacy proxy."""

    def __init__(self, customers, now, seed):
        self.rng = random.Random(seed + 3)
        self.now = now
        self.plan = []
        self.proxies = {c.key: self.rng.random() < PROXY_SHARE for c in customers}
        # an order is attributed to one message at most, as attribution does
        self.attributed = set()

    def convert(self, message, customer):
        """Attribute the customer's next order to a message that was read."""
        if message and (message.opened_at or message.clicked_at):
            found = _next_order(customer, message.clicked_at or message.opened_at)
            if found and found[0] not in self.attributed:
                self.attributed.add(found[0])
                message.converted_order = found[0]
                message.state = "converted"

    def send(self, customer, flow, channel, kind, **extra):
        """Plan one message; a marketing one without consent is skipped.

        :return: the message if it reached the customer, else ``None``
        """
        message = Planned(customer.key, flow, channel, kind, **extra)
        self.plan.append(message)
        consent = customer.email_consent if channel == "email" else customer.sms_consent
        if kind == "marketing" and not consent:
            message.state = "skipped"
            message.reason_code = "no_consent"
            return None
        engaged = _engage(self.rng, message, self.proxies[customer.key])
        return message if engaged else None

    def replenishment(self, customer):
        """A confirmed cart before some repeat purchases (the email's order),
        and carts between them that were not confirmed."""
        rng, orders = self.rng, customer.orders
        for index, (order, date) in enumerate(orders):
            if index and rng.random() < CART_CONFIRMED_SHARE:
                at = date - timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
                if customer.has_mobile:
                    self.send(
                        customer,
                        "replenishment",
                        "sms",
                        "marketing",
                        sent_at=at,
                        order=order,
                    )
                message = self.send(
                    customer,
                    "replenishment",
                    "email",
                    "marketing",
                    sent_at=at,
                    order=order,
                    cart=("confirmed", order),
                )
                if message:
                    message.opened_at = message.opened_at or at + timedelta(hours=2)
                    message.clicked_at = message.opened_at + timedelta(minutes=3)
                    message.converted_order = order
                    self.attributed.add(order)
                    message.state = "converted"
            if index + 1 < len(orders) and rng.random() < 0.8:
                gap = (orders[index + 1][1] - date).days
                if gap > CART_OTHER_DAYS:
                    self.send(
                        customer,
                        "replenishment",
                        "email",
                        "marketing",
                        sent_at=date + timedelta(days=rng.randint(7, gap - 7)),
                        order=order,
                        cart=(_cart_state(rng), None),
                    )

    def repeat_order(self, customer):
        """A nudge three weeks after some orders."""
        for order, date in customer.orders:
            at = date + timedelta(days=REPEAT_ORDER_DAYS, hours=self.rng.randint(0, 8))
            if at < self.now and self.rng.random() < REPEAT_ORDER_SHARE:
                message = self.send(
                    customer,
                    "repeat_order",
                    "email",
                    "marketing",
                    sent_at=at,
                    order=order,
                )
                self.convert(message, customer)

    def post_purchase(self, customer):
        """ "How is it?" a week after the order, answered on the order."""
        for order, date in customer.orders:
            at = date + timedelta(days=POST_PURCHASE_DAYS, hours=self.rng.randint(0, 4))
            if self.now - timedelta(days=POST_PURCHASE_SINCE_DAYS) < at < self.now:
                self.send(
                    customer,
                    "post_purchase",
                    "email",
                    "marketing",
                    sent_at=at,
                    order=order,
                )

    def digests(self, customers):
        """The weekly digest, Thursdays at 10:00, to the customers who agreed
        to email (the others are not asked for one)."""
        thursday = self.now - timedelta(days=(self.now.weekday() - DIGEST_WEEKDAY) % 7)
        thursday = thursday.replace(hour=10, minute=0, second=0, microsecond=0)
        for week in range(DIGEST_WEEKS):
            at = thursday - timedelta(weeks=week)
            if at >= self.now:
                continue
            for customer in customers:
                if customer.email_consent:
                    message = self.send(
                        customer, "digest", "email", "marketing", sent_at=at
                    )
                    self.convert(message, customer)

    def order_messages(self, customer):
        """The order's messages since the shop turned them on: "confirmed"
        by SMS, "delivered" by email and SMS a few days later."""
        for order, date in customer.orders:
            if date <= self.now - timedelta(days=ORDER_MESSAGES_DAYS):
                continue
            delivered = date + timedelta(days=self.rng.randint(2, 4), hours=3)
            sends = [("email", delivered, "delivered")]
            shipped = self.rng.random() < SHIPPED_IN_PART_SHARE
            if shipped:
                sends.append(("email", date + timedelta(days=1), "shipped"))
            if customer.has_mobile:
                sends += [
                    ("sms", date + timedelta(minutes=1), "confirmed"),
                    ("sms", delivered, "delivered"),
                ]
                if shipped:
                    sends.append(("sms", date + timedelta(days=1), "shipped"))
            for channel, at, stage in sends:
                self.send(
                    customer,
                    "order",
                    channel,
                    "transactional",
                    sent_at=at,
                    order=order,
                    stage=stage,
                )

    def cancelled(self, customer, order, date):
        """The "cancelled" SMS of an order the customer cancelled."""
        if customer.has_mobile:
            self.send(
                customer,
                "order",
                "sms",
                "transactional",
                sent_at=date + timedelta(minutes=2),
                order=order,
                stage="cancelled",
            )

    def abandoned_carts(self, customer, days):
        """Some orders were a cart left for a while first, reminded of the
        hours after; some carts were left for good."""
        rng = self.rng
        for order, date in customer.orders:
            if date > self.now - timedelta(days=ORDER_MESSAGES_DAYS) and (
                rng.random() < ABANDONED_SHARE
            ):
                at = date - timedelta(hours=rng.randint(2, 30))
                message = self.send(
                    customer,
                    "abandoned_cart",
                    "email",
                    "marketing",
                    sent_at=at,
                    order=order,
                )
                self.convert(message, customer)
        if not customer.orders:
            return
        for _left in range(rng.randint(0, days // LEFT_CART_EVERY_DAYS)):
            at = self.now - timedelta(days=rng.randint(3, ORDER_MESSAGES_DAYS))
            self.send(
                customer,
                "abandoned_cart",
                "email",
                "marketing",
                sent_at=at.replace(minute=15),
                stage="left",
            )

    def restock(self, customers, variant, day):
        """A variant comes back for those waiting; what was not bought and
        sold out again gets "out of stock again"."""
        rng = self.rng
        count = min(rng.randint(*RESTOCK_WAITING), len(customers))
        for customer in rng.sample(customers, count):
            message = self.send(
                customer,
                "back_in_stock",
                "email",
                "transactional",
                sent_at=day,
                variant=variant,
            )
            self.convert(message, customer)
            if customer.has_mobile:
                self.send(
                    customer,
                    "back_in_stock",
                    "sms",
                    "marketing",
                    sent_at=day,
                    variant=variant,
                )
            if message and message.state != "converted" and rng.random() < 0.35:
                self.send(
                    customer,
                    "out_of_stock_again",
                    "email",
                    "transactional",
                    sent_at=day + timedelta(days=rng.randint(1, 3)),
                    variant=variant,
                )


def plan_birthdays(customer_keys, today, seed=2024):
    """{customer key: (day, month)} of those who told their birthday; the
    first of them had it ten days before ``today`` (a recent greeting)."""
    rng = random.Random(seed + 4)
    birthdays = {}
    for key in customer_keys:
        if rng.random() < BIRTHDAY_SHARE:
            month = rng.randint(1, 12)
            birthdays[key] = (rng.randint(1, 29 if month == 2 else 28), month)
    if birthdays:
        recent = today - timedelta(days=10)
        birthdays[min(birthdays)] = (recent.day, recent.month)
    return birthdays


def plan_message_history(
    customers,
    variants,
    now,
    *,
    days=365,
    seed=2024,
    releases=(),
    birthdays=None,
    cancelled=(),
):
    """Plan a year of messages.

    :param customers: list of :class:`Customer`, sorted by key, their orders
        sorted by date
    :param variants: sorted keys of the variants that were restocked
    :param releases: ``(product key, when, buyer keys)`` of the new products
        announced to the buyers of those they follow
    :param birthdays: {customer key: (day, month)}: greeted on the day, at
        10:00 (UTC here), over the past year
    :param cancelled: ``(customer key, order key, when)`` of the orders the
        customers cancelled
    :return: list of :class:`Planned`, by date
    """
    planner = _Planner(customers, now, seed)
    for customer in customers:
        planner.replenishment(customer)
        planner.repeat_order(customer)
        planner.post_purchase(customer)
    planner.digests(customers)
    by_key = {customer.key: customer for customer in customers}
    for key, (day, month) in sorted((birthdays or {}).items()):
        for year in (now.year - 1, now.year):
            at = datetime.combine(
                birthday.in_year(day, month, year), datetime.min.time()
            ).replace(hour=10)
            if now - timedelta(days=days) < at < now:
                planner.send(by_key[key], "birthday", "email", "marketing", sent_at=at)
    for product, when, buyers in releases:
        for key in buyers:
            message = planner.send(
                by_key[key],
                "new_release",
                "email",
                "marketing",
                sent_at=when,
                release=product,
            )
            planner.convert(message, by_key[key])
    rng = planner.rng
    day = now - timedelta(days=days - rng.randint(3, RESTOCK_EVERY_DAYS))
    while day < now - timedelta(days=2) and variants:
        planner.restock(customers, rng.choice(variants), day)
        day += timedelta(
            days=rng.randint(RESTOCK_EVERY_DAYS - 3, RESTOCK_EVERY_DAYS + 3)
        )
    # The flows added later draw from a stream of their own: the history of
    # the others stays what it was.
    planner.rng = random.Random(seed + 6)
    for customer in customers:
        planner.order_messages(customer)
        planner.abandoned_carts(customer, days)
    for key, order, when in cancelled:
        planner.cancelled(by_key[key], order, when)
    # The history ends a day before now: the live shop's first messages are
    # not held back by the frequency cap behind one of the history's.
    end = now - timedelta(hours=HISTORY_QUIET_HOURS)
    plan = [message for message in planner.plan if message.sent_at < end]
    plan.sort(key=lambda message: (message.sent_at, message.customer, message.flow))
    return plan
