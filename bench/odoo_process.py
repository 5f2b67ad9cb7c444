# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The benchmarks' handling of an Odoo server they start with workers."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests_support import stack as stack_tools

ROOT = Path(__file__).resolve().parent.parent


def start(conf, db, log_path, options, env=None):
    """Start Odoo on ``db`` with ``options`` (workers...) and wait until it
    answers; return ``(process, url, http_port)``."""
    http_port, gevent_port = stack_tools.free_ports(2)
    url = f"http://127.0.0.1:{http_port}"
    # The "odoo" script rather than "python -m odoo": with workers, Odoo
    # starts its gevent process again from sys.argv[0].
    launcher = shutil.which("odoo")
    process = subprocess.Popen(
        [
            *([launcher] if launcher else [sys.executable, "-m", "odoo"]),
            *("-c", conf, "-d", db, f"--db-filter=^{db}$"),
            *options,
            f"--http-port={http_port}",
            f"--gevent-port={gevent_port}",
            f"--logfile={log_path}",
            "--log-level=info",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "ODOO_QUEUE_JOB_PORT": str(http_port)},
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while stack_tools.http_get(f"{url}/web/login") is None:
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"Odoo did not start; see {log_path}")
        time.sleep(0.5)
    return process, url, http_port


def alive_workers(log_path, kind):
    """The pids of the worker processes of ``kind`` ("HTTP", "Cron") alive
    now, as the server's log (``--log-level=info``) names them."""
    pids = re.findall(rf"Worker Worker{kind} \((\d+)\) alive", log_path.read_text())
    alive = []
    for pid in dict.fromkeys(int(pid) for pid in pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 0)
            alive.append(pid)
    return alive


def stop(process):
    """Stop the server started in a session of its own, workers included."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
