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
  waitlist, the variants are restocked, then its crons run, each woken by the
  one before (detection, scenario runner, dispatch, Odoo's mail queue): one
  email per customer for all their variants.

Each side runs as a shop's Odoo server runs its crons: ``--cron-workers``
processes (2 by default, as Odoo's ``max_cron_threads``), each doing what a
cron thread of the server does: it listens for the ``cron_trigger``
notification and calls Odoo's cron runner (``ir.cron._process_jobs``) when
woken. Every scheduled action is put off but the side's first one. Odoo's
cron is one job and runs in one worker; the addon's crons run side by side
once the first has committed work for the next. ``--cron-workers 1`` runs
them one after the other.

Every email is counted at the local SMTP sink (``tests_support.stack``), by
recipient and subject: none may be missing or doubled. The seconds run from
the start of the workers until the last of them finds no work left (its
process's exit, which unloads Odoo, is not counted); the SQL queries are those
of the workers' cursors (not their checks for work left) and the peak
resident memory that of the largest worker. The template databases (without
demo data) are copied for every run: ``bench_bis_odoo`` is created once,
``bench_bis_addon`` again at every start (with the addon's code as it is).
Exits 1 when an email is lost or doubled.
"""

import argparse
import collections
import json
import resource
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402

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
        schedule_crons(env, args.side)
    print(json.dumps({"pairs": len(pairs)}))


# The cron that starts each side's work; the others are woken by triggers.
STARTERS = {
    "odoo": "website_sale_stock.ir_cron_send_availability_email",
    "addon": "service_care.ir_cron_service_care_waitlist_detect",
}
# Without progress for this long while work is left, a worker gives up.
STUCK_SECONDS = 300
# Odoo's cron threads also look for due jobs every minute unwoken; here more
# often, so that a worker never waits on a trigger it was not told of.
POLL_SECONDS = 2


def schedule_crons(env, side):
    """Only this run's work is due: every scheduled action is put off, but
    the side's starter, due now; the rest follows the triggers, as on a
    shop's server."""
    env.cr.execute(
        SQL(
            "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '1 year'"
        )
    )
    starter = env.ref(STARTERS[side])
    env.cr.execute(
        SQL(
            "UPDATE ir_cron SET active = true, nextcall = now() at time zone 'UTC' "
            "WHERE id = %s",
            starter.id,
        )
    )


def work_left(cr, side):
    """Work still due for the side's crons."""
    if side == "odoo":
        query = "SELECT count(*) FROM stock_notification_product_partner_rel"
    else:
        query = """
        SELECT (SELECT count(*) FROM service_care_waitlist WHERE state = 'waiting')
             + (SELECT count(*) FROM service_care_scenario_run
                 WHERE state = 'running' AND next_at <= now() AT TIME ZONE 'UTC')
             + (SELECT count(*) FROM service_care_message
                 WHERE state = 'scheduled' AND scheduled_at <= now() AT TIME ZONE 'UTC')
             + (SELECT count(*) FROM mail_mail WHERE state = 'outgoing')
        """
    cr.execute(query)
    return cr.fetchone()[0]


def measure(args):
    """One of the side's cron workers, as a cron thread of Odoo's server: it
    listens for ``cron_trigger`` notifications and calls Odoo's cron runner
    (``ir.cron._process_jobs``) when woken, until no work is left; prints
    its figures. Its own checks go through a connection of their own, left
    out of the queries counted."""
    registry = Registry(args.database)  # loaded before the clock starts
    IrCron = registry["ir.cron"]
    stages = collections.Counter()
    timeline = []  # (cron, start, end): seconds from the start of the workers
    callback = IrCron._callback

    def timed_callback(self, cron_name, server_action_id):
        begun = time.perf_counter()
        try:
            return callback(self, cron_name, server_action_id)
        finally:
            ended = time.perf_counter()
            stages[cron_name] += ended - begun
            timeline.append((cron_name, begun - started, ended - started))

    IrCron._callback = timed_callback
    # Odoo notifies the cron threads on the "postgres" database.
    listener = psycopg2.connect(**sql_db.connection_info_for("postgres")[1])
    listener.autocommit = True
    listener.cursor().execute("LISTEN cron_trigger")
    checker = psycopg2.connect(**sql_db.connection_info_for(args.database)[1])
    checker.autocommit = True
    print("ready", flush=True)
    sys.stdin.readline()  # the parent starts every worker at once
    queries = sql_db.sql_counter
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = last_change = last_poll = time.perf_counter()
    last_left = None
    woken = True  # a server's cron threads look for due jobs when they start
    while True:
        if woken or time.perf_counter() - last_poll > POLL_SECONDS:
            IrCron._process_jobs(args.database)
            last_poll = time.perf_counter()
        left = work_left(checker.cursor(), args.side)
        if not left:
            break
        if left != last_left:
            last_left, last_change = left, time.perf_counter()
        elif time.perf_counter() - last_change > STUCK_SECONDS:
            raise SystemExit(f"stuck with {left} left")
        woken = bool(select.select([listener], [], [], 0.1)[0])
        listener.poll()
        woken = woken or bool(listener.notifies)
        listener.notifies.clear()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "finished_at": time.time(),  # the wall clock the parent reads
                "queries": sql_db.sql_counter - queries,
                "peak_mib": usage.ru_maxrss / 1024,
                "cpu": usage.ru_utime + usage.ru_stime - cpu,
                "stages": {name: round(sec, 2) for name, sec in stages.items()},
                "timeline": [
                    (name, round(start, 2), round(end, 2))
                    for name, start, end in timeline
                ],
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


def command(args, phase, side, db, shape, stack_env, profile=None):  # noqa: PLR0917
    return [
        sys.executable,
        *(["-m", "cProfile", "-o", profile] if profile else []),
        __file__,
        *("-c", args.config, "--phase", phase, "--side", side),
        *("--database", db, "--shape", shape),
        *("--smtp-host", stack_env["SERVICE_CARE_SMTP_HOST"]),
        *("--smtp-port", stack_env["SERVICE_CARE_SMTP_PORT"]),
    ]


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


def setup_child(args, side, db, shape, stack_env):
    output = subprocess.run(
        command(args, "setup", side, db, shape, stack_env),
        check=True,
        capture_output=True,
        text=True,
    )
    return last_json(output.stdout)


def cron_workers(args, side, db, shape, stack_env):
    """Run the side's cron workers at once, each a process of its own (a
    cron thread of Odoo's server); the seconds are the parent's, from the
    start of all to the end of the last."""
    workers = []
    for number in range(args.cron_workers):
        profile = args.profile and f"{args.profile}/{side}-{shape}-{number}.prof"
        workers.append(
            subprocess.Popen(
                command(args, "measure", side, db, shape, stack_env, profile),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for worker in workers:  # each has loaded the registry
            if worker.stdout.readline().strip() != "ready":
                raise SystemExit(f"a {side} worker failed to start")
        started = time.time()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate()[0] for worker in workers]
    finally:
        for worker in workers:  # none left running when one failed
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    if any(worker.returncode for worker in workers):
        raise SystemExit(f"a {side} worker failed")
    figures = [last_json(output) for output in outputs]
    # Until the last worker found no work left: a worker process's exit
    # (Odoo's registry let go) is not the side's work.
    seconds = max(figure["finished_at"] for figure in figures) - started
    stages = collections.Counter()
    for figure in figures:
        stages.update(figure["stages"])
    return {
        "seconds": seconds,
        "queries": sum(figure["queries"] for figure in figures),
        "peak_mib": max(figure["peak_mib"] for figure in figures),
        "cpu": [round(figure["cpu"], 2) for figure in figures],
        "stages": {name: round(sec, 2) for name, sec in stages.items()},
        "timelines": [figure["timeline"] for figure in figures],
    }


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
        setup_child(args, side, db, shape, stack_env)
        received(stack_env["SERVICE_CARE_SMTP_SPOOL"])  # empty the spool
        figures = cron_workers(args, side, db, shape, stack_env)
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
    parser.add_argument(
        "--cron-workers",
        type=int,
        default=2,
        help="cron workers per side (Odoo's server has 2 cron threads by default)",
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
    stack = stack_tools.Stack(stack_tools.bench_run_dir("service-care-bis-"))
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
