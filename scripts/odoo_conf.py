#!/usr/bin/env python3
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Check that python3 imports Odoo 18.0 and write the Odoo config the Makefile uses.

Usage: python3 scripts/odoo_conf.py OUTPUT.conf
"""

import os
import site
import sys

PREREQUISITE = (
    "service_care needs Odoo 18.0 Community installed for this python3 "
    "(`python3 -c 'import odoo'` must work); install it first, see README.md."
)


def odoo_addons_dirs():
    """Return the addons folders of the Odoo that python3 imports."""
    try:
        import odoo.release  # noqa: PLC0415 - absent Odoo gets a clear message
    except ImportError:
        sys.exit(PREREQUISITE)
    if odoo.release.version_info[0] != 18:
        sys.exit(f"{PREREQUISITE} Found Odoo {odoo.release.version} instead.")
    odoo_dir = os.path.dirname(os.path.abspath(odoo.release.__file__))
    # A source checkout keeps most addons beside the odoo package; a wheel
    # keeps them all inside it.
    candidates = [
        os.path.join(os.path.dirname(odoo_dir), "addons"),
        os.path.join(odoo_dir, "addons"),
    ]
    # Addons installed from PyPI (OCA's odoo-addon-* wheels, such as
    # queue_job) land in site-packages' odoo/addons, beside a source checkout.
    for packages in [*site.getsitepackages(), site.getusersitepackages()]:
        candidates.append(os.path.join(packages, "odoo", "addons"))
    found = []
    for path in candidates:
        if os.path.isdir(path) and os.path.realpath(path) not in map(
            os.path.realpath, found
        ):
            found.append(path)
    return found


def main(output):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.join(root, ".build")
    addons_path = ",".join([root, *odoo_addons_dirs()])
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as conf:
        conf.write(
            "[options]\n"
            f"addons_path = {addons_path}\n"
            f"data_dir = {os.path.join(build, 'data')}\n"
            "admin_passwd = admin\n"
            "list_db = True\n"
            "log_level = warn\n"
            "max_cron_threads = 1\n"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
