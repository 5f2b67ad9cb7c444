# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""HTTP relay whose target is set at run time: Kannel's MO get-url points here.

    python3 -m tests_support.http_relay --port 2790

Kannel reads its sms-service get-url once, when the stack starts, while the
Odoo that should receive the inbound messages (a test server on a random
port, an inbound URL signed per database) is known only later. The stack
therefore points the get-url at this relay, and whoever knows the real URL
sets it:

``PUT /target``
    body ``{"url": "http://127.0.0.1:8069/service_care/sms/mo/1/<token>"}``;
    ``{"url": null}`` clears it. ``GET /target`` returns it.
``GET|POST /relay?<query>``
    forwarded to the target with the query appended to the target's own and
    the same body; the target's status and body are answered back. Without a
    target: ``200`` and an empty body (Kannel, with omit-empty, drops the MO
    silently, as it did before the relay existed).

Standard library only.
"""

import argparse
import json
import logging
import threading
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_logger = logging.getLogger("http_relay")
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
FORWARD_TIMEOUT = 30


class RelayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address):
        super().__init__(address, RelayHandler)
        self.target = None
        self.lock = threading.Lock()


class RelayHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/target":
            with self.server.lock:
                self._reply(HTTPStatus.OK, json.dumps({"url": self.server.target}))
            return
        self._relay()

    def do_POST(self):
        self._relay()

    def do_PUT(self):
        if self.path != "/target":
            self._reply(HTTPStatus.NOT_FOUND, "")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            url = json.loads(self.rfile.read(length) or b"{}").get("url")
            if url is not None and not str(url).startswith(("http://", "https://")):
                raise ValueError("url must be http(s) or null")
        except (ValueError, AttributeError) as error:
            self._reply(HTTPStatus.BAD_REQUEST, json.dumps({"error": str(error)}))
            return
        with self.server.lock:
            self.server.target = url
        self._reply(HTTPStatus.OK, json.dumps({"url": url}))

    def _relay(self):
        parts = urlsplit(self.path)
        if parts.path != "/relay":
            self._reply(HTTPStatus.NOT_FOUND, "")
            return
        with self.server.lock:
            target = self.server.target
        if not target:
            self._reply(HTTPStatus.OK, "")
            return
        url = target
        if parts.query:
            url += ("&" if "?" in target else "?") + parts.query
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        request = urllib.request.Request(url, data=data, method=self.command)
        if data is not None and self.headers.get("Content-Type"):
            request.add_header("Content-Type", self.headers["Content-Type"])
        try:
            with _opener.open(request, timeout=FORWARD_TIMEOUT) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            _logger.warning("relay to %s failed: %s", url, error)
            self._reply(HTTPStatus.BAD_GATEWAY, str(error))
            return
        self._reply(status, body)

    def _reply(self, status, body):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        _logger.info(fmt, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    server = RelayServer((args.host, args.port))
    _logger.info("relay on http://%s:%s", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
