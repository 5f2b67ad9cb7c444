# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SMTP server that accepts every message and spools it as an ``.eml`` file.

    python3 -m tests_support.smtp_sink --port 2525 --spool /tmp/spool

Each file holds the raw message as received (RFC 5322 bytes), preceded by
``X-Sink-Mail-From`` and ``X-Sink-Rcpt-To`` headers carrying the envelope,
which the message headers alone do not show (Bcc, bounce address). Files
appear atomically, so a reader never sees half a message.
"""

import argparse
import asyncio
import logging
import os
import signal
import time
import uuid
from pathlib import Path

from aiosmtpd.smtp import SMTP

_logger = logging.getLogger("smtp_sink")


class SpoolHandler:
    """aiosmtpd handler writing each message into the spool directory."""

    def __init__(self, spool):
        self.spool = Path(spool)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        """Announce PIPELINING, as production mail servers (Postfix, Exim,
        the hosted relays) do: aiosmtpd reads commands one line at a time
        from its stream, so pipelined commands are answered in order, but it
        does not announce the extension itself."""
        session.host_name = hostname
        return [responses[0], "250-PIPELINING", *responses[1:]]

    async def handle_DATA(self, server, session, envelope):
        envelope_headers = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        # A sortable, unique name: arrival order is the listing order.
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        # Its ".tmp" suffix keeps the file out of "*.eml" globs until renamed.
        tmp_path = self.spool / f".{name}.tmp"
        tmp_path.write_bytes(envelope_headers + envelope.original_content)
        os.replace(tmp_path, self.spool / name)
        _logger.info(
            "%s -> %s spooled as %s", envelope.mail_from, envelope.rcpt_tos, name
        )
        return f"250 OK queued as {name}"


async def serve(host, port, spool):
    loop = asyncio.get_running_loop()
    handler = SpoolHandler(spool)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.localhost", enable_SMTPUTF8=True),
        host,
        port,
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    _logger.info("SMTP sink on %s:%s spooling into %s", host, port, spool)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", required=True, help="directory for .eml files")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # aiosmtpd logs every command at INFO: several lines per email, where
    # the spooled line below says what a reader needs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    Path(args.spool).mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.spool))


if __name__ == "__main__":
    main()
