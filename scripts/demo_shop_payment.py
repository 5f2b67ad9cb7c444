#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Let the demo shop's customers pay: enable Odoo's wire transfer.

Usage (``make run`` calls it after installing ``payment_custom``):

    python3 scripts/demo_shop_payment.py -c .build/odoo.conf -d DB

A demo shop without a payment method stops at the checkout's last step,
where the consent boxes are. A shop's own database is configured by the shop:
this is for the demo only. Commits and exits.
"""

import argparse

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if env["ir.module.module"]._get("payment_custom").state != "installed":
            raise SystemExit("payment_custom is not installed in " + args.database)
        transfer = env.ref("payment.payment_provider_transfer")
        if transfer.state != "enabled":
            transfer.write({"state": "enabled", "is_published": True})
            transfer._transfer_ensure_pending_msg_is_set()
            print("Demo shop: customers pay by wire transfer")


if __name__ == "__main__":
    main()
