#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Scale the heavy runs out over Odoo worker processes with OCA queue_job.

Usage: python3 bench/scale_out.py -c .build/odoo.conf \\
           [--processes 1 2 4] [--customers 20000] [--reminders 100000] \\
           [--messages 20000] [--kill] [--quick]

Installs ``service_care_queue_job`` (with ``service_care`` and ``queue_job``,
no demo data) in a database, fills it once with CUSTOMERS customers,
REMINDERS reminders due this week and MESSAGES messages due now, then for
each process count copies it and starts an Odoo server as a shop runs it with
the job runner (``--workers N``, ``--load web,queue_job``, the service_care
channels at N jobs at once, no cron thread: the bench starts the work as the
crons would). It times two runs, each from the cron's call to the last job:

- the weekly predictive carts: the shipped cart cron enqueues one job per
  batch of customers; every worker process takes jobs;
- the dispatch of the messages: the dispatch cron enqueues N jobs that claim
  batches until none is due (called again, as Odoo's cron runner would,
  while some are left after a job's minute).

``--kill`` also kills (SIGKILL) an HTTP worker process in the middle of the
weekly run of every configuration of two processes or more; the job it ran is
given back to the queue by the addon's dead-job sweep (called here as its
cron would be, with no patience: the other jobs are over) and finishes on
another worker.

Prints, per process count, the time, the throughput per process and the
ratio to one process, and checks that every customer got one cart and every
message went to the mail queue once. Exits 1 otherwise. ``--quick`` is a
tenth of the size, for a try. Not a test: the full size takes a quarter of
an hour on a 2-core machine.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import odoo_process  # noqa: E402
from replenishment_weekly_run import make_shop  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import SQL  # noqa: E402

BASE_DB = "service_care_scale_base"
DATA_DB = "service_care_scale_data"
CART_CRON = "service_care.ir_cron_service_care_weekly_carts"
DISPATCH_CRON = "service_care.ir_cron_service_care_message_dispatch"


def psql(*args):
    subprocess.run(["psql", "-q", "-d", "postgres", *args], check=True)


def create_base(conf):
    """A database with the glue addon (and so service_care and queue_job)."""
    subprocess.run(["dropdb", "--if-exists", BASE_DB], check=True)
    subprocess.run(
        [
            *("click-odoo-initdb", "-c", conf, "-n", BASE_DB),
            *("-m", "service_care_queue_job", "--no-demo"),
            *("--cache-prefix", "scscale", "--cache-max-size", "1"),
        ],
        check=True,
    )


@contextlib.contextmanager
def environment(db):
    with Registry(db).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def fill(conf, customers, reminders, messages):
    """The data every configuration starts from, made once."""
    subprocess.run(["dropdb", "--if-exists", DATA_DB], check=True)
    subprocess.run(["createdb", "-T", BASE_DB, DATA_DB], check=True)
    odoo.tools.config.parse_config(["-c", conf, "-d", DATA_DB])
    with environment(DATA_DB) as env:
        company, customers, reminders = make_shop(env, customers, reminders)
        template = env["mail.template"].create(
            {
                "name": "Scale-out bench",
                "model_id": env.ref("base.model_res_partner").id,
                "subject": "Hello {{ object.name }}",
                "body_html": "<p>Dear <t t-out='object.name'/>, thank you.</p>",
            }
        )
        # Order updates (transactional): no consent or send hours in the way.
        env.cr.execute(
            SQL(
                """
                INSERT INTO service_care_message
                    (uuid, partner_id, company_id, channel, kind, state,
                     scheduled_at, res_model, res_id, mail_template_id,
                     create_date, write_date, create_uid, write_uid)
                SELECT md5(random()::text || p.id), p.id, %(company)s, 'email',
                       'transactional', 'scheduled', now() at time zone 'utc'
                       - interval '1 minute', 'res.partner', p.id, %(template)s,
                       now(), now(), 1, 1
                  FROM res_partner p
                 WHERE p.email LIKE %(pattern)s
                 ORDER BY p.id
                 LIMIT %(count)s
                """,
                company=company.id,
                template=template.id,
                count=messages,
                pattern="bench%@example.com",
            )
        )
        messages = env.cr.rowcount
        env.cr.commit()
    # the copies are made from it: nobody may be connected
    Registry.delete(DATA_DB)
    odoo.sql_db.close_db(DATA_DB)
    return customers, reminders, messages


class Server:
    """Odoo with N worker processes and the job runner."""

    def __init__(self, conf, db, processes, log_path):
        self.log_path = log_path
        channels = ",".join(
            f"{name}:{processes}"
            for name in (
                "root",
                "root.service_care.carts",
                "root.service_care.messages",
                "root.service_care.sms",
            )
        )
        self.process, self.url, _port = odoo_process.start(
            conf,
            db,
            log_path,
            [
                f"--workers={processes}",
                "--max-cron-threads=0",
                "--load=web,queue_job",
                # a job is a batch or a minute of work; the defaults fit
                "--limit-time-real=600",
                "--limit-time-cpu=600",
            ],
            env={"ODOO_QUEUE_JOB_CHANNELS": channels},
        )
        self.rpc = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object")
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        self.db = db
        self.uid = common.authenticate(db, "admin", "admin", {})

    def trigger(self, xmlid):
        """Run a cron now, as Odoo's cron runner does (its own code)."""
        module, name = xmlid.split(".")
        [cron_id] = self.rpc.execute_kw(
            self.db,
            self.uid,
            "admin",
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name)]],
            {"fields": ["res_id"]},
        )
        self.rpc.execute_kw(
            self.db,
            self.uid,
            "admin",
            "ir.cron",
            "method_direct_trigger",
            [[cron_id["res_id"]]],
        )

    def http_workers(self):
        return odoo_process.alive_workers(self.log_path, "HTTP")

    def stop(self):
        odoo_process.stop(self.process)


def query(db, sql):
    with environment(db) as env:
        env.cr.execute(sql)
        return env.cr.fetchall()


def jobs_left(db):
    [(count,)] = query(
        db,
        SQL(
            "SELECT count(*) FROM queue_job WHERE channel LIKE %s "
            "AND state NOT IN ('done', 'failed')",
            "root.service_care%",
        ),
    )
    return count


def requeue_dead(db):
    """The addon's dead-job sweep, as its cron calls it, with no patience."""
    with environment(db) as env:
        jobs = env["service.care.batch.job"]._care_requeue_dead_jobs(
            dead_after=timedelta(0)
        )
        count = len(jobs)
        env.cr.commit()
    return count


def run_carts(server, db, kill):
    """The weekly run, from the cron's call to the last job; its figures."""
    started = time.perf_counter()
    server.trigger(CART_CRON)
    killed = requeued = 0
    [(total,)] = query(
        db, SQL("SELECT count(DISTINCT partner_id) FROM service_care_reminder")
    )
    idle_since = None
    while True:
        time.sleep(0.5)
        [(carts,)] = query(
            db, SQL("SELECT count(*) FROM sale_order WHERE care_predictive")
        )
        if kill and not killed and carts > total * 0.4:
            workers = server.http_workers()
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed = 1
        [(running,)] = query(
            db,
            SQL(
                "SELECT count(*) FROM queue_job WHERE channel LIKE %s "
                "AND state IN ('pending', 'enqueued')",
                "root.service_care%",
            ),
        )
        left = jobs_left(db)
        if not left:
            break
        if not running:
            # only started jobs left: are they still working?
            idle_since = idle_since or time.perf_counter()
            if killed and time.perf_counter() - idle_since > 5:
                requeued += requeue_dead(db)
                idle_since = None
        else:
            idle_since = None
    elapsed = time.perf_counter() - started
    [(carts, customers, doubled)] = query(
        db,
        SQL(
            """
            SELECT count(*), count(DISTINCT partner_id),
                   count(*) - count(DISTINCT partner_id)
              FROM sale_order WHERE care_predictive
            """
        ),
    )
    [(jobs,)] = query(
        db,
        SQL("SELECT count(*) FROM queue_job WHERE channel = 'root.service_care.carts'"),
    )
    return {
        "elapsed": elapsed,
        "carts": carts,
        "customers": customers,
        "expected": total,
        "doubled": doubled,
        "jobs": jobs,
        "killed": killed,
        "requeued": requeued,
    }


def run_dispatch(server, db):
    """The dispatch of the due messages, from the cron's call to the last job."""
    due = SQL("SELECT count(*) FROM service_care_message WHERE state = 'scheduled'")
    started = time.perf_counter()
    server.trigger(DISPATCH_CRON)
    while True:
        time.sleep(0.5)
        if jobs_left(db):
            continue
        [(left,)] = query(db, due)
        if not left:
            break
        # a job's minute was up with messages left: the cron goes on
        server.trigger(DISPATCH_CRON)
    elapsed = time.perf_counter() - started
    [(queued, mails)] = query(
        db,
        SQL(
            """
            SELECT count(*) FILTER (WHERE m.state = 'queued'),
                   count(mm.id)
              FROM service_care_message m
              LEFT JOIN mail_mail mm ON mm.mail_message_id = m.mail_message_id
            """
        ),
    )
    [(jobs,)] = query(
        db,
        SQL(
            "SELECT count(*) FROM queue_job "
            "WHERE channel = 'root.service_care.messages'"
        ),
    )
    return {"elapsed": elapsed, "queued": queued, "mails": mails, "jobs": jobs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--reminders", type=int, default=100000)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--kill", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.customers //= 10
        args.reminders //= 10
        args.messages //= 10
    print(f"Database {BASE_DB}: service_care_queue_job, no demo data")
    create_base(args.config)
    print(
        f"Filling it: {args.customers} customers, {args.reminders} reminders, "
        f"{args.messages} messages due"
    )
    started = time.perf_counter()
    customers, reminders, messages = fill(
        args.config, args.customers, args.reminders, args.messages
    )
    print(f"  done in {time.perf_counter() - started:.0f} s")
    logs = Path(tempfile.mkdtemp(prefix="service-care-scale-"))
    results = {}
    for processes in args.processes:
        db = f"service_care_scale_{processes}"
        subprocess.run(["dropdb", "--if-exists", db], check=True)
        subprocess.run(["createdb", "-T", DATA_DB, db], check=True)
        print(f"{processes} process(es): Odoo with the job runner ({logs})")
        server = Server(args.config, db, processes, logs / f"odoo-{processes}.log")
        try:
            carts = run_carts(server, db, args.kill and processes > 1)
            print(f"  weekly run: {carts}")
            dispatch = run_dispatch(server, db)
            print(f"  dispatch: {dispatch}")
        finally:
            server.stop()
        results[processes] = (carts, dispatch)
    return report(results, customers, reminders, messages, os.cpu_count())


def report(results, customers, reminders, messages, cores):
    print()
    print(
        f"Weekly run: {reminders} reminders, {customers} customers; dispatch: "
        f"{messages} messages; {cores} cores"
    )
    print(
        "| processes | weekly run | carts/s per process | vs 1 | dispatch | "
        "messages/s per process | vs 1 | jobs | killed / requeued |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    base = results.get(min(results))
    failed = False
    for processes, (carts, dispatch) in sorted(results.items()):
        cart_rate = carts["carts"] / carts["elapsed"]
        mail_rate = dispatch["queued"] / dispatch["elapsed"]
        print(
            f"| {processes} | {carts['elapsed']:.0f} s | "
            f"{cart_rate / processes:.0f} | "
            f"{base[0]['elapsed'] / carts['elapsed']:.2f}x | "
            f"{dispatch['elapsed']:.0f} s | {mail_rate / processes:.0f} | "
            f"{base[1]['elapsed'] / dispatch['elapsed']:.2f}x | "
            f"{carts['jobs']} + {dispatch['jobs']} | "
            f"{carts['killed']} / {carts['requeued']} |"
        )
        if carts["customers"] != carts["expected"] or carts["doubled"]:
            failed = True
            print(
                f"  !! {carts['customers']} of {carts['expected']} customers "
                f"carted, {carts['doubled']} twice"
            )
        if dispatch["queued"] != messages or dispatch["mails"] != messages:
            failed = True
            print(
                f"  !! {dispatch['queued']} of {messages} messages queued, "
                f"{dispatch['mails']} emails"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
