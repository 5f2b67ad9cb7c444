# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Walk the lifecycle flows of a running demo shop from outside, as a shop
meets them: the back office over JSON-RPC (as admin), the customer in a
browser session on the shop and the portal (the demo's ``portal`` user), the
emails at the stack's SMTP spool, the SMS at its SMSC simulator. Crons run
as Odoo runs them: woken by the server itself, or "Run Manually".

Usage, with ``make run`` serving (its first lines print the spool and the
SMSC control URL)::

    python3 scripts/check_from_outside.py --url http://127.0.0.1:8069 \\
        --db service_care_demo --spool /tmp/service-care-stack-.../smtp-spool \\
        --smsc http://127.0.0.1:PORT [flow ...]

It changes the demo shop as staff would (a one-minute cart delay, a new
product, this week's digest slot, orders) and says what each flow did. A
marketing message the frequency cap holds back is reported with its date.
"""

import argparse
import email
import re
import time
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import requests

TIMEOUT = 240


class Shop:
    def __init__(self, args):
        self.url, self.db, self.spool, self.smsc = (
            args.url.rstrip("/"),
            args.db,
            Path(args.spool),
            args.smsc.rstrip("/"),
        )
        self.started = time.time() - 1
        self.admin = requests.Session()
        answer = self.admin.post(
            f"{self.url}/web/session/authenticate",
            json={"params": {"db": self.db, "login": "admin", "password": "admin"}},
            timeout=30,
        ).json()
        if not answer.get("result"):
            raise SystemExit(f"cannot log in as admin: {answer}")

    # -- the back office ------------------------------------------------

    def rpc(self, model, method, *args, **kwargs):
        answer = self.admin.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=120,
        ).json()
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer.get("result")

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        [row] = self.rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return row["res_id"]

    def run_cron(self, xmlid):
        """The cron form's "Run Manually"."""
        self.rpc("ir.cron", "method_direct_trigger", [self.ref(xmlid)])

    # -- the customer ---------------------------------------------------

    def browser(self, login=None):
        session = requests.Session()
        if login:
            page = session.get(f"{self.url}/web/login", timeout=30).text
            response = session.post(
                f"{self.url}/web/login",
                data={
                    "login": login,
                    "password": login,
                    "csrf_token": csrf(page),
                    "redirect": "/my",
                },
                timeout=30,
            )
            if "/my" not in response.url:
                raise SystemExit(f"cannot log in as {login}")
        return session

    # -- the inboxes ----------------------------------------------------

    def emails(self, to, text):
        """Emails to ``to`` received since the start whose subject or body
        has ``text``."""
        found = []
        for path in sorted(self.spool.glob("*.eml")):
            if path.stat().st_mtime < self.started:
                continue
            mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            body = mail.get_body(("html", "plain"))
            content = f"{mail['Subject']} {body.get_content() if body else ''}"
            if to.lower() in str(mail["To"]).lower() and text.lower() in (
                content.lower()
            ):
                found.append(mail)
        return found

    def sms(self, number, text):
        messages = requests.get(f"{self.smsc}/messages", timeout=10).json()
        return [
            m
            for m in messages
            if m["destination"] == number.lstrip("+") and text in m["text"]
        ]

    def messages(self, flow, domain):
        scenarios = self.rpc("service.care.scenario", "search", [("flow", "=", flow)])
        return self.rpc(
            "service.care.message",
            "search_read",
            [("scenario_id", "in", scenarios), *domain],
            ["state", "reason_code", "scheduled_at", "queued_at", "partner_id"],
        )


def csrf(page):
    found = re.search(r'csrf_token: "([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    return found.group(1)


def wait_for(what, fetch, timeout=TIMEOUT):
    start = time.time()
    while time.time() - start < timeout:
        got = fetch()
        if got:
            print(f"  ok after {time.time() - start:.0f} s: {what}")
            return got
        time.sleep(3)
    raise SystemExit(f"FAILED, not within {timeout} s: {what}")


def link(html, label):
    for href in re.findall(r'href="([^"]+)"', html):
        if label in html.split(href, 1)[1][:300]:
            return href.replace("&amp;", "&")
    raise SystemExit(f"FAILED: no link '{label}' in the email")


def outcome(shop, flow, messages):
    """Say what became of a flow's messages; wait for those queued."""
    states = {}
    for message in messages:
        key = message["state"], message["reason_code"] or ""
        states[key] = states.get(key, 0) + 1
    print(f"  {flow}: {states}")
    for message in messages:
        if message["state"] == "scheduled":
            print(
                f"    held until {message['scheduled_at']} ({message['reason_code']})"
            )
    return [m for m in messages if m["queued_at"]]


def product_in_stock(shop, name_part=""):
    [product] = shop.rpc(
        "product.product",
        "search_read",
        [
            ("is_published", "=", True),
            ("sale_ok", "=", True),
            ("free_qty", ">", 5),
            ("name", "ilike", name_part),
        ],
        ["name"],
        limit=1,
    )
    return product


def deliver(shop, order_id):
    """Validate the order's deliveries as a warehouse user does."""
    [order] = shop.rpc("sale.order", "read", [order_id], ["picking_ids"])
    for picking in order["picking_ids"]:
        for move in shop.rpc(
            "stock.move",
            "search_read",
            [("picking_id", "=", picking)],
            ["product_uom_qty"],
        ):
            shop.rpc(
                "stock.move",
                "write",
                [move["id"]],
                {"quantity": move["product_uom_qty"], "picked": True},
            )
        answer = shop.rpc("stock.picking", "button_validate", [picking])
        if answer is not True:
            raise SystemExit(f"FAILED: validating the delivery asked {answer}")


def order_for(shop, partner_id, product):
    order = shop.rpc(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product["id"], "product_uom_qty": 1})],
        },
    )
    shop.rpc("sale.order", "action_confirm", [order])
    return order, shop.rpc("sale.order", "read", [order], ["name"])[0]["name"]


# ----------------------------------------------------------------------
# The flows
# ----------------------------------------------------------------------


def check_abandoned_cart(shop):
    website = shop.ref("website.default_website")
    shop.rpc("website", "write", [website], {"care_cart_abandoned_delay": 1})
    # A reminder is marketing: the shop's quiet hours hold it until morning.
    # The check turns them off, as an owner trying the flow at night would,
    # and puts them back after.
    [shop_site] = shop.rpc("website", "read", [website], ["company_id"])
    company = shop_site["company_id"][0]
    window = ["care_window_start", "care_window_end"]
    [hours] = shop.rpc("res.company", "read", [company], window)
    shop.rpc("res.company", "write", [company], dict.fromkeys(window, 0.0))
    try:
        abandon_a_cart(shop)
    finally:
        shop.rpc("res.company", "write", [company], {key: hours[key] for key in window})


def abandon_a_cart(shop):
    [user] = shop.rpc("res.users", "search_read", [("login", "=", "portal")], ["email"])
    portal = shop.browser("portal")
    page = portal.get(f"{shop.url}/my/care/preferences", timeout=30).text
    portal.post(
        f"{shop.url}/my/care/preferences",
        data={"csrf_token": csrf(page), "email_news": "on"},
        timeout=30,
    )
    product = product_in_stock(shop, "filter")
    shop_page = portal.get(f"{shop.url}/shop", timeout=30).text
    portal.post(
        f"{shop.url}/shop/cart/update",
        data={"product_id": product["id"], "add_qty": 2, "csrf_token": csrf(shop_page)},
        timeout=30,
    )
    print(f"  the portal user put 2 x {product['name']} in the cart and left")
    [mail] = wait_for(
        "the 'your cart is waiting' email (delay: 1 minute)",
        lambda: shop.emails(user["email"], "your cart at"),
    )
    html = mail.get_body(("html",)).get_content()
    if product["name"] not in html:
        raise SystemExit("FAILED: the cart's line is not in the email")
    parts = urlsplit(link(html, "Return to my cart"))
    url = f"{shop.url}{parts.path}?{parts.query}"
    if "/web/login" not in requests.get(url, timeout=30).url:
        raise SystemExit("FAILED: a logged-out visitor was not asked to log in")
    print("  its button asks a logged-out visitor to log in")
    back = shop.browser("portal").get(url, timeout=30)
    if not back.url.endswith("/shop/cart") or product["name"] not in back.text:
        raise SystemExit(f"FAILED: the button did not restore the cart ({back.url})")
    print("  and gives the customer the cart back")
    time.sleep(70)
    if len(shop.emails(user["email"], "your cart at")) != 1:
        raise SystemExit("FAILED: a second email for the same cart")
    print("  one email, still one a minute later")


def check_order_messages(shop):
    # one not texted in the last hour: the gateway caps SMS per number
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    customer = next(
        candidate
        for candidate in shop.rpc(
            "res.partner",
            "search_read",
            [("care_reach_sms", "=", True), ("email", "!=", False)],
            ["email", "care_sms_address"],
        )
        if not shop.rpc(
            "service.care.message",
            "search_count",
            [
                ("partner_id", "=", candidate["id"]),
                ("channel", "=", "sms"),
                ("create_date", ">=", hour_ago),
            ],
        )
    )
    number = customer["care_sms_address"]
    product = product_in_stock(shop)
    order, name = order_for(shop, customer["id"], product)
    wait_for(f"'confirmed' SMS of {name}", lambda: shop.sms(number, name))
    deliver(shop, order)
    wait_for("'delivered' email", lambda: shop.emails(customer["email"], "delivered"))
    wait_for("'delivered' SMS", lambda: shop.sms(number, f"{name} has been delivered"))
    order, name = order_for(shop, customer["id"], product)
    wait_for(f"'confirmed' SMS of {name}", lambda: shop.sms(number, name))
    action = shop.rpc("sale.order", "action_cancel", [order])
    if isinstance(action, dict) and action.get("res_model") == "sale.order.cancel":
        wizard = shop.rpc(
            "sale.order.cancel",
            "create",
            {"order_id": order},
            context=action.get("context", {}),
        )
        shop.rpc("sale.order.cancel", "action_cancel", [wizard])
    wait_for("'cancelled' SMS", lambda: shop.sms(number, f"{name} is cancelled"))


def check_post_purchase(shop):
    wait = shop.ref("service_care.service_care_scenario_post_purchase_step_wait")
    step = "service.care.scenario.step"
    # staff shorten the wait to see it now; put back after
    shop.rpc(
        step,
        "write",
        [wait],
        {"wait_amount": 1, "wait_unit": "minutes", "wait_until_hour": False},
    )
    try:
        [customer] = shop.rpc(
            "res.partner",
            "search_read",
            [("care_reach_email", "=", True)],
            ["email"],
            limit=1,
            offset=3,
        )
        product = product_in_stock(shop)
        order, _name = order_for(shop, customer["id"], product)
        deliver(shop, order)
        found = wait_for(
            "the post-purchase message",
            lambda: shop.messages(
                "post_purchase",
                [("res_model", "=", "sale.order"), ("res_id", "=", order)],
            ),
        )
        if outcome(shop, "post_purchase", found):
            wait_for(
                "'how is your ...' email",
                lambda: shop.emails(customer["email"], "how is your"),
            )
    finally:
        shop.rpc(
            step,
            "write",
            [wait],
            {"wait_amount": 7, "wait_unit": "days", "wait_until_hour": True},
        )


def check_birthday(shop):
    today = datetime.now(UTC)
    [user] = shop.rpc(
        "res.users", "search_read", [("login", "=", "portal")], ["partner_id"]
    )
    portal = shop.browser("portal")
    page = portal.get(f"{shop.url}/my/care/preferences", timeout=30).text
    portal.post(
        f"{shop.url}/my/care/preferences",
        data={
            "csrf_token": csrf(page),
            "email_news": "on",
            "birth_day": str(today.day),
            "birth_month": str(today.month),
        },
        timeout=30,
    )
    [saved] = shop.rpc(
        "res.partner", "read", [user["partner_id"][0]], ["care_birth_day"]
    )
    if saved["care_birth_day"] != today.day:
        raise SystemExit("FAILED: the birthday given on the portal was not saved")
    print("  the portal user gave today as their birthday")
    # staff type another customer's on the customer's form
    [other] = shop.rpc(
        "res.partner",
        "search_read",
        [
            ("care_reach_email", "=", True),
            ("care_birthday_greeted_year", "!=", today.year),
        ],
        ["email"],
        limit=1,
    )
    shop.rpc(
        "res.partner",
        "write",
        [other["id"]],
        {"care_birth_day": today.day, "care_birth_month": str(today.month)},
    )
    shop.run_cron("service_care.ir_cron_service_care_birthday")
    since = datetime.fromtimestamp(shop.started, UTC).strftime("%Y-%m-%d %H:%M:%S")
    found = wait_for(
        "the greetings",
        lambda: shop.messages("birthday", [("create_date", ">=", since)]),
    )
    if outcome(shop, "birthday", found):
        wait_for(
            "the greeting emails",
            lambda: shop.emails(other["email"], "happy birthday"),
        )


def check_new_release(shop):
    since = (datetime.now(UTC) - timedelta(days=90)).strftime("%Y-%m-%d")
    [bought] = shop.rpc(
        "sale.order.line",
        "search_read",
        [
            ("order_id.state", "=", "sale"),
            ("order_id.date_order", ">", since),
            ("product_id.is_published", "=", True),
        ],
        ["product_template_id"],
        limit=1,
    )
    new = shop.rpc(
        "product.template",
        "create",
        {
            "name": f"{bought['product_template_id'][1]} Mk II",
            "is_storable": True,
            "list_price": 50,
            "care_follows_ids": [(6, 0, [bought["product_template_id"][0]])],
        },
    )
    variant = shop.rpc("product.template", "read", [new], ["product_variant_id"])
    [warehouse] = shop.rpc(
        "stock.warehouse", "search_read", [], ["lot_stock_id"], limit=1
    )
    quant = shop.rpc(
        "stock.quant",
        "create",
        {
            "product_id": variant[0]["product_variant_id"][0],
            "location_id": warehouse["lot_stock_id"][0],
            "inventory_quantity": 20,
        },
    )
    shop.rpc("stock.quant", "action_apply_inventory", [quant])
    shop.rpc("product.template", "write", [new], {"is_published": True})
    print(f"  published '{bought['product_template_id'][1]} Mk II', in stock")
    found = wait_for(
        "its announcements",
        lambda: shop.messages(
            "new_release",
            [("res_model", "=", "product.template"), ("res_id", "=", new)],
        ),
    )
    outcome(shop, "new_release", found)


def check_digest(shop):
    website = shop.ref("website.default_website")
    shop.rpc(
        "website",
        "write",
        [website],
        {
            "care_digest_weekday": str(datetime.now(UTC).weekday()),
            "care_digest_hour": 0.0,
            "care_digest_week": False,
        },
    )
    shop.run_cron("service_care.ir_cron_service_care_digest")
    since = datetime.fromtimestamp(shop.started, UTC).strftime("%Y-%m-%d %H:%M:%S")
    time.sleep(10)
    found = shop.messages("digest", [("create_date", ">=", since)])
    if found:
        outcome(shop, "digest", found)
        return
    week_ago = (datetime.now(UTC) - timedelta(days=6)).strftime("%Y-%m-%d %H:%M:%S")
    if not shop.rpc(
        "service.care.scenario.run",
        "search_count",
        [("scenario_id.flow", "=", "digest"), ("started_at", ">=", week_ago)],
    ):
        raise SystemExit("FAILED: no digest this week")
    print("  none again: this week's digest went out already (once a week)")


FLOWS = {
    "abandoned_cart": check_abandoned_cart,
    "order_messages": check_order_messages,
    "post_purchase": check_post_purchase,
    "birthday": check_birthday,
    "new_release": check_new_release,
    "digest": check_digest,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--spool", required=True, help="the SMTP sink's spool")
    parser.add_argument("--smsc", required=True, help="the SMSC control URL")
    parser.add_argument("flows", nargs="*", help=f"some of {', '.join(FLOWS)}")
    args = parser.parse_args()
    unknown = set(args.flows) - set(FLOWS)
    if unknown:
        parser.error(f"unknown flows: {', '.join(sorted(unknown))}")
    shop = Shop(args)
    for flow in args.flows or FLOWS:
        print(flow.replace("_", " "))
        FLOWS[flow](shop)
    print("all flows checked")


if __name__ == "__main__":
    main()
