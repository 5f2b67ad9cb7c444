# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Run a command next to a local SMTP sink, SMSC simulator and Kannel.

    python3 -m tests_support.stack [--mo-url URL] [--keep-dir] -- COMMAND ARGS...

Picks free loopback ports, starts every part in a new run directory, waits
until each one really answers, runs COMMAND with the variables below, then
stops everything (also on Ctrl-C, SIGTERM or failure) and exits with
COMMAND's exit code. Every log is in the run directory, which is kept when
something failed or with --keep-dir. Suits a test run as well as a
long-running ``make run``.

Environment given to COMMAND:

- ``SERVICE_CARE_SMTP_HOST``, ``SERVICE_CARE_SMTP_PORT``: the SMTP sink;
  ``SERVICE_CARE_SMTP_SPOOL``: the directory where it writes one ``.eml`` per
  message.
- ``SERVICE_CARE_KANNEL_SENDSMS_URL``, ``SERVICE_CARE_KANNEL_USER``,
  ``SERVICE_CARE_KANNEL_PASSWORD``: Kannel's sendsms interface.
- ``SERVICE_CARE_SMSC_CONTROL_URL``: the simulator's control interface (see
  ``tests_support/smsc_sim.py``).
- ``SERVICE_CARE_MO_RELAY_URL`` (without ``--mo-url``): the relay Kannel sends
  mobile-originated SMS to, as ``/relay?from=%p&to=%P&text=%a&id=%I``; PUT
  ``{"url": ...}`` to its ``/target`` to choose where they go (see
  ``tests_support/http_relay.py``).
"""

import argparse
import contextlib
import ctypes
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from string import Template

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
KANNEL_CONF = Path(__file__).with_name("kannel.conf.in")
SMSC_ID = "sim"  # the smsc-id in kannel.conf.in
KANNEL_USER = "service_care"
# Debian installs Kannel in sbin, which a normal user's PATH may lack.
KANNEL_PATH = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin"))
START_TIMEOUT = 30  # seconds for one part to become ready
STOP_TIMEOUT = 10  # seconds for one part to exit after SIGTERM
START_FAILED = 1
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Never send loopback requests through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StartError(Exception):
    """A part did not come up; the message names it and its log."""


class Interrupted(Exception):
    """The launcher received a signal (see ``HANDLED_SIGNALS``)."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _die_with_launcher():
    """In a child: get SIGTERM when the launcher dies, even by SIGKILL."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_ports(count):
    """Distinct free loopback ports, all held open while picking."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def http_get(url):
    """Body of a GET, or None while nothing answers; an HTTP error answers."""
    try:
        with _opener.open(url, timeout=2) as response:
            return response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.read().decode(errors="replace")
    except (OSError, http.client.HTTPException):
        return None


def smtp_banner(port):
    """Whether an SMTP server greets on ``port``."""
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            greeting = sock.recv(512)
            sock.sendall(b"QUIT\r\n")
            return greeting.startswith(b"220")
    except OSError:
        return False


def kannel_binary(name):
    path = shutil.which(name, path=KANNEL_PATH)
    if not path:
        raise StartError(f"{name}: not found, install the Debian package kannel")
    return path


def kannel_url(value):
    """argparse type: a URL Kannel's configuration can hold in quotes."""
    if not re.fullmatch(r"https?://[^\s\"]+", value):
        raise argparse.ArgumentTypeError("expected an http(s) URL without quotes")
    return value


class Part:
    """One started process, alone in its process group, logging to a file."""

    def __init__(self, name, argv, log_path):
        self.name = name
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Out of the terminal's process group: Ctrl-C reaches COMMAND,
                # and the parts stop only after it, in order.
                start_new_session=True,
                # The launcher starts no thread, so preexec_fn is safe here.
                preexec_fn=_die_with_launcher,  # noqa: PLW1509
            )

    def wait_until(self, ready, what):
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if self.process.poll() is not None:
                raise StartError(
                    f"{self.name} exited ({self.process.returncode}) before "
                    f"{what}; see {self.log_path}"
                )
            if time.monotonic() > deadline:
                raise StartError(
                    f"{self.name} not ready after {START_TIMEOUT}s ({what}); "
                    f"see {self.log_path}"
                )
            time.sleep(0.1)

    def stop(self):
        # Until poll() or wait() reaps the part, its pid, which is its group
        # id, cannot be reused: killpg() below cannot hit a stranger.
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Stack:
    """The SMTP sink, the SMSC simulator, the MO relay, bearerbox and smsbox."""

    def __init__(self, run_dir, mo_url=None):
        self.run_dir = run_dir
        self.mo_url = mo_url
        self.parts = []

    def _start(self, name, argv):
        part = Part(name, argv, self.run_dir / f"{name}.log")
        self.parts.append(part)
        return part

    def _start_python(self, name, module, **options):
        """Start ``python -m module`` with an ``--option value`` per keyword."""
        argv = [sys.executable, "-m", module]
        for option, value in options.items():
            argv += [f"--{option.replace('_', '-')}", str(value)]
        return self._start(name, argv)

    def start(self):
        """Start every part, wait until each answers; return COMMAND's env."""
        (
            smtp_port,
            smpp_port,
            control_port,
            admin_port,
            smsbox_port,
            sendsms_port,
            relay_port,
        ) = free_ports(7)
        smpp_system_id, smpp_password = "kannel", secrets.token_hex(4)
        admin_password, sendsms_password = secrets.token_hex(8), secrets.token_hex(8)
        control_url = f"http://{HOST}:{control_port}"
        status_url = f"http://{HOST}:{admin_port}/status.txt?password={admin_password}"
        sendsms_url = f"http://{HOST}:{sendsms_port}/cgi-bin/sendsms"
        spool = self.run_dir / "smtp-spool"
        spool.mkdir()

        sink = self._start_python(
            "smtp-sink", "tests_support.smtp_sink", port=smtp_port, spool=spool
        )
        sink.wait_until(lambda: smtp_banner(smtp_port), "SMTP banner")

        simulator = self._start_python(
            "smsc-sim",
            "tests_support.smsc_sim",
            port=smpp_port,
            control_port=control_port,
            system_id=smpp_system_id,
            password=smpp_password,
        )
        # The simulator opens its SMPP port before its control interface.
        simulator.wait_until(
            lambda: http_get(f"{control_url}/messages") is not None,
            "control interface",
        )

        relay_env = {}
        if self.mo_url:
            mo_action = f'get-url = "{self.mo_url}"'
        else:
            relay_url = f"http://{HOST}:{relay_port}"
            relay = self._start_python(
                "mo-relay", "tests_support.http_relay", port=relay_port
            )
            relay.wait_until(
                lambda: http_get(f"{relay_url}/target") is not None, "relay answering"
            )
            # Until a target is set the relay answers empty: the MO is dropped.
            mo_action = f'get-url = "{relay_url}/relay?from=%p&to=%P&text=%a&id=%I"'
            relay_env["SERVICE_CARE_MO_RELAY_URL"] = relay_url

        # An empty store spares bearerbox's log three misleading fopen ERRORs.
        (self.run_dir / "kannel.store").touch()
        conf = self.run_dir / "kannel.conf"
        conf.write_text(
            Template(KANNEL_CONF.read_text()).substitute(
                run_dir=self.run_dir,
                admin_port=admin_port,
                admin_password=admin_password,
                smsbox_port=smsbox_port,
                smpp_port=smpp_port,
                smpp_system_id=smpp_system_id,
                smpp_password=smpp_password,
                sendsms_port=sendsms_port,
                sendsms_user=KANNEL_USER,
                sendsms_password=sendsms_password,
                mo_action=mo_action,
            )
        )

        # Kannel logs into the same files itself (log-file); -v 4 keeps only
        # the panics on stderr, which are all there is before it opens them.
        bearerbox = self._start(
            "bearerbox", [kannel_binary("bearerbox"), "-v", "4", str(conf)]
        )
        smsc_online = re.compile(rf"^\s+{SMSC_ID}\b.*\(online ", re.MULTILINE)
        bearerbox.wait_until(
            lambda: smsc_online.search(http_get(status_url) or ""),
            f"SMSC '{SMSC_ID}' online in /status",
        )

        smsbox = self._start("smsbox", [kannel_binary("smsbox"), "-v", "4", str(conf)])
        smsbox_online = re.compile(r"^\s+smsbox:.*\(on-line ", re.MULTILINE)
        smsbox.wait_until(
            lambda: (
                http_get(sendsms_url) is not None
                and smsbox_online.search(http_get(status_url) or "")
            ),
            "sendsms answering and connected to bearerbox",
        )

        return dict(
            os.environ,
            SERVICE_CARE_SMTP_HOST=HOST,
            SERVICE_CARE_SMTP_PORT=str(smtp_port),
            SERVICE_CARE_SMTP_SPOOL=str(spool),
            SERVICE_CARE_KANNEL_SENDSMS_URL=sendsms_url,
            SERVICE_CARE_KANNEL_USER=KANNEL_USER,
            SERVICE_CARE_KANNEL_PASSWORD=sendsms_password,
            SERVICE_CARE_SMSC_CONTROL_URL=control_url,
            **relay_env,
        )

    def stop(self):
        """Stop the parts, the last started first (smsbox before bearerbox)."""
        for part in reversed(self.parts):
            part.stop()


def _reached_command(signum):
    """Whether COMMAND got the signal too: Ctrl-C hits the foreground group."""
    if signum != signal.SIGINT:
        return False
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def run_command(argv, env):
    """Run COMMAND to its end, passing signals on; return a shell exit code."""
    try:
        process = subprocess.Popen(
            argv,
            env=env,
            preexec_fn=_die_with_launcher,  # noqa: PLW1509 (no threads here)
        )
    except OSError as error:
        print(f"stack: cannot run {argv[0]}: {error}", file=sys.stderr)
        return 127
    while True:
        try:
            returncode = process.wait()
        except Interrupted as interrupted:
            if not _reached_command(interrupted.signum):
                process.send_signal(interrupted.signum)
            continue
        return returncode if returncode >= 0 else 128 - returncode


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python3 -m tests_support.stack",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--mo-url",
        type=kannel_url,
        help="Kannel get-url for mobile-originated SMS, with Kannel escapes "
        "such as %%p (sender) and %%a (text); without it MO SMS go to a relay "
        "whose target is set at run time (SERVICE_CARE_MO_RELAY_URL)",
    )
    parser.add_argument(
        "--keep-dir", action="store_true", help="keep the run directory and logs"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS")
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no COMMAND given after --")
    return args


def bench_run_dir(prefix):
    """A run directory for a benchmark's stack, in memory (``/dev/shm``)
    when the machine has it. The SMTP sink writes a file per email: on this
    kind of machine's disk, creating it costs from 0.03 to 1 ms of kernel
    time depending on the directory (measured: 0.55 ms in ``/tmp``, 0.03 ms
    in ``/var/tmp``), against 0.02 ms in memory. That cost is the counting
    instrument's, and it varied more than what the benchmarks measure."""
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=shm if shm.is_dir() else None))


def main(argv=None):
    args = parse_args(argv)
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, _raise_interrupted)
    run_dir = Path(tempfile.mkdtemp(prefix="service-care-stack-"))
    stack = Stack(run_dir, args.mo_url)
    exit_code = START_FAILED
    try:
        env = stack.start()
        print(
            f"stack: ready, SMSC control {env['SERVICE_CARE_SMSC_CONTROL_URL']}, "
            f"SMTP spool {env['SERVICE_CARE_SMTP_SPOOL']}, logs in {run_dir}",
            file=sys.stderr,
            flush=True,
        )
        exit_code = run_command(args.command, env)
    except StartError as error:
        print(f"stack: {error}", file=sys.stderr)
    except Interrupted as interrupted:
        print(f"stack: interrupted by {interrupted}", file=sys.stderr)
        exit_code = 128 + interrupted.signum
    finally:
        # Nothing may cut the clean-up short, or parts would be left running.
        for signum in HANDLED_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stack.stop()
    if exit_code == 0 and not args.keep_dir:
        shutil.rmtree(run_dir)
    else:
        print(f"stack: logs kept in {run_dir}", file=sys.stderr)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
