# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The jobs through a real queue_job job runner, on a database of their own:
the runner only sees committed jobs, which a test's transaction never is."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client

import odoo
from odoo.tests import BaseCase, tagged

DB = "service_care_qj_runner"
MESSAGES = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestJobRunner(BaseCase):
    def setUp(self):
        super().setUp()
        conf = odoo.tools.config.rcfile
        subprocess.run(["dropdb", "--if-exists", DB], check=True)
        subprocess.run(
            [
                *("click-odoo-initdb", "-c", conf, "-n", DB),
                *("-m", "service_care_queue_job", "--no-demo"),
                *("--cache-prefix", "scqjrun", "--cache-max-size", "1"),
            ],
            check=True,
            capture_output=True,
        )
        self.addCleanup(subprocess.run, ["dropdb", "--if-exists", DB])
        self.addCleanup(odoo.sql_db.close_db, DB)
        self.port = _free_port()
        launcher = shutil.which("odoo")
        self.server = subprocess.Popen(
            [
                *([launcher] if launcher else [sys.executable, "-m", "odoo"]),
                *("-c", conf, "-d", DB, f"--db-filter=^{DB}$"),
                *("--workers=2", "--max-cron-threads=0", "--load=web,queue_job"),
                f"--http-port={self.port}",
                f"--gevent-port={_free_port()}",
                "--log-level=warn",
            ],
            env=dict(
                os.environ,
                ODOO_QUEUE_JOB_PORT=str(self.port),
                ODOO_QUEUE_JOB_CHANNELS="root:2,root.service_care.messages:2",
            ),
            start_new_session=True,
        )
        self.addCleanup(self._stop)
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/login")
                break
            self.assertLess(time.monotonic(), deadline, "Odoo did not start")
            self.assertIsNone(self.server.poll(), "Odoo stopped")
            time.sleep(0.5)
        url = f"http://127.0.0.1:{self.port}/xmlrpc/2"
        self.admin_uid = xmlrpc.client.ServerProxy(f"{url}/common").authenticate(
            DB, "admin", "admin", {}
        )
        self.models = xmlrpc.client.ServerProxy(f"{url}/object", allow_none=True)
        [model] = self._call("ir.model", "search", [("model", "=", "res.partner")])
        template = self._call(
            "mail.template",
            "create",
            {
                "name": "Runner test",
                "model_id": model,
                "subject": "Your order",
                "body_html": "<p>Thank you.</p>",
            },
        )
        partners = self._call(
            "res.partner",
            "create",
            [
                {"name": f"Runner {index}", "email": f"runner{index}@example.com"}
                for index in range(MESSAGES)
            ],
        )
        self._call(
            "service.care.message",
            "create",
            [
                {
                    "partner_id": partner,
                    "channel": "email",
                    "kind": "transactional",
                    "res_model": "res.partner",
                    "res_id": partner,
                    "mail_template_id": template,
                }
                for partner in partners
            ],
        )

    def _call(self, model, method, *args):
        return self.models.execute_kw(
            DB, self.admin_uid, "admin", model, method, list(args)
        )

    def _stop(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, signal.SIGTERM)
        try:
            self.server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)

    def _state(self):
        # a plain connection: this process loads no registry of that database
        with odoo.sql_db.db_connect(DB).cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM service_care_message GROUP BY state"
            )
            messages = dict(cr.fetchall())
            cr.execute(
                "SELECT state, count(*) FROM queue_job "
                "WHERE channel = 'root.service_care.messages' GROUP BY state"
            )
            jobs = dict(cr.fetchall())
            cr.execute("SELECT count(*) FROM mail_mail")
            return messages, jobs, cr.fetchone()[0]

    def test_the_dispatch_cron_enqueues_and_the_runner_runs_the_jobs(self):
        [cron] = self._call(
            "ir.model.data",
            "search_read",
            [
                ("module", "=", "service_care"),
                ("name", "=", "ir_cron_service_care_message_dispatch"),
            ],
            ["res_id"],
        )
        self._call("ir.cron", "method_direct_trigger", [cron["res_id"]])
        deadline = time.monotonic() + 120
        while True:
            messages, jobs, mails = self._state()
            if jobs and set(jobs) <= {"done", "failed"}:
                break
            self.assertLess(time.monotonic(), deadline, (messages, jobs))
            time.sleep(0.5)
        self.assertEqual(jobs, {"done": 1}, "one batch of messages: one job, run")
        self.assertEqual(messages, {"queued": MESSAGES})
        self.assertEqual(mails, MESSAGES, "one email each")
