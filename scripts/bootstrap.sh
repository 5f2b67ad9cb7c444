#!/usr/bin/env bash
# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
#
# Install and start what service_care's demo and tests need, skipping what is
# already there: PostgreSQL, Kannel and Chromium from Debian's packages, the
# Python packages from requirements-test.txt. Odoo itself is a prerequisite.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
[ -x /usr/sbin/bearerbox ] || missing+=(kannel)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Start every PostgreSQL cluster that is down; restart those running when
# packages were installed: apt may have upgraded PostgreSQL under a running
# server, whose old binary then fails to load the new libraries (plpgsql).
pg_lsclusters --no-header | while read -r version cluster _port status _rest; do
    if [ "$status" != online ]; then
        as_root pg_ctlcluster "$version" "$cluster" start
    elif [ ${#missing[@]} -gt 0 ]; then
        as_root pg_ctlcluster "$version" "$cluster" restart
    fi
done
# Odoo connects through the local socket as the current user.
if ! psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    as_root su postgres -c "createuser --superuser $(id -un)"
fi

python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
