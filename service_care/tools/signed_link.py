# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Signed links: what a token says, and whether it still holds.

A signed link carries an HMAC of its *scope* (what it may do: open a cart,
confirm a waitlist line, report an SMS delivery...), its *subject* (the
record and the customer it was made for) and, for links that expire, the
expiry as a Unix timestamp. The HMAC itself is Odoo's
(``odoo.tools.misc.hmac``, keyed with the database secret) and is made by
``service.care.signed.link``; this module holds the token format and the
checks, which need no database.

A token with an expiry is ``"<expires>.<digest>"``; one without is the
digest alone.
"""

import calendar
import hashlib
import hmac

VALID = "ok"
EXPIRED = "expired"
INVALID = False


def timestamp(utc_datetime):
    """Unix timestamp of a naive UTC datetime."""
    return calendar.timegm(utc_datetime.timetuple())


def message(subject, expires=None):
    """The tuple the HMAC is made of: the subject, then the expiry if any."""
    subject = tuple(subject)
    return subject if expires is None else (*subject, int(expires))


def digest(secret, scope, message):
    """The HMAC ``odoo.tools.misc.hmac`` makes of ``(scope, message)`` with
    ``secret``, for a caller that read the secret once for many links."""
    return hmac.new(
        secret.encode(), repr((scope, message)).encode(), hashlib.sha256
    ).hexdigest()


def join(expires, digest):
    return f"{int(expires)}.{digest}"


def split(token):
    """``(expires, digest)`` of an expiring token; ``(None, None)`` if malformed."""
    expires, _dot, digest = str(token or "").partition(".")
    if not expires.isdigit() or not digest:
        return None, None
    return int(expires), digest


def verdict(expected_digests, digest, expires=None, now=None):
    """VALID, EXPIRED or INVALID for a digest received with a link.

    :param expected_digests: the digests a genuine link may carry (a link
        may be good for more than one scope); all are compared, in constant
        time, so the answer takes as long whichever matches
    :param expires: the link's expiry (Unix timestamp), None if it has none
    :param now: the current Unix timestamp, required with ``expires``
    """
    if not digest:
        return INVALID
    matches = [
        hmac.compare_digest(str(expected), str(digest)) for expected in expected_digests
    ]
    if not any(matches):
        return INVALID
    if expires is not None and int(expires) < now:
        return EXPIRED
    return VALID
