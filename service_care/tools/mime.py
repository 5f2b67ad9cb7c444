# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An HTML email with its plain-text alternative, as RFC 5322 bytes.

Python's ``email`` package parses and refolds every header it is given (its
"SMTP" policy): for a campaign of plain HTML emails that is most of the time
spent building them. The messages here have a known shape (headers, a
``multipart/alternative`` of text and HTML, no attachment), so they are
written directly: headers encoded as RFC 2047 words when not ASCII, bodies in
base64 lines of 76 characters, CRLF line ends.
"""

import base64
import uuid
from email.header import Header
from email.utils import formataddr, formatdate, getaddresses

# Headers that hold addresses: their display names are encoded, not the
# addresses.
ADDRESS_HEADERS = {"from", "to", "cc", "reply-to", "sender"}


def encode_header(name, value):
    """The value of header ``name`` as it goes on the wire."""
    value = " ".join(str(value).split())  # no line breaks inside a header
    if name.lower() in ADDRESS_HEADERS:
        return ", ".join(
            formataddr((display, address), charset="utf-8")
            for display, address in getaddresses([value])
        )
    if value.isascii() and len(value) <= 900:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _part(subtype, content):
    encoded = base64.encodebytes(content.encode()).decode().replace("\n", "\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded}"
    )


def build(headers, text, html, date=None):
    """The message, as bytes.

    :param headers: ``(name, value)`` pairs in order (From, To, Subject...);
        ``Date`` and ``MIME-Version`` are added
    :param text: the plain-text alternative
    :param html: the HTML body
    """
    boundary = f"===============care{uuid.uuid4().hex}=="
    lines = [f"{name}: {encode_header(name, value)}" for name, value in headers]
    lines.append(f"Date: {date or formatdate(usegmt=True)}")
    lines.append("MIME-Version: 1.0")
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    body = (
        "\r\n".join(lines)
        + f"\r\n\r\n--{boundary}\r\n"
        + _part("plain", text)
        + f"\r\n--{boundary}\r\n"
        + _part("html", html)
        + f"\r\n--{boundary}--\r\n"
    )
    return body.encode("ascii")
