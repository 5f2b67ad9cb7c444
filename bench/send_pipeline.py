#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: N marketing emails from the send call to the SMTP server.

Usage: python3 bench/send_pipeline.py -c .build/odoo.conf -d DB
           [--counts 1000,10000]

For each N, on a copy of DB (a database with service_care; the copy is
dropped at the end): makes N customers with email consent, then, timed,
sends one marketing email to each with one ``service.care.message.send_template``
call and runs Odoo's mail queue (``process_email_queue``, as its cron does)
until none is left. Every email is counted at the local SMTP sink
(``tests_support.stack``, started here). Each N runs in a process of its own
and prints seconds, milliseconds and SQL queries (every cursor) per email,
and the peak resident memory of the timed part, so that memory can be
compared as N grows. Exits 1 when an email is lost or doubled.
"""

import argparse
import collections
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from back_in_stock import (  # noqa: E402
    parse_or_run_phase,
    received,
    run,
    use_smtp_sink,
    verdict,
)

from odoo import SUPERUSER_ID, api, sql_db  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from tests_support import stack as stack_tools  # noqa: E402


def setup(args):
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        # Any hour, no cap: every email goes out in this run.
        env.company.write(
            {
                "email": "shop@bench.example",
                "care_window_start": 0.0,
                "care_window_end": 0.0,
                "care_email_cap_hours": 0.0,
            }
        )
        use_smtp_sink(env, args)
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench customer {n}",
                    "email": f"bench{n}@example.com",
                    "country_id": env.ref("base.pl").id,
                    "tz": "Europe/Warsaw",
                }
                for n in range(args.count)
            ]
        )
        partners._care_set_consent("email", True, "import", "Benchmark consent.")
        env["mail.template"].create(
            {
                "name": "Benchmark",
                "model_id": env.ref("base.model_res_partner").id,
                "subject": "Hello {{ object.name }}",
                "body_html": '<p>Hi <t t-out="object.name"/>, '
                '<a href="https://shop.example.com/">shop</a></p>',
            }
        )
        env["mail.mail"].search([]).unlink()


def measure(args):
    registry = Registry(args.database)  # loaded before the clock starts
    queries = sql_db.sql_counter
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        template = env["mail.template"].search([("name", "=", "Benchmark")])
        partners = env["res.partner"].search([("email", "=like", "bench%@example.com")])
        env["service.care.message"].send_template(
            template, partners, "email", "marketing"
        )
    queued = time.perf_counter() - started
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["mail.mail"].process_email_queue()
            if not env["mail.mail"].search_count([("state", "=", "outgoing")]):
                break
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "queued": queued,
                "queries": sql_db.sql_counter - queries,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def child(args, phase, db, count, stack_env):
    output = subprocess.run(
        [
            *(sys.executable, __file__, "-c", args.config, "--phase", phase),
            *("-d", db, "--count", str(count)),
            *("--smtp-host", stack_env["SERVICE_CARE_SMTP_HOST"]),
            *("--smtp-port", stack_env["SERVICE_CARE_SMTP_PORT"]),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    lines = output.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--counts", default="1000,10000")
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parse_or_run_phase(parser, setup, measure)
    if args is None:
        return 0
    stack = stack_tools.Stack(stack_tools.bench_run_dir("service-care-send-"))
    rows, failed = [], False
    try:
        stack_env = stack.start()
        spool = stack_env["SERVICE_CARE_SMTP_SPOOL"]
        for count in (int(n) for n in args.counts.split(",")):
            db = f"{args.database}_send_pipeline"
            run("dropdb", "--if-exists", db)
            run("createdb", "-T", args.database, db)
            try:
                child(args, "setup", db, count, stack_env)
                received(spool)  # empty the spool
                figures = child(args, "measure", db, count, stack_env)
            finally:
                run("dropdb", "--if-exists", db)
            counts = received(spool)
            expected = {f"bench{n}@example.com" for n in range(count)}
            got = collections.Counter(
                rcpt for (rcpt, _subject), n in counts.items() for _ in range(n)
            )
            lost = len(expected - set(got))
            doubled = sum(n - 1 for n in got.values() if n > 1)
            failed |= bool(lost or doubled)
            rows.append((count, figures, sum(got.values()), lost, doubled))
            print(f"{count}: {json.dumps(figures)}", flush=True)
    finally:
        stack.stop()
    print(
        "\n| emails | seconds (queued in) | at the SMTP server | lost | doubled "
        "| ms per email | queries per email | peak MiB |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    for count, f, arrived, lost, doubled in rows:
        print(
            f"| {count} | {f['seconds']:.1f} ({f['queued']:.1f}) | {arrived} | {lost} "
            f"| {doubled} | {1000 * f['seconds'] / count:.2f} "
            f"| {f['queries'] / count:.2f} | {f['peak_mib']:.0f} |"
        )
    return verdict(failed)


if __name__ == "__main__":
    sys.exit(main())
