# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the weekly predictive-cart run on a shop at scale.

Creates CUSTOMERS customers with REMINDERS due reminders between them (on a
handful of replenished products), then runs the shipped cart worker crons as
Odoo's cron workers do and prints how long the run took and the peak memory,
batch by batch.

Run it on a scratch database with service_care installed (it adds customers,
products, reminders and carts, and commits them)::

    createdb -T <a service_care database> sc_bench
    python3 bench/replenishment_weekly_run.py -c .build/odoo.conf -d sc_bench

Options: ``--customers 20000 --reminders 100000 --batch 200``; ``--workers 2``
(the default) runs the two shipped cart worker crons in two processes at once,
as the two cron workers of a default Odoo do; ``--workers 1`` runs the whole
weekly run in one process (one cron worker doing both shares); ``--send`` also
times the scenario runner sending the carts' emails.
"""

import argparse
import json
import logging
import random
import resource
import subprocess
import sys
import threading
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import SQL

PRODUCTS = 25
SEED = 6


def rss_mb():
    """Current resident memory of this process, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_shop(env, customers, reminders):
    """Customers, replenished products and due reminders, inserted in bulk."""
    cr = env.cr
    company = env.company
    tag = f"bench{int(time.time())}"
    products = env["product.product"].create(
        [
            {
                "name": f"Bench refill {index} ({tag})",
                "list_price": 5.0 + index,
                "is_storable": True,
                "care_replenish": True,
                "care_days_per_unit": 30,
            }
            for index in range(PRODUCTS)
        ]
    )
    cr.execute(
        SQL(
            """
        INSERT INTO res_partner (name, email, active, type, lang, tz,
                                 customer_rank, is_company, create_date,
                                 write_date, create_uid, write_uid,
                                 autopost_bills, complete_name)
        SELECT %(tag)s || ' customer ' || n, %(tag)s || n || '@example.com',
               TRUE, 'contact', 'en_US', 'Europe/Warsaw', 1, FALSE,
               NOW(), NOW(), 1, 1, 'ask', %(tag)s || ' customer ' || n
          FROM generate_series(1, %(count)s) AS n
        RETURNING id
            """,
            tag=tag,
            count=customers,
        )
    )
    partner_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute(
        SQL(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
            partner_ids,
        )
    )
    rng = random.Random(SEED)
    today = fields.Date.context_today(env["res.partner"])
    rows = []
    # every customer gets at least one reminder, the rest spread at random;
    # one open reminder per customer and product
    pairs = {(partner, rng.randrange(PRODUCTS)) for partner in partner_ids}
    while len(pairs) < reminders:
        pairs.add((rng.choice(partner_ids), rng.randrange(PRODUCTS)))
    for partner, product_index in sorted(pairs):
        due = today + timedelta(days=rng.randrange(-3, 7))
        rows.append(
            (
                partner,
                products[product_index].id,
                company.id,
                today - timedelta(days=30),
                rng.choice((1, 1, 1, 2)),
                30.0,
                due,
            )
        )
    for start in range(0, len(rows), 10000):
        chunk = rows[start : start + 10000]
        cr.execute(
            SQL(
                """
            INSERT INTO service_care_reminder
                (partner_id, product_id, company_id, order_date, quantity,
                 days_per_unit, due_date, interval_days, interval_source,
                 state, postpone_count, create_date, write_date, create_uid,
                 write_uid)
            SELECT v.partner_id, v.product_id, v.company_id, v.order_date,
                   v.quantity, v.days_per_unit, v.due_date,
                   v.quantity * v.days_per_unit, 'product', 'scheduled', 0,
                   NOW(), NOW(), 1, 1
              FROM (VALUES %s) AS v(partner_id, product_id, company_id,
                   order_date, quantity, days_per_unit, due_date)
                """,
                SQL(", ").join(SQL("%s", row) for row in chunk),
            )
        )
    # the company's cart day and hour are now: the worker crons start the run
    company.write(
        {
            "care_cart_weekday": str(today.weekday()),
            "care_cart_hour": 0.0,
            "care_cart_last_run": False,
            "care_cart_run_day": False,
        }
    )
    stock = env.ref("stock.stock_location_stock")
    for product in products[: PRODUCTS - 3]:
        env["stock.quant"]._update_available_quantity(product, stock, 10**6)
    env.invalidate_all()
    return company, len(partner_ids), len(rows)


WORKER_CRONS = (
    "service_care.ir_cron_service_care_weekly_carts",
    "service_care.ir_cron_service_care_weekly_carts_2",
)


def run_worker(registry, batch, worker=None):
    """One cart worker cron (all of the run without ``worker``); its figures."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        batches = []
        original = env.registry["service.care.cart.builder"]._care_create_carts

        def timed(self, *args, **kwargs):
            orders = original(self, *args, **kwargs)
            batches.append((time.perf_counter(), rss_mb(), len(orders)))
            return orders

        env.registry["service.care.cart.builder"]._care_create_carts = timed
        rss_before = rss_mb()
        cpu_started = time.process_time()
        started = time.perf_counter()
        try:
            # A call hands back after a minute (service.care.batch.job) and
            # Odoo's cron runner calls it again while work is left: so do we.
            for _call in range(100):
                if worker is None:
                    env["service.care.reminder"]._cron_weekly_carts(batch_size=batch)
                else:
                    # what Odoo's cron worker runs: the shipped cron's own code
                    env.ref(WORKER_CRONS[worker]).method_direct_trigger()
                cr.commit()
                env.invalidate_all()
                if not env.company.care_cart_run_day or (
                    worker is not None
                    and not env["service.care.reminder"]._care_due_partners(
                        env.company,
                        env.company.care_cart_run_day,
                        limit=1,
                        shard=(worker, len(WORKER_CRONS)),
                    )
                ):
                    break
        finally:
            env.registry["service.care.cart.builder"]._care_create_carts = original
        cr.commit()
        return {
            "carts": sum(count for _at, _rss, count in batches),
            "elapsed": time.perf_counter() - started,
            "cpu": time.process_time() - cpu_started,
            "rss_before": rss_before,
            "peak": peak_mb(),
            "batches": [(at - started, rss, count) for at, rss, count in batches],
        }


def print_batches(batches):
    step = max(len(batches) // 10, 1)
    for index, (at, rss, count) in enumerate(batches):
        if index % step == 0 or index == len(batches) - 1:
            print(
                f"  batch {index + 1:4d}: {at:6.1f} s, {count} carts, RSS {rss:.0f} MB"
            )


def run_workers(args, customers, reminders):
    """The shipped cart worker crons, each in a process of its own, at once."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "-c",
                args.config,
                "-d",
                args.database,
                "--worker",
                str(index),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(len(WORKER_CRONS))
    ]
    results = [
        json.loads(worker.communicate()[0].splitlines()[-1]) for worker in workers
    ]
    elapsed = time.perf_counter() - started
    carts = sum(result["carts"] for result in results)
    print(
        f"Weekly run, {len(WORKER_CRONS)} cart worker crons: {carts} carts for "
        f"{customers} customers and {reminders} reminders in {elapsed:.1f} s "
        f"({carts / elapsed:.0f} carts/s)"
    )
    for index, result in enumerate(results):
        print(
            f"  worker {index}: {result['carts']} carts in "
            f"{result['elapsed']:.1f} s, {result['cpu']:.1f} s of CPU, "
            f"memory {result['rss_before']:.0f} MB before, peak "
            f"{result['peak']:.0f} MB"
        )
        print_batches(result["batches"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--reminders", type=int, default=100000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--workers",
        type=int,
        choices=(1, len(WORKER_CRONS)),
        default=len(WORKER_CRONS),
        help="1: one process runs the whole weekly run; 2: the two shipped "
        "cart worker crons run at once, a process each",
    )
    parser.add_argument("--send", action="store_true")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    logging.getLogger("odoo").setLevel(logging.WARNING)
    # commits per batch, as in production
    threading.current_thread().testing = False
    registry = Registry(args.database)

    if args.worker is not None:
        # one cart worker cron of several: figures as JSON for the parent
        print(json.dumps(run_worker(registry, args.batch, args.worker)))
        return 0

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        print(f"Creating {args.customers} customers, {args.reminders} reminders...")
        started = time.perf_counter()
        company, customers, reminders = make_shop(env, args.customers, args.reminders)
        company_id = company.id
        cr.commit()
        print(f"  done in {time.perf_counter() - started:.1f} s")

    if args.workers == 1:
        result = run_worker(registry, args.batch)
        elapsed, carts = result["elapsed"], result["carts"]
        print(
            f"Weekly run: {carts} carts for {customers} customers and "
            f"{reminders} reminders in {elapsed:.1f} s ({carts / elapsed:.0f} "
            f"carts/s; {result['cpu']:.1f} s of CPU in Odoo, the rest in "
            "PostgreSQL or waiting for a core)"
        )
        print(
            f"Memory: {result['rss_before']:.0f} MB before, "
            f"peak {result['peak']:.0f} MB"
        )
        print_batches(result["batches"])
    else:
        run_workers(args, customers, reminders)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].browse(company_id)
        print(f"Run still under way: {company.care_cart_run_day or 'no'}")
        again = env["service.care.reminder"]._cron_weekly_carts()
        cr.commit()
        print(f"The crons again in the same week: {again} carts (expected 0)")
        if args.send:
            started = time.perf_counter()
            done = env["service.care.scenario.run"]._cron_run(batch_size=500)
            cr.commit()
            print(
                f"Runner: {done} scenario runs stepped (cart emails) in "
                f"{time.perf_counter() - started:.1f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
