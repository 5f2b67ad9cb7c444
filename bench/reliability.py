#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fault injection: break the send pipeline on purpose and count what arrives.

Usage: python3 bench/reliability.py -c .build/odoo.conf [-d DB] \\
           [--emails 5000] [--sms 2000] [--kills 20] [--quick]

Creates the database DB (default ``service_care_reliability``, dropped first,
installed without demo data), starts the local stack (SMTP sink, SMSC
simulator, Kannel: ``tests_support.stack``) and an Odoo server as shops run it
(``--workers 2 --max-cron-threads 2``), then runs one phase per fault. Each
phase makes its own customers, logs its messages as due (the dispatch cron
picks them up: dispatch -> Odoo's mail / SMS queue -> SMTP sink / Kannel), and
waits until none is left to send. Emails are counted at the SMTP sink and SMS
at the simulator, by recipient (one message each):

- ``sigkill``: the cron worker processes killed (SIGKILL) at random moments,
  ``--kills`` times, while the emails and SMS go out;
- ``smtp down``: the SMTP sink stopped for a minute, then started again;
- ``kannel down``: Kannel's smsbox stopped for a minute, then started again;
- ``smsc down``: the SMSC simulator stopped for a minute (Kannel holds the SMS);
- ``two queues``: two more processes run the dispatch, mail and SMS queues
  next to the server's cron workers;
- ``bad input``: forged and replayed tracking, cart, waitlist and delivery
  report requests, 10 MB bodies, malformed numbers and addresses, a template
  that fails to render, sent next to good messages.

Prints one table and exits 1 on any loss, any duplicate of a marketing message,
any server error or any forged request that changed something. A message a
kill left "may have gone out" is counted apart (it is held, shown to staff,
not lost); an order message sent again after a kill is a counted possible
duplicate. Not a test: it takes about a quarter of an hour.
"""

import argparse
import collections
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email import message_from_binary_file
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import odoo_process  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import SQL  # noqa: E402

from tests_support import stack as stack_tools  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import bad_input  # noqa: E402

DEPENDS = "sale_management,sale_stock,website_sale_stock,sms,portal"
SETTLE_TIMEOUT = 900  # seconds a phase may take to send everything
DOWN_FOR = 60  # seconds a server stays down
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ----------------------------------------------------------------------
# The database, the stack and the server
# ----------------------------------------------------------------------


def create_database(conf, db):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(
        [
            "click-odoo-initdb",
            "-c",
            conf,
            "-n",
            db,
            "-m",
            DEPENDS,
            "--no-demo",
            "--cache-prefix",
            "screl",
            "--cache-max-size",
            "2",
        ],
        check=True,
    )
    subprocess.run(
        [
            *(sys.executable, "-m", "odoo", "-c", conf, "-d", db),
            *("-i", "service_care", "--stop-after-init", "--log-level=warn"),
        ],
        check=True,
    )


def restart(stack, name, ready):
    """Start again a part of the stack that was stopped, and wait for it."""
    old = next(part for part in stack.parts if part.name == name)
    stack.parts.remove(old)
    part = stack._start(name, old.process.args)
    part.wait_until(ready, "back up")


def stop(stack, name):
    next(part for part in stack.parts if part.name == name).stop()


class Server:
    """An Odoo server with workers, as a shop runs it."""

    def __init__(self, conf, db, log_path):
        self.log_path = log_path
        self.process, self.url, self.http_port = odoo_process.start(
            conf, db, log_path, ["--workers=2", "--max-cron-threads=2"]
        )

    def cron_workers(self):
        """The pids of the cron worker processes alive now."""
        return odoo_process.alive_workers(self.log_path, "Cron")

    def stop(self):
        odoo_process.stop(self.process)


# ----------------------------------------------------------------------
# Setup and phases, through Odoo's API in this process
# ----------------------------------------------------------------------


@contextlib.contextmanager
def environment(db):
    with Registry(db).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def setup(db, stack_env, server_url):
    with environment(db) as env:
        company = env.ref("base.main_company")
        company.write(
            {
                "email": "shop@reliability.example",
                # all day and no cap: every phase sends at once
                "care_window_start": 0.0,
                "care_window_end": 0.0,
                "care_email_cap_hours": 0.0,
                "care_sms_cap_hours": 0.0,
            }
        )
        env["ir.mail_server"].search([]).active = False
        env["ir.mail_server"].create(
            {
                "name": "SMTP sink",
                "smtp_host": stack_env["SERVICE_CARE_SMTP_HOST"],
                "smtp_port": int(stack_env["SERVICE_CARE_SMTP_PORT"]),
                "smtp_encryption": "none",
            }
        )
        env["service.care.sms.gateway"].create(
            {
                "name": "Kannel",
                "provider": "kannel",
                "url": stack_env["SERVICE_CARE_KANNEL_SENDSMS_URL"],
                "username": stack_env["SERVICE_CARE_KANNEL_USER"],
                "password": stack_env["SERVICE_CARE_KANNEL_PASSWORD"],
                "sender": "Shop",
                "is_default": True,
                "callback_base_url": server_url,
                "number_hourly_limit": 0,
                "user_hourly_limit": 0,
            }
        )
        partner_model = env.ref("base.model_res_partner").id
        env["mail.template"].create(
            {
                "name": "Reliability email",
                "model_id": partner_model,
                "subject": "For {{ object.name }}",
                "body_html": '<p>Hello <t t-out="object.name"/>, '
                '<a href="https://shop.example.com/">our shop</a>.</p>',
            }
        )
        env["mail.template"].create(
            {
                "name": "Reliability broken email",
                "model_id": partner_model,
                "subject": "Broken",
                "body_html": '<p><t t-out="object.care_no_such_field.name"/></p>',
            }
        )
        env["sms.template"].create(
            {
                "name": "Reliability SMS",
                "model_id": partner_model,
                "body": "Hello {{ object.name }}",
            }
        )
        # The queues are woken by the pipeline; a short interval only makes
        # a killed run come back sooner.
        for xmlid in (
            "mail.ir_cron_mail_scheduler_action",
            "sms.ir_cron_sms_scheduler_action",
            "service_care.ir_cron_service_care_message_dispatch",
        ):
            env.ref(xmlid).write({"interval_number": 1, "interval_type": "minutes"})


def make_customers(env, phase, count, index):
    """``count`` customers with consent, unique emails and mobile numbers."""
    partners = env["res.partner"].create(
        [
            {
                "name": f"{phase} {n}",
                "email": f"{phase.replace(' ', '-')}-{n}@reliability.example",
                "mobile": f"+48 60{index} {n // 1000:03d} {n % 1000:03d}",
                "country_id": env.ref("base.pl").id,
                "tz": "Europe/Warsaw",
                "lang": "en_US",
            }
            for n in range(count)
        ]
    )
    for channel in ("email", "sms"):
        partners._care_set_consent(channel, True, "import", "Reliability run.")
    return partners


def log_messages(env, partners, channel, template_name, order_every=10):
    """Log one due message per customer; every tenth an order message."""
    template_model = "mail.template" if channel == "email" else "sms.template"
    template = env[template_model].search([("name", "=", template_name)], limit=1)
    field = "mail_template_id" if channel == "email" else "sms_template_id"
    company = env.ref("base.main_company")
    messages = env["service.care.message"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "channel": channel,
                "kind": "transactional" if n % order_every == 0 else "marketing",
                "res_model": "res.partner",
                "res_id": partner.id,
                field: template.id,
            }
            for n, partner in enumerate(partners)
        ]
    )
    env.ref("service_care.ir_cron_service_care_message_dispatch")._trigger()
    return messages


def open_work(db, message_ids):
    """How many of these messages are still to be sent."""
    with environment(db) as env:
        env.cr.execute(
            SQL(
                "SELECT count(*) FROM service_care_message "
                "WHERE id IN %s AND state IN ('scheduled', 'queued')",
                tuple(message_ids),
            )
        )
        return env.cr.fetchone()[0]


def wait_settled(db, message_ids, timeout=SETTLE_TIMEOUT, on_tick=None):
    deadline = time.monotonic() + timeout
    while (left := open_work(db, message_ids)) and time.monotonic() < deadline:
        if on_tick:
            on_tick()
        time.sleep(1)
    return left


# ----------------------------------------------------------------------
# Counting
# ----------------------------------------------------------------------


def emails_received(spool):
    counts = collections.Counter()
    for path in Path(spool).glob("*.eml"):
        with open(path, "rb") as handle:
            counts[message_from_binary_file(handle)["X-Sink-Rcpt-To"]] += 1
    return counts


def sms_received(control_url):
    with _opener.open(f"{control_url}/messages", timeout=30) as answer:
        messages = json.load(answer)
    return collections.Counter(f"+{m['destination'].lstrip('+')}" for m in messages)


def tally(db, message_ids, received_emails, received_sms):
    """Figures of one phase from the log and what the servers received."""
    with environment(db) as env:
        messages = env["service.care.message"].browse(message_ids)
        row = collections.Counter()
        for message in messages:
            if message.channel == "email":
                got = received_emails[message.partner_id.email]
            else:
                number = "+" + re.sub(r"\D", "", message.partner_id.mobile or "")
                got = received_sms[number]
            row["messages"] += 1
            row["received"] += min(got, 1)
            if message.state == "uncertain":
                row["uncertain"] += 1
                row["uncertain, had arrived"] += int(got > 0)
            elif got == 0:
                row["lost"] += 1
            if got > 1:
                key = "dup marketing" if message.kind == "marketing" else "dup order"
                row[key] += got - 1
            row["flagged dup"] += message.possible_duplicate_count
        return row


# ----------------------------------------------------------------------
# Phases
# ----------------------------------------------------------------------


class Run:
    def __init__(self, args, stack, stack_env, server):
        self.args = args
        self.db = args.database
        self.stack = stack
        self.env = stack_env
        self.server = server
        self.rows = []
        self.sms_before = collections.Counter()

    def received(self):
        return (
            emails_received(self.env["SERVICE_CARE_SMTP_SPOOL"]),
            self.sms_before + sms_received(self.env["SERVICE_CARE_SMSC_CONTROL_URL"]),
        )

    def phase(self, name, index, emails, sms, *, fault=None, on_tick=None):
        with environment(self.db) as env:
            partners = make_customers(env, name, max(emails, sms), index)
            ids = log_messages(env, partners[:emails], "email", "Reliability email").ids
            ids += log_messages(env, partners[:sms], "sms", "Reliability SMS").ids
        started = time.monotonic()
        if fault:
            fault()
        left = wait_settled(self.db, ids, on_tick=on_tick)
        elapsed = time.monotonic() - started
        time.sleep(3)  # the last SMS through Kannel to the simulator
        row = tally(self.db, ids, *self.received())
        row["left unsent"] = left
        self.rows.append((name, row, elapsed))
        print(f"  {dict(row)} in {elapsed:.0f} s", flush=True)
        return row

    def sigkill(self):
        kills = []
        rng = random.Random(20261202)
        next_kill = [time.monotonic() + rng.uniform(2, 5)]

        def tick():
            if len(kills) >= self.args.kills or time.monotonic() < next_kill[0]:
                return
            workers = self.server.cron_workers()
            if workers:
                pid = rng.choice(workers)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
            next_kill[0] = time.monotonic() + rng.uniform(2, 8)

        self.phase("sigkill", 1, self.args.emails, self.args.sms, on_tick=tick)
        self.rows[-1][1]["kills"] = len(kills)

    def smtp_down(self):
        port = int(self.env["SERVICE_CARE_SMTP_PORT"])

        def fault():
            time.sleep(2)
            stop(self.stack, "smtp-sink")
            time.sleep(DOWN_FOR)
            restart(self.stack, "smtp-sink", lambda: stack_tools.smtp_banner(port))

        self.phase("smtp down", 2, self.args.emails // 5, 0, fault=fault)

    def kannel_down(self):
        url = self.env["SERVICE_CARE_KANNEL_SENDSMS_URL"]

        def fault():
            stop(self.stack, "smsbox")
            time.sleep(DOWN_FOR)
            restart(self.stack, "smsbox", lambda: stack_tools.http_get(url) is not None)

        self.phase("kannel down", 3, 0, self.args.sms // 4, fault=fault)

    def smsc_down(self):
        control = self.env["SERVICE_CARE_SMSC_CONTROL_URL"]

        def fault():
            # the simulator forgets what it received: keep the count
            self.sms_before += sms_received(control)
            stop(self.stack, "smsc-sim")
            time.sleep(DOWN_FOR)
            restart(
                self.stack,
                "smsc-sim",
                lambda: stack_tools.http_get(f"{control}/messages") is not None,
            )

        self.phase("smsc down", 4, 0, self.args.sms // 4, fault=fault)

    def two_queues(self):
        hammers = []

        def fault():
            for _index in range(2):
                hammers.append(
                    subprocess.Popen(
                        [
                            *(sys.executable, __file__, "-c", self.args.config),
                            *("-d", self.db, "--queues-for", "120"),
                        ],
                        cwd=ROOT,
                    )
                )

        self.phase(
            "two queues", 5, self.args.emails // 5, self.args.sms // 4, fault=fault
        )
        for hammer in hammers:
            hammer.wait()

    def bad_input(self):
        row = bad_input.attack(self.db, self.server.url, environment, wait_settled)
        self.rows.append(("bad input", row, row.pop("seconds")))

    # ------------------------------------------------------------------

    def table(self):
        columns = [
            "messages",
            "received",
            "lost",
            "dup marketing",
            "dup order",
            "flagged dup",
            "uncertain",
            "uncertain, had arrived",
            "left unsent",
            "kills",
        ]
        print()
        print(f"| fault | {' | '.join(columns)} | seconds |")
        print(f"|---|{'---|' * len(columns)}---|")
        for name, row, elapsed in self.rows:
            if name == "bad input":
                continue
            cells = " | ".join(str(row.get(col, 0)) for col in columns)
            print(f"| {name} | {cells} | {elapsed:.0f} |")
        for name, row, elapsed in self.rows:
            if name != "bad input":
                continue
            print()
            print("| bad input | count | accepted | 4xx | 5xx | seconds |")
            print("|---|---|---|---|---|---|")
            for kind, figures in row.items():
                print(
                    f"| {kind} | {figures['count']} | {figures['accepted']} | "
                    f"{figures.get('4xx', 0)} | {figures.get('5xx', 0)} | "
                    f"{figures.get('seconds', elapsed):.0f} |"
                )

    def failures(self):
        bad = []
        for name, row, _elapsed in self.rows:
            if name == "bad input":
                for kind, figures in row.items():
                    if figures["accepted"] or figures.get("5xx"):
                        bad.append(f"bad input, {kind}")
                continue
            if row["lost"] or row["dup marketing"] or row["left unsent"]:
                bad.append(name)
        return bad


def run_queues(args):
    """``--queues-for``: one more process on the dispatch, mail and SMS queues."""
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    deadline = time.monotonic() + args.queues_for
    while time.monotonic() < deadline:
        for call in (
            lambda env: env["service.care.message"]._cron_dispatch(),
            lambda env: env["mail.mail"].process_email_queue(),
            lambda env: env["sms.sms"]._process_queue(),
        ):
            try:
                with environment(args.database) as env:
                    call(env)
            except Exception as error:  # counted by the phase
                print(f"queue process: {error}", file=sys.stderr)
        time.sleep(0.2)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="service_care_reliability")
    parser.add_argument("--emails", type=int, default=5000)
    parser.add_argument("--sms", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a tenth of the load")
    parser.add_argument("--queues-for", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queues_for:
        return run_queues(args)
    if args.quick:
        args.emails, args.sms, args.kills = args.emails // 10, args.sms // 10, 5
    started = time.monotonic()
    print(f"Creating the database {args.database} (without demo data)")
    create_database(args.config, args.database)
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    run_dir = Path(tempfile.mkdtemp(prefix="service-care-reliability-"))
    stack = stack_tools.Stack(run_dir)
    server = None
    try:
        stack_env = stack.start()
        server = Server(args.config, args.database, run_dir / "odoo.log")
        setup(args.database, stack_env, server.url)
        run = Run(args, stack, stack_env, server)
        for phase in (
            run.sigkill,
            run.smtp_down,
            run.kannel_down,
            run.smsc_down,
            run.two_queues,
            run.bad_input,
        ):
            print(f"Phase: {phase.__name__}", flush=True)
            phase()
        run.table()
        print(f"\nRun time: {time.monotonic() - started:.0f} s; logs in {run_dir}")
        failed = run.failures()
        if failed:
            print(f"FAILED: {', '.join(failed)}")
            return 1
        print("No message lost, no marketing message sent twice.")
        return 0
    finally:
        if server:
            server.stop()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
