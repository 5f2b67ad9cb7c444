# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one place Service Care signs and checks a link.

Carts, waitlist lines, messages (open, click, unsubscribe) and the SMS
gateways' webhooks all sign with ``_care_sign`` and check with
``_care_verify``; the token format and the checks are in
``tools/signed_link.py``. The digest is Odoo's ``hmac`` of
``("service_care.<scope>", subject [+ expires])``, as the links sent before
this helper existed were signed: they keep working.
"""

from odoo import api, fields, models

from ..tools import signed_link


class ServiceCareSignedLink(models.AbstractModel):
    _name = "service.care.signed.link"
    _description = "Service Care Signed Link"

    @api.model
    def _care_sign(self, scope, subject, expires=None):
        """The digest of a link for ``scope`` and ``subject``.

        :param subject: a tuple naming what the link is for, e.g. ``(record
            id, customer id)``; every part goes into the signature
        :param expires: Unix timestamp after which the link is refused
        """
        return signed_link.digest(
            self._care_secret(),
            f"service_care.{scope}",
            signed_link.message(subject, expires),
        )

    @api.model
    def _care_secret(self):
        """The database secret Odoo's ``hmac`` signs with, read once per
        cursor: a send signs a few links per email, and each read goes
        through the parameters' cache and its decorator."""
        cache = self.env.cr.cache
        if "service_care_secret" not in cache:
            # su: the database secret is readable by the superuser only; any
            # visitor may be given a link, the secret never leaves the server.
            cache["service_care_secret"] = self.env(su=True)[
                "ir.config_parameter"
            ].get_param("database.secret")
        return cache["service_care_secret"]

    @api.model
    def _care_token(self, scope, subject, expires):
        """An expiring token: ``"<expires>.<digest>"``."""
        return signed_link.join(expires, self._care_sign(scope, subject, expires))

    @api.model
    def _care_verify(self, scope, subjects, digest, expires=None):
        """VALID, EXPIRED or INVALID (False) for a digest a visitor brings.

        :param subjects: the subjects a genuine link may have been signed
            for (a cart link is good for its own action and for the cart)
        """
        expected = [self._care_sign(scope, subject, expires) for subject in subjects]
        now = signed_link.timestamp(fields.Datetime.now())
        return signed_link.verdict(expected, digest, expires, now)

    @api.model
    def _care_verify_token(self, scope, subjects, token):
        """``_care_verify`` of an expiring ``"<expires>.<digest>"`` token."""
        expires, digest = signed_link.split(token)
        if expires is None:
            return signed_link.INVALID
        return self._care_verify(scope, subjects, digest, expires)
