# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The "bad input" phase of ``bench/reliability.py``.

Against a running server: forged and replayed signed links (tracking, cart,
waitlist, delivery reports), 10 MB bodies; through the pipeline: malformed
numbers and addresses, and a template that fails to render, sent in the same
batch as good messages. "Accepted" counts what should have been refused and
was not: a 2xx/3xx answer to a forged request, or anything it changed.
"""

import collections
import secrets
import time
from urllib.parse import urlsplit

import requests

from odoo import Command
from odoo.tools import SQL

REQUESTS = 1000
BIG_BODIES = 5
BAD_CONTACTS = 1000
BROKEN = 50


def _forge(token):
    head, dot, signature = token.rpartition(".")
    forged = secrets.token_hex(len(signature) // 2 or 32)
    return f"{head}{dot}{forged}" if dot else forged


def _targets(env):
    """Records of one customer, with their genuine URLs; and a second one's."""
    company = env.ref("base.main_company")
    product = env["product.product"].create({"name": "Bad input mug"})
    gateway = env["service.care.sms.gateway"].search([], limit=1)
    targets = []
    for name in ("Bad input owner", "Bad input other"):
        partner = env["res.partner"].create(
            {"name": name, "email": f"{name.replace(' ', '.')}@reliability.example"}
        )
        message = env["service.care.message"].create(
            {"partner_id": partner.id, "channel": "email", "state": "sent"}
        )
        cart = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "care_predictive": True,
                "care_cart_state": "open",
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        line = env["service.care.waitlist"].create(
            {
                "partner_id": partner.id,
                "product_id": product.id,
                "website_id": env["website"].get_current_website().id,
            }
        )
        sms = env["sms.sms"].create(
            {
                "number": "+48601999999",
                "partner_id": partner.id,
                "state": "pending",
                "care_gateway_id": gateway.id,
            }
        )
        base = message.get_base_url()
        targets.append(
            {
                "message": message,
                "cart": cart,
                "line": line,
                "sms": sms,
                "open": urlsplit(message._open_url()).path,
                "click": message._click_url("https://shop.example.com/")[len(base) :],
                "unsubscribe": urlsplit(message._unsubscribe_url()).path,
                "cart_token": cart._care_token("confirm"),
                "waitlist": urlsplit(line._care_signed_url("again")).path,
                "dlr": gateway._dlr_url(sms.uuid)
                .replace("%d", "1")
                .replace("%A", "x")[len(gateway._callback_base()) :],
            }
        )
    env.cr.commit()
    return company, targets


def _state(env, owner):
    """What a forged request could change, as one comparable tuple."""
    env.invalidate_all()
    message, cart, line, sms = (
        owner["message"],
        owner["cart"],
        owner["line"],
        owner["sms"],
    )
    env.cr.execute(
        SQL(
            "SELECT count(*) FROM service_care_sms_report WHERE sms_uuid = %s",
            sms.uuid,
        )
    )
    reports = env.cr.fetchone()[0]
    return (
        message.open_count,
        message.machine_open_count,
        message.click_count,
        message.partner_id.care_email_consent,
        len(message.partner_id.care_consent_ids),
        cart.state,
        cart.care_cart_state,
        cart.care_cart_visited_at,
        line.state,
        reports,
    )


def _requests(owner, other):
    """(kind, method, path) of forged and replayed calls, REQUESTS of them."""
    uuid = owner["message"].uuid

    def swap_token(path, token_of):
        return path.replace(token_of(path), _forge(token_of(path)))

    def message_token(path):
        return path.split(f"/{uuid}/")[1].split(".gif")[0].split("?")[0]

    other_uuid = other["message"].uuid
    cart_id = owner["cart"].id
    forged = [
        ("tracking", "GET", swap_token(owner["open"], message_token)),
        ("tracking", "GET", swap_token(owner["click"], message_token)),
        ("tracking", "POST", swap_token(owner["unsubscribe"], message_token)),
        # replayed: another customer's genuine token on this one's message
        ("tracking", "GET", other["open"].replace(other_uuid, uuid)),
        ("tracking", "POST", other["unsubscribe"].replace(other_uuid, uuid)),
        (
            "cart",
            "POST",
            f"/my/care/cart/{cart_id}/confirm?token={_forge(owner['cart_token'])}",
        ),
        (
            "cart",
            "POST",
            f"/my/care/cart/{cart_id}/confirm?token={other['cart_token']}",
        ),
        ("cart", "GET", f"/my/care/cart/{cart_id}/postpone/2"),
        (
            "waitlist",
            "POST",
            owner["waitlist"].rsplit("/", 1)[0]
            + "/"
            + _forge(owner["waitlist"].rsplit("/", 1)[1]),
        ),
        (
            "waitlist",
            "POST",
            owner["waitlist"].rsplit("/", 1)[0]
            + "/"
            + other["waitlist"].rsplit("/", 1)[1],
        ),
        (
            "delivery report",
            "GET",
            owner["dlr"].replace(
                owner["dlr"].split("?")[0].rsplit("/", 1)[1],
                _forge(owner["dlr"].split("?")[0].rsplit("/", 1)[1]),
            ),
        ),
        (
            "delivery report",
            "GET",
            other["dlr"].replace(other["sms"].uuid, owner["sms"].uuid),
        ),
    ]
    return [forged[index % len(forged)] for index in range(REQUESTS)]


def _send(session, url, method, csrf, data=None):
    if method == "GET":
        return session.get(url, allow_redirects=False, timeout=60)
    data = {"csrf_token": csrf, **(data or {})}
    return session.post(url, data=data, allow_redirects=False, timeout=60)


def _http_phase(env, base_url):
    _company, (owner, other) = _targets(env)
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{base_url}/shop", timeout=60).text
    csrf = page.split('csrf_token: "', 1)[1].split('"', 1)[0]
    figures = collections.defaultdict(collections.Counter)
    before = _state(env, owner)
    started = time.monotonic()
    for kind, method, path in _requests(owner, other):
        answer = _send(session, f"{base_url}{path}", method, csrf)
        row = figures[kind]
        row["count"] += 1
        row["accepted"] += int(answer.status_code < 400)
        row["4xx"] += int(400 <= answer.status_code < 500)
        row["5xx"] += int(answer.status_code >= 500)
    big = "x" * (10 * 1024 * 1024)
    row = figures["10 MB body"]
    for _index in range(BIG_BODIES):
        for path in (
            owner["dlr"].replace(owner["sms"].uuid, other["sms"].uuid),
            other["unsubscribe"].replace(other["message"].uuid, owner["message"].uuid),
        ):
            answer = _send(session, f"{base_url}{path}", "POST", csrf, {"text": big})
            row["count"] += 1
            row["accepted"] += int(answer.status_code < 400)
            row["4xx"] += int(400 <= answer.status_code < 500)
            row["5xx"] += int(answer.status_code >= 500)
    changed = _state(env, owner) != before
    # anything changed counts against every kind: it cannot be told apart
    for row in figures.values():
        row["accepted"] += int(changed)
        row["seconds"] = time.monotonic() - started
    return figures


def _pipeline_phase(env, wait_settled, db):
    """Malformed contacts and a broken template, next to good messages."""
    Message = env["service.care.message"]
    started = time.monotonic()
    bad_partners = env["res.partner"].create(
        [
            {
                "name": f"Bad contact {n}",
                "email": ("not-an-email", "a@@b", "x@", "@example.com")[n % 4]
                if n % 2
                else f"bad-number-{n}@reliability.example",
                "mobile": ("12", "+48 abc", "0000", "+999 1")[n % 4],
                "country_id": env.ref("base.pl").id,
            }
            for n in range(BAD_CONTACTS)
        ]
    )
    for channel in ("email", "sms"):
        bad_partners._care_set_consent(channel, True, "import", "Reliability run.")
    mail_template = env["mail.template"].search(
        [("name", "=", "Reliability email")], limit=1
    )
    sms_template = env["sms.template"].search([("name", "=", "Reliability SMS")])
    bad_emails = bad_partners.filtered(lambda p: "bad-number" not in p.email)
    bad_numbers = bad_partners - bad_emails
    sent = Message.send_template(mail_template, bad_emails, "email")
    sent |= Message.send_template(sms_template, bad_numbers, "sms")
    contacts = collections.Counter(
        {
            "count": len(sent),
            "accepted": len(sent.filtered(lambda m: m.state != "skipped")),
        }
    )
    broken = env["mail.template"].search(
        [("name", "=", "Reliability broken email")], limit=1
    )
    good = env["res.partner"].create(
        [
            {"name": f"Good {n}", "email": f"good-{n}@reliability.example"}
            for n in range(BROKEN)
        ]
    )
    good._care_set_consent("email", True, "import", "Reliability run.")
    company = env.ref("base.main_company")
    logged = Message.create(
        [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "channel": "email",
                "res_model": "res.partner",
                "res_id": partner.id,
                "mail_template_id": template.id,
            }
            for partner in good
            for template in (broken, mail_template)
        ]
    )
    env.ref("service_care.ir_cron_service_care_message_dispatch")._trigger()
    env.cr.commit()
    contacts["seconds"] = time.monotonic() - started
    left = wait_settled(db, logged.ids)
    env.invalidate_all()
    failed = logged.filtered(lambda m: m.mail_template_id == broken)
    fine = logged - failed
    render = collections.Counter(
        {
            "count": len(logged),
            # a broken one not failed, or a good one not sent, is wrong
            "accepted": len(failed.filtered(lambda m: m.state != "failed"))
            + len(fine.filtered(lambda m: m.state != "sent"))
            + left,
            "seconds": time.monotonic() - started,
        }
    )
    return {"malformed number or email": contacts, "template fails to render": render}


def attack(db, base_url, environment, wait_settled):
    """Run every bad input; return {kind: figures} and the time it took."""
    started = time.monotonic()
    with environment(db) as env:
        figures = dict(_http_phase(env, base_url))
        figures.update(_pipeline_phase(env, wait_settled, db))
    figures["seconds"] = time.monotonic() - started
    return figures
