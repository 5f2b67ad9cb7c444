#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: queue N marketing emails through the send pipeline in one call.

Usage: python3 bench/send_pipeline.py -c .build/odoo.conf -d DB [-n 10000]

Generates N customers with consent in the database, sends one marketing email
to each with ``service.care.message.send_template`` and prints the time, the
queries and the peak memory of that call, then rolls everything back: the
database is left as it was. Not a test: run it by hand on a copy of a shop.
"""

import argparse
import time
import tracemalloc

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--count", type=int, default=10000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        started = time.perf_counter()
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
        template = env["mail.template"].create(
            {
                "name": "Benchmark",
                "model_id": env.ref("base.model_res_partner").id,
                "subject": "Hello {{ object.name }}",
                "body_html": '<p>Hi <t t-out="object.name"/>, '
                '<a href="https://shop.example.com/">shop</a></p>',
            }
        )
        env.flush_all()
        env.invalidate_all()
        print(f"setup: {args.count} customers in {time.perf_counter() - started:.1f} s")

        queries = cr.sql_log_count
        tracemalloc.start()
        started = time.perf_counter()
        messages = env["service.care.message"].send_template(
            template, partners, "email", "transactional"
        )
        env.flush_all()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        queued = messages.filtered(lambda m: m.state == "queued")
        print(
            f"send_template: {len(queued)}/{args.count} queued in {elapsed:.1f} s "
            f"({args.count / elapsed:.0f} messages/s), "
            f"{cr.sql_log_count - queries} queries, peak Python memory "
            f"{peak / 2**20:.0f} MiB"
        )
        cr.rollback()


if __name__ == "__main__":
    main()
