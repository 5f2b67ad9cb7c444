#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: post delivery reports to a running Odoo's SMS webhook.

Usage: python3 bench/dlr_benchmark.py -c .build/odoo.conf -d DB \\
           --url http://127.0.0.1:8069 [-n 10000] [--concurrency 8]

1. Setup, in this process through Odoo's API, committed so that the server
   sees it: a (non-default) Kannel gateway, N customers and one SMS to each
   sent through the pipeline (chatter message, notification, tracker, care
   message), then marked as accepted by the gateway, as after ``_send``.
2. Post (GET, as Kannel calls its dlr-url): one final Kannel report per SMS
   (type 1 with a DELIVRD receipt, every tenth type 2 with UNDELIV), from a
   pool of keep-alive HTTP connections, to the signed dlr-url of each SMS.
   Prints the reports per second the webhook took.
3. Wait until the server's cron has applied them all (the webhook stores
   reports, ``service.care.sms.report``; a cron applies them in batches).
4. Check: every report answered 200 and every SMS, notification and care
   message reached the state its report says; the difference is "lost".
5. Clean-up: deletes what the setup created (--keep to look at it).

Not a test. Run it against an Odoo started with workers, e.g.
``python3 -m odoo -c .build/odoo.conf -d DB --workers=2 --max-cron-threads=1``.
"""

import argparse
import http.client
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

RECEIPT = (
    "id:{id} sub:001 dlvrd:{dlvrd} submit date:2611241000 done date:2611241001 "
    "stat:{stat} err:{err} text:Your order"
)


def _report_path(gateway, sms, index):
    """The path + query Kannel would call for this SMS's final report."""
    failed = index % 10 == 9
    answer = RECEIPT.format(
        id=index,
        dlvrd="000" if failed else "001",
        stat="UNDELIV" if failed else "DELIVRD",
        err="001" if failed else "000",
    )
    url = gateway._dlr_url(sms.uuid)
    url = url.replace("%d", "2" if failed else "1").replace("%A", quote(answer))
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}", "failed" if failed else "delivered"


def setup(env, count, base_url):
    started = time.perf_counter()
    gateway = env["service.care.sms.gateway"].create(
        {
            "name": "DLR benchmark",
            "provider": "kannel",
            "url": "http://127.0.0.1:9/cgi-bin/sendsms",  # never called
            "is_default": False,
            "callback_base_url": base_url,
        }
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"DLR bench {n}",
                "mobile": f"+48 601 {n // 1000:03d} {n % 1000:03d}",
                "country_id": env.ref("base.pl").id,
                "tz": "Europe/Warsaw",
            }
            for n in range(count)
        ]
    )
    template = env["sms.template"].create(
        {
            "name": "DLR benchmark",
            "model_id": env.ref("base.model_res_partner").id,
            "body": "Your order is on its way, {{ object.name }}",
        }
    )
    messages = env["service.care.message"].send_template(
        template, partners, "sms", "transactional"
    )
    smses = env["sms.sms"].search([("uuid", "in", messages.mapped("sms_uuid"))])
    # As after a submission the gateway accepted (sms.sms._care_accepted).
    smses.write({"state": "pending", "care_gateway_id": gateway.id})
    smses.sms_tracker_id._action_update_from_sms_state("pending")
    by_uuid = {sms.uuid: sms for sms in smses}
    plan = [
        (*_report_path(gateway, by_uuid[message.sms_uuid], index), message)
        for index, message in enumerate(messages)
    ]
    env.cr.commit()
    elapsed = time.perf_counter() - started
    print(f"setup: {len(plan)} SMS sent and accepted in {elapsed:.1f} s")
    return gateway, template, partners, messages, smses, plan


def post(base_url, paths, concurrency):
    """POST every path; return (elapsed seconds, {status: count})."""
    target = urlsplit(base_url)
    local = threading.local()
    statuses = {}
    lock = threading.Lock()

    def send(path):
        connection = getattr(local, "connection", None)
        for _attempt in range(2):  # a worker may close a kept-alive connection
            if connection is None:
                connection = local.connection = http.client.HTTPConnection(
                    target.hostname, target.port or 80, timeout=60
                )
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                break
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = local.connection = None
        else:
            status = "connection error"
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, paths))
    return time.perf_counter() - started, statuses


def wait_applied(cr, timeout):
    """Seconds until the server's cron emptied the report inbox (or None)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        cr.rollback()  # a fresh snapshot: see what the server committed
        cr.execute(SQL("SELECT count(*) FROM service_care_sms_report"))
        if not cr.fetchone()[0]:
            return time.perf_counter() - started
        time.sleep(0.5)
    return None


def check(env, plan, smses):
    env.invalidate_all()
    expected_sms = {"delivered": ("sent", "delivered"), "failed": ("error", "failed")}
    lost = 0
    notifications = {
        n.mail_message_id.id: n
        for n in env["mail.notification"].search(
            [("mail_message_id", "in", smses.mail_message_id.ids)]
        )
    }
    sms_by_uuid = {sms.uuid: sms for sms in smses}
    for _path, outcome, message in plan:
        sms = sms_by_uuid[message.sms_uuid]
        notification = notifications[message.mail_message_id.id]
        ok = (
            (sms.state, sms.care_report_status) == expected_sms[outcome]
            and message.state == outcome
            and notification.notification_status
            == ("sent" if outcome == "delivered" else "exception")
        )
        lost += not ok
    return lost


def cleanup(env, created):
    gateway, template, partners, messages, smses, _plan = created
    mail_messages = smses.mail_message_id
    smses.unlink()
    messages.unlink()
    mail_messages.unlink()
    partners.unlink()
    template.unlink()
    gateway.unlink()
    env.cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--url", required=True, help="base URL of the running Odoo")
    parser.add_argument("-n", "--count", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds to wait for the cron"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        created = setup(env, args.count, args.url.rstrip("/"))
        smses, plan = created[4], created[5]
        elapsed, statuses = post(
            args.url, [path for path, *_ in plan], args.concurrency
        )
        print(
            f"posted: {len(plan)} reports in {elapsed:.1f} s = "
            f"{len(plan) / elapsed:.0f} reports/s with {args.concurrency} "
            f"connections; answers {statuses}"
        )
        drained = wait_applied(cr, args.timeout)
        if drained is None:
            print(f"applied: reports still waiting after {args.timeout} s")
        else:
            total = elapsed + drained
            print(
                f"applied: inbox empty {drained:.1f} s after the last answer, "
                f"{len(plan) / total:.0f} reports/s from first post to last applied"
            )
        lost = check(env, plan, smses)
        print(f"lost: {lost} of {len(plan)} reports not applied")
        if not args.keep:
            cleanup(env, created)
    return 1 if lost or set(statuses) != {200} else 0


if __name__ == "__main__":
    sys.exit(main())
