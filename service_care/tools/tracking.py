# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Open and click tracking and one-click unsubscribe: the pure part.

URLs (``<uuid>`` identifies a ``service.care.message``, ``<token>`` is its HMAC
for the scope, made by the model)::

    /care/o/<uuid>/<token>.gif        open pixel            scope "open"
    /care/c/<uuid>/<token>?u=<url>    click redirect        scope "click", url
    /care/u/<uuid>/<token>            unsubscribe (POST)    scope "unsubscribe"
    /care/p/<uuid>/<token>            the customer's choices scope "preferences"

HTML is edited as text, not parsed and re-serialised, so that everything but the
rewritten ``href`` values and the added pixel or footer reaches the recipient
byte for byte (doctype, Outlook conditional comments, whitespace).
"""

import html as html_lib
import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlencode

PREFIX = "/care/"
OPEN_PATH = "/care/o/{uuid}/{token}.gif"
CLICK_PATH = "/care/c/{uuid}/{token}"
UNSUBSCRIBE_PATH = "/care/u/{uuid}/{token}"
PREFERENCES_PATH = "/care/p/{uuid}/{token}"

# A transparent 1x1 GIF (GIF89a, one colour, transparency flag on colour 0).
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00"
    b"\x00\x02\x02D\x01\x00;"
)

# Start tags whose href is a link the reader follows: <a>, <area> (image maps)
# and Outlook's VML buttons (<v:roundrect href=...> inside <!--[if mso]>).
# Attribute values may contain ">" when quoted.
_LINK_TAG_RE = re.compile(
    r"""<(?:a|area|v:roundrect)\b(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>""",
    re.IGNORECASE,
)
# One attribute of a start tag: name, then an optional value (double-quoted,
# single-quoted or bare). Scanning attribute by attribute keeps "href=" inside
# another attribute's value (title="see href=...") and "data-href" out.
_ATTR_RE = re.compile(
    r"""(?P<name>[^\s"'>/=]+)(?:(?P<eq>\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+)))?"""
)
_HTTP_RE = re.compile(r"^https?://", re.IGNORECASE)
# URLs in plain text (SMS): up to whitespace, minus trailing punctuation that
# ends a sentence rather than the URL.
_TEXT_URL_RE = re.compile(r"""https?://[^\s<>"']+""", re.IGNORECASE)
_TEXT_URL_TRAILING = ".,;:!?)]}"
_BODY_END_RE = re.compile(r"</body\s*>", re.IGNORECASE)

# Apple Mail Privacy Protection fetches remote content through Apple's own
# network, AS714, which holds all of 17.0.0.0/8.
APPLE_PROXY_NETWORKS = (ipaddress.ip_network("17.0.0.0/8"),)
# Tokens of a user agent that renders mail itself: browsers (webmail, or a
# click), desktop and mobile mail clients. Apple's proxy sends none of them: it
# identifies itself as a bare "Mozilla/5.0".
MAIL_CLIENT_TOKENS = (
    "applewebkit",
    "gecko",
    "chrome",
    "safari",
    "trident",
    "msie",
    "edg",
    "outlook",
    "thunderbird",
    "microsoft office",
)


def _skip_prefixes(skip_prefix):
    if not skip_prefix:
        return ()
    if isinstance(skip_prefix, str):
        return (skip_prefix,)
    return tuple(skip_prefix)


def should_track(url, skip_prefix=None):
    """Whether a link target goes through the click redirect.

    Only absolute http(s) URLs do: ``mailto:``, ``tel:``, ``sms:``, anchors
    (``#top``), relative URLs and template placeholders stay as they are, and so
    do URLs that start with ``skip_prefix`` (a string or a tuple of strings:
    our own tracking and unsubscribe URLs).
    """
    url = (url or "").strip()
    if not _HTTP_RE.match(url):
        return False
    return not url.startswith(_skip_prefixes(skip_prefix))


def rewrite_links(html, make_url: Callable[[str], str], skip_prefix=None):
    """Send every http(s) link of an HTML body through ``make_url``.

    :param html: the body (``str`` or ``markupsafe.Markup``; the result has the
        same type); falsy values are returned unchanged
    :param make_url: called with the original URL (HTML entities decoded, as a
        browser would follow it), returns the URL to put in its place
    :param skip_prefix: a string or tuple of strings: URLs starting with one of
        them are left alone (our tracking and unsubscribe URLs)
    :return: the body with the ``href`` of ``<a>``, ``<area>`` and
        ``<v:roundrect>`` tags rewritten; nothing else changes
    """
    if not html:
        return html
    urls = {}

    def replace_tag(match):
        tag = match.group(0)
        attrs_start = match.start("attrs") - match.start()
        for attr in _ATTR_RE.finditer(tag, attrs_start, len(tag) - 1):
            if attr.group("name").lower() != "href" or not attr.group("eq"):
                continue
            raw = next(
                value for value in attr.group("dq", "sq", "bare") if value is not None
            )
            url = html_lib.unescape(raw).strip()
            if not should_track(url, skip_prefix):
                return tag
            if url not in urls:
                urls[url] = make_url(url)
            quote = "'" if attr.group("sq") is not None else '"'
            start, end = attr.span()
            new_attr = (
                f"{attr.group('name')}{attr.group('eq')}"
                f"{quote}{html_lib.escape(urls[url])}{quote}"
            )
            return tag[:start] + new_attr + tag[end:]
        return tag

    return type(html)(_LINK_TAG_RE.sub(replace_tag, str(html)))


def rewrite_text_links(text, make_url: Callable[[str], str], skip_prefix=None):
    """Send every http(s) URL of a plain text (an SMS) through ``make_url``.

    A trailing ``.``, ``,``, ``)`` and the like is taken as punctuation of the
    sentence, not part of the URL.
    """
    if not text:
        return text
    urls = {}

    def replace(match):
        url = match.group(0).rstrip(_TEXT_URL_TRAILING)
        tail = match.group(0)[len(url) :]
        if not should_track(url, skip_prefix):
            return match.group(0)
        if url not in urls:
            urls[url] = make_url(url)
        return urls[url] + tail

    return _TEXT_URL_RE.sub(replace, text)


def _insert_before_body_end(html, snippet):
    """Insert ``snippet`` before the last ``</body>``, or append it."""
    text = str(html or "")
    ends = list(_BODY_END_RE.finditer(text))
    if ends:
        at = ends[-1].start()
        text = text[:at] + snippet + text[at:]
    else:
        text += snippet
    return type(html)(text) if isinstance(html, str) else text


def add_open_pixel(html, pixel_url):
    """Add the open pixel before ``</body>`` when there is one, else at the end.

    The image is 1x1 and visible to the mail client: some clients do not fetch
    images styled ``display: none``.
    """
    pixel = (
        f'<img src="{html_lib.escape(pixel_url)}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0;"/>'
    )
    return _insert_before_body_end(html, pixel)


def add_footer(html, text, links):
    """Add a footer (a sentence and links) to an HTML body.

    :param text: the sentence before the links, plain text (escaped here)
    :param links: ``(url, label)`` pairs, plain text (escaped here)
    """
    anchors = " · ".join(
        f'<a href="{html_lib.escape(url)}" style="color:#888888;">'
        f"{html_lib.escape(label)}</a>"
        for url, label in links
    )
    footer = (
        '<p style="font-size:12px;color:#888888;">'
        f"{html_lib.escape(text)} {anchors}</p>"
    )
    return _insert_before_body_end(html, footer)


def open_url(base_url, uuid, token):
    """Absolute URL of the open pixel of a message."""
    return base_url.rstrip("/") + OPEN_PATH.format(uuid=uuid, token=token)


def click_url(base_url, uuid, token, url):
    """Absolute URL of the click redirect of a message to ``url``."""
    path = CLICK_PATH.format(uuid=uuid, token=token)
    return f"{base_url.rstrip('/')}{path}?{urlencode({'u': url})}"


def unsubscribe_url(base_url, uuid, token):
    """Absolute URL of the unsubscribe page of a message."""
    return base_url.rstrip("/") + UNSUBSCRIBE_PATH.format(uuid=uuid, token=token)


def preferences_url(base_url, uuid, token):
    """Absolute URL of the page where the customer of a message chooses what
    they receive."""
    return base_url.rstrip("/") + PREFERENCES_PATH.format(uuid=uuid, token=token)


def list_unsubscribe_headers(url):
    """Mail headers for one-click unsubscribe (RFC 2369 and RFC 8058).

    Mail providers (Gmail, Yahoo, Apple Mail) then show their own "Unsubscribe"
    button and POST ``List-Unsubscribe=One-Click`` to ``url``. RFC 8058 also
    requires ``url`` to be HTTPS and the message to be DKIM-signed with both
    headers covered by the signature.
    """
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def is_machine_open(remote_addr, user_agent):
    """Whether an open pixel fetch comes from Apple Mail Privacy Protection.

    With Mail Privacy Protection on, Apple downloads remote images through its
    proxies when the message reaches the device, whether or not the person ever
    reads it, so such an "open" proves delivery, not attention. Heuristic:

    - the request comes from Apple's network, IPv4 17.0.0.0/8 (also written as
      an IPv4-mapped IPv6 address, ``::ffff:17.x.y.z``), and
    - its user agent has none of the tokens of a program that renders mail
      (``MAIL_CLIENT_TOKENS``): Apple's proxy sends a bare ``Mozilla/5.0``,
      while Apple Mail itself fetching directly (protection off) sends
      ``Mozilla/5.0 (...) AppleWebKit/...``.

    It errs on the side of counting a person: an unknown or malformed address
    is not Apple's. Apple's proxies on other networks (IPv6, CDN partners) are
    not recognised and count as real opens. Behind a reverse proxy the remote
    address is the client's only with Odoo's ``proxy_mode`` on.
    """
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not any(address in network for network in APPLE_PROXY_NETWORKS):
        return False
    agent = (user_agent or "").lower()
    return not any(token in agent for token in MAIL_CLIENT_TOKENS)
