#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: back in stock, the addon against Odoo's own cron, side by side.

Usage: python3 bench/back_in_stock.py -c .build/odoo.conf [--shapes SHAPES]
           [--quick]

For each shape ``CUSTOMERSxPERxVARIANTS`` (customers, variants each customer
waits for, variants in all), on fresh data of that shape:

- **Odoo**: a database with ``website_sale_stock`` only; the customers are on
  the variants' ``stock_notification_partner_ids`` (the shop's "notify me"),
  the variants are restocked, then Odoo's cron ``_send_availability_email``
  runs: one email per customer and variant, each sent as it is made;
- **the addon**: a database with ``service_care``; the customers are on the
  waitlist, the variants are restocked, then the crons a shop's server runs
  are called until nothing is left (detection, scenario runner, dispatch,
  Odoo's mail queue): one email per customer for all their variants.

Every email is counted at the local SMTP sink (``tests_support.stack``), by
recipient and subject: none may be missing or doubled. Each side runs in a
process of its own (setup in another one), which prints its seconds, emails,
SQL queries (every cursor of the process) and peak resident memory. The
template databases (without demo data) are copied for every run:
``bench_bis_odoo`` is created once, ``bench_bis_addon`` again at every start
(with the addon's code as it is). Exits 1 when an email is lost
or doubled.
"""

import argparse
import collections
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api, sql_db  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import SQL  # noqa: E402

from tests_support import stack as stack_tools  # noqa: E402

SHAPES = "1000x10x1000,10000x1x1000,1000x1x100"
ODOO_TEMPLATE = "bench_bis_odoo"
ADDON_TEMPLATE = "bench_bis_addon"
SIDES = ("odoo", "addon")
QTY_BACK = 1000  # units back per variant: enough for every customer waiting


def run(*command):
    subprocess.run(command, check=True)


def database_exists(name):
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip() == "1"


def create_templates(conf, reuse=False):
    """The two template databases, without demo data."""
    if not database_exists(ODOO_TEMPLATE):
        print(f"Creating {ODOO_TEMPLATE} (website_sale_stock, once)", flush=True)
        run(
            *("click-odoo-initdb", "-c", conf, "-n", ODOO_TEMPLATE),
            *("-m", "website_sale_stock", "--no-demo", "--no-cache"),
        )
    if reuse and database_exists(ADDON_TEMPLATE):
        return
    # Made again at every run: it carries the addon's code as it is now.
    print(f"Creating {ADDON_TEMPLATE} (service_care)", flush=True)
    run("dropdb", "--if-exists", ADDON_TEMPLATE)
    run("createdb", "-T", ODOO_TEMPLATE, ADDON_TEMPLATE)
    run(
        *(sys.executable, "-m", "odoo", "-c", conf, "-d", ADDON_TEMPLATE),
        *("-i", "service_care", "--stop-after-init", "--log-level=warn"),
    )


def tenth(shape):
    """The shape with a tenth of the customers."""
    customers, rest = shape.split("x", 1)
    return f"{max(int(customers) // 10, 1)}x{rest}"


def parse_shape(text):
    customers, per, variants = (int(part) for part in text.lower().split("x"))
    if per > variants:
        raise SystemExit(f"{text}: a customer cannot wait for more variants than exist")
    return customers, per, variants


# ----------------------------------------------------------------------
# In the child processes
# ----------------------------------------------------------------------


def environment(db):
    return Registry(db).cursor()


def use_smtp_sink(env, args):
    """Send every email of this database to the stack's SMTP sink."""
    env["ir.mail_server"].search([]).active = False
    env["ir.mail_server"].create(
        {
            "name": "SMTP sink",
            "smtp_host": args.smtp_host,
            "smtp_port": args.smtp_port,
            "smtp_encryption": "none",
        }
    )


def setup(args):
    """Make the shape's customers, variants and subscriptions; restock."""
    customers, per, variants = parse_shape(args.shape)
    with environment(args.database) as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        company.write({"email": "shop@bench.example"})
        if args.side == "addon":
            # No quiet hours nor cap: every email goes out in this run.
            company.write(
                {
                    "care_window_start": 0.0,
                    "care_window_end": 0.0,
                    "care_email_cap_hours": 0.0,
                    "care_sms_cap_hours": 0.0,
                }
            )
        use_smtp_sink(env, args)
        templates = env["product.template"].create(
            [
                {
                    "name": f"Bench variant {n}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10.0 + n % 50,
                    "website_published": True,
                }
                for n in range(variants)
            ]
        )
        products = templates.product_variant_id
        partners = env["res.partner"].create(
            [
                {"name": f"Bench customer {n}", "email": f"customer{n}@bench.example"}
                for n in range(customers)
            ]
        )
        # Customer n waits for the variants n, n+1, ... (modulo): every
        # variant has the same number of customers waiting.
        pairs = [
            (partner.id, products[(n * per + k) % variants].id)
            for n, partner in enumerate(partners)
            for k in range(per)
        ]
        if args.side == "odoo":
            cr.execute(
                SQL(
                    "INSERT INTO stock_notification_product_partner_rel "
                    "(product_product_id, res_partner_id) VALUES %s",
                    SQL(", ").join(SQL("(%s, %s)", p, c) for c, p in pairs),
                )
            )
        else:
            website = env["website"].search([], limit=1)
            env["service.care.waitlist"].create(
                [
                    {
                        "partner_id": c,
                        "product_id": p,
                        "website_id": website.id,
                        "source": "shop",
                        "state": "waiting",
                    }
                    for c, p in pairs
                ]
            )
        location = env.ref("stock.warehouse0").lot_stock_id
        Quant = env["stock.quant"].with_context(inventory_mode=True)
        Quant.create(
            [
                {
                    "product_id": product.id,
                    "location_id": location.id,
                    "inventory_quantity": QTY_BACK,
                }
                for product in products
            ]
        ).action_apply_inventory()
        # Nothing else waiting in the queues: only this run's emails count.
        env["mail.mail"].search([]).unlink()
        cr.execute(SQL("DELETE FROM ir_cron_trigger"))
    print(json.dumps({"pairs": len(pairs)}))


def addon_left(env):
    """Work still due for the addon's crons."""
    env.flush_all()
    cr = env.cr
    cr.execute(
        SQL(
            """
        SELECT (SELECT count(*) FROM service_care_waitlist WHERE state = 'waiting')
             + (SELECT count(*) FROM service_care_scenario_run
                 WHERE state = 'running' AND next_at <= now() AT TIME ZONE 'UTC')
             + (SELECT count(*) FROM service_care_message
                 WHERE state = 'scheduled' AND scheduled_at <= now() AT TIME ZONE 'UTC')
             + (SELECT count(*) FROM mail_mail WHERE state = 'outgoing')
            """
        )
    )
    return cr.fetchone()[0]


def measure(args):
    """Run one side, as its crons run, and print its figures."""
    Registry(args.database)  # loaded before the clock starts, on both sides
    queries = sql_db.sql_counter
    stages = {}
    started = time.perf_counter()
    if args.side == "odoo":
        with environment(args.database) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"]._send_availability_email()
    else:
        calls = {
            "detect": lambda env: env["service.care.waitlist"]._cron_detect(),
            "scenario": lambda env: env["service.care.scenario.run"]._cron_run(),
            "dispatch": lambda env: env["service.care.message"]._cron_dispatch(),
            "smtp": lambda env: env["mail.mail"].process_email_queue(),
        }
        while True:
            for stage, call in calls.items():
                stage_started = time.perf_counter()
                with environment(args.database) as cr:
                    call(api.Environment(cr, SUPERUSER_ID, {}))
                stages[stage] = (
                    stages.get(stage, 0.0) + time.perf_counter() - stage_started
                )
            with environment(args.database) as cr:
                if not addon_left(api.Environment(cr, SUPERUSER_ID, {})):
                    break
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "queries": sql_db.sql_counter - queries,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "stages": {stage: round(sec, 2) for stage, sec in stages.items()},
            }
        )
    )


def verdict(failed):
    """The exit code: 1, said, when an email was lost or doubled."""
    if failed:
        print("FAILED: an email was lost or doubled")
    return int(bool(failed))


def parse_or_run_phase(parser, setup_phase, measure_phase):
    """Parse the arguments; in a child (``--phase``), run its phase and
    return None."""
    parser.add_argument("--phase", choices=("setup", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--smtp-host", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.phase:
        return args
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    (setup_phase if args.phase == "setup" else measure_phase)(args)
    return None


# ----------------------------------------------------------------------
# The parent: stack, databases, children, counting at the sink
# ----------------------------------------------------------------------


def child(args, phase, side, db, shape, stack_env):  # noqa: PLR0917
    profile = []
    if args.profile and phase == "measure":
        profile = ["-m", "cProfile", "-o", f"{args.profile}/{side}-{shape}.prof"]
    output = subprocess.run(
        [
            sys.executable,
            *profile,
            __file__,
            *("-c", args.config, "--phase", phase, "--side", side),
            *("--database", db, "--shape", shape),
            *("--smtp-host", stack_env["SERVICE_CARE_SMTP_HOST"]),
            *("--smtp-port", stack_env["SERVICE_CARE_SMTP_PORT"]),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def received(spool):
    """Counter of (recipient, subject) of the emails in the spool."""
    counts = collections.Counter()
    for path in Path(spool).glob("*.eml"):
        rcpt = subject = ""
        with path.open("rb") as eml:
            for raw in eml:
                line = raw.decode(errors="replace").rstrip("\r\n")
                if not line:
                    break
                if line.startswith("X-Sink-Rcpt-To:"):
                    rcpt = line.split(":", 1)[1].strip()
                elif line.startswith("Subject:"):
                    subject = line.split(":", 1)[1].strip()
        counts[(rcpt, subject)] += 1
        path.unlink()
    return counts


def one_side(args, side, shape, stack_env):
    customers, per, _variants = parse_shape(shape)
    db = f"bench_bis_{side}_run"
    run("dropdb", "--if-exists", db)
    run("createdb", "-T", ODOO_TEMPLATE if side == "odoo" else ADDON_TEMPLATE, db)
    try:
        child(args, "setup", side, db, shape, stack_env)
        received(stack_env["SERVICE_CARE_SMTP_SPOOL"])  # empty the spool
        figures = child(args, "measure", side, db, shape, stack_env)
    finally:
        run("dropdb", "--if-exists", db)
    counts = received(stack_env["SERVICE_CARE_SMTP_SPOOL"])
    emails = sum(counts.values())
    expected = customers * per if side == "odoo" else customers
    recipients = {rcpt for rcpt, _subject in counts}
    figures.update(
        emails=emails,
        doubled=sum(n - 1 for n in counts.values() if n > 1),
        lost=max(expected - len(counts), 0),
        recipients=len(recipients),
        expected=expected,
    )
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--shapes", default=SHAPES)
    parser.add_argument(
        "--sides", default=",".join(SIDES), help="odoo,addon (both by default)"
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the customers")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep bench_bis_addon as it is (its fields must match the code)",
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="write cProfile statistics of each run there"
    )
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    args = parse_or_run_phase(parser, setup, measure)
    if args is None:
        return 0
    shapes = args.shapes.split(",")
    if args.quick:
        shapes = [tenth(shape) for shape in shapes]
    create_templates(args.config, args.reuse)
    stack = stack_tools.Stack(Path(tempfile.mkdtemp(prefix="service-care-bis-")))
    rows, failed = [], False
    try:
        stack_env = stack.start()
        for shape in shapes:
            result = {}
            for side in args.sides.split(","):
                print(f"{shape}: {side}...", flush=True)
                result[side] = one_side(args, side, shape, stack_env)
                print(f"  {json.dumps(result[side])}", flush=True)
                failed |= bool(result[side]["lost"] or result[side]["doubled"])
            rows.append((shape, result))
    finally:
        stack.stop()
    print(
        "\n| customers x variants each (variants) | side | seconds | emails "
        "| lost | doubled | ms per email | queries per email | peak MiB |"
        "\n|---|---|---|---|---|---|---|---|---|"
    )
    for shape, result in rows:
        customers, per, variants = parse_shape(shape)
        for side, r in result.items():
            emails = max(r["emails"], 1)
            print(
                f"| {customers} x {per} ({variants}) | {side} | {r['seconds']:.1f} "
                f"| {r['emails']} | {r['lost']} | {r['doubled']} "
                f"| {1000 * r['seconds'] / emails:.1f} | {r['queries'] / emails:.1f} "
                f"| {r['peak_mib']:.0f} |"
            )
        if len(result) == len(SIDES):
            ratio = result["odoo"]["seconds"] / result["addon"]["seconds"]
            label = f"{customers} x {per} ({variants})"
            print(f"| {label} | **Odoo / addon** | **{ratio:.1f}x** | | | | | | |")
    return verdict(failed)


if __name__ == "__main__":
    sys.exit(main())
