#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Send a database's SMS through the local Kannel of ``tests_support.stack``.

Usage (inside the stack, before Odoo starts):

    python3 scripts/sms_gateway_from_env.py -c .build/odoo.conf -d DB \\
        --base-url http://127.0.0.1:8069

Reads ``SERVICE_CARE_KANNEL_SENDSMS_URL``, ``_USER`` and ``_PASSWORD`` (new at
every start of the stack), creates or updates the gateway "Local Kannel" of
the main company and makes it the default one, with Kannel calling Odoo back
at ``--base-url``. When ``SERVICE_CARE_MO_RELAY_URL`` is set, points the
stack's relay for inbound SMS at the gateway's inbound URL, so that STOP
replies sent to the simulator reach Odoo. Commits and exits.
"""

import argparse
import json
import os
import sys
import urllib.request

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

GATEWAY_NAME = "Local Kannel"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--base-url", required=True, help="where Kannel reaches Odoo")
    parser.add_argument("--sender", default="ServiceCare")
    args = parser.parse_args()
    try:
        url = os.environ["SERVICE_CARE_KANNEL_SENDSMS_URL"]
        username = os.environ["SERVICE_CARE_KANNEL_USER"]
        password = os.environ["SERVICE_CARE_KANNEL_PASSWORD"]
    except KeyError as missing:
        print(f"{missing} is not set: run inside tests_support.stack", file=sys.stderr)
        return 1
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        Gateway = env["service.care.sms.gateway"].with_context(active_test=False)
        gateway = Gateway.search(
            [("name", "=", GATEWAY_NAME), ("company_id", "=", company.id)], limit=1
        )
        values = {
            "name": GATEWAY_NAME,
            "active": True,
            "is_default": True,
            "company_id": company.id,
            "provider": "kannel",
            "url": url,
            "username": username,
            "password": password,
            "callback_base_url": args.base_url.rstrip("/"),
        }
        if gateway:
            # the demo's history made it without a sender: Kannel refuses
            # an SMS without one
            gateway.write({**values, "sender": gateway.sender or args.sender})
        else:
            gateway = Gateway.create({**values, "sender": args.sender})
        mo_url = gateway.mo_url.partition("?")[0]
        done = f"SMS of {company.name} go through {url} (gateway {gateway.id})"
        cr.commit()
    relay = os.environ.get("SERVICE_CARE_MO_RELAY_URL")
    if relay:
        request = urllib.request.Request(
            f"{relay}/target",
            data=json.dumps({"url": mo_url}).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        _opener.open(request, timeout=10).read()
    print(done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
