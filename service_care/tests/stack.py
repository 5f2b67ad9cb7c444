# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Access from the tests to the local stack started by ``tests_support.stack``.

The stack exports where the SMTP sink, Kannel and the SMSC simulator listen.
A test that needs one of them fails, and never skips, when it runs without
the stack: a missing part must not look like a green suite.

Kannel hands numbers to the SMSC without their ``+`` (with TON international):
the simulator reports ``+33612345678`` as destination ``33612345678``.
"""

import email
import os
import socket
import time
from email import policy
from pathlib import Path

import requests

HINT = "run the tests through `make test` (tests_support.stack)"


def stack_env(name):
    """Value of the stack's environment variable ``name``."""
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set: {HINT}")
    return value


def poll_until(fetch, failure, timeout=15.0, interval=0.1):
    """Return the first truthy result of ``fetch()``, retried until ``timeout``.

    For what the stack does asynchronously (delivery reports, spooled emails);
    raises AssertionError with ``failure`` when time runs out.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{failure} within {timeout:g} s")
        time.sleep(interval)


def require_port(part, host, port):
    """Fail unless something accepts TCP connections on ``host:port``."""
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as error:
        raise AssertionError(
            f"{part} not listening on {host}:{port}: {HINT}"
        ) from error


def stack_request(part, method, url, **kwargs):
    """``requests.request`` to a part of the stack, failing clearly if absent."""
    try:
        return requests.request(method, url, timeout=10, **kwargs)
    except requests.ConnectionError as error:
        raise AssertionError(f"{part} not answering at {url}: {HINT}") from error


def smsc_control(method, path, payload=None):
    """Call the SMSC simulator's control interface; return its JSON answer."""
    url = stack_env("SERVICE_CARE_SMSC_CONTROL_URL") + path
    response = stack_request("SMSC simulator", method, url, json=payload)
    response.raise_for_status()
    return response.json()


def smsc_messages(destination):
    """Messages the SMSC simulator received for ``destination`` (no ``+``)."""
    return [
        message
        for message in smsc_control("GET", "/messages")
        if message["destination"] == destination
    ]


def spooled_emails():
    """Messages the SMTP sink received so far, oldest first."""
    spool = Path(stack_env("SERVICE_CARE_SMTP_SPOOL"))
    if not spool.is_dir():
        raise AssertionError(f"SMTP sink spool {spool} does not exist: {HINT}")
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(spool.glob("*.eml"))
    ]


def smtp_sink_server(env, only=False):
    """The stack's SMTP server as an Odoo outgoing mail server.

    :param only: archive the other mail servers, so every mail goes there
    """
    host = stack_env("SERVICE_CARE_SMTP_HOST")
    port = int(stack_env("SERVICE_CARE_SMTP_PORT"))
    require_port("SMTP sink", host, port)
    if only:
        env["ir.mail_server"].search([]).active = False
    return env["ir.mail_server"].create(
        {
            "name": "Test stack SMTP sink",
            "smtp_host": host,
            "smtp_port": port,
            "smtp_encryption": "none",
        }
    )
