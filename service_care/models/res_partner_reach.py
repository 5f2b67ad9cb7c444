# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.osv import expression

REACH_HELP = "A customer (a contact with an order) "


class ResPartner(models.Model):
    """Who the shop can reach with marketing, as filters on customers: the
    settings page, its lists and the dashboard count the same search."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    care_reach_email = fields.Boolean(
        "Reachable by Marketing Email",
        compute="_compute_care_reach",
        search="_search_care_reach_email",
        help=REACH_HELP + "who agreed to some marketing email, with a valid "
        "address that is not blacklisted.",
    )
    care_reach_sms = fields.Boolean(
        "Reachable by Marketing SMS",
        compute="_compute_care_reach",
        search="_search_care_reach_sms",
        help=REACH_HELP + "who agreed to some marketing SMS, with a valid number "
        "that is not blacklisted.",
    )
    care_reach_none = fields.Boolean(
        "Without a Valid Contact",
        compute="_compute_care_reach",
        search="_search_care_reach_none",
        help=REACH_HELP + "with neither a valid email address nor a valid number.",
    )
    care_opted_out = fields.Boolean(
        "Opted Out",
        compute="_compute_care_reach",
        search="_search_care_opted_out",
        help=REACH_HELP + "who is blacklisted, or said no and agrees to no "
        "marketing on any channel.",
    )

    @api.model
    def _care_reach_domains(self):
        """{figure: domain on res.partner}.

        The SMS figure counts a valid number (Odoo's ``phone_sanitized``);
        the pipeline also checks that it is a mobile when it sends.
        """
        customers = [("sale_order_ids", "!=", False)]
        return {
            "email": [
                *customers,
                ("care_email_consent", "=", True),
                ("email_normalized", "!=", False),
                ("is_blacklisted", "=", False),
            ],
            "sms": [
                *customers,
                ("care_sms_consent", "=", True),
                ("phone_sanitized", "!=", False),
                ("phone_sanitized_blacklisted", "=", False),
            ],
            "none": [
                *customers,
                ("email_normalized", "=", False),
                ("phone_sanitized", "=", False),
            ],
            "opted_out": [
                *customers,
                "|",
                "|",
                ("is_blacklisted", "=", True),
                ("phone_sanitized_blacklisted", "=", True),
                "&",
                "&",
                ("care_consent_ids.granted", "=", False),
                ("care_email_consent", "=", False),
                ("care_sms_consent", "=", False),
            ],
        }

    @api.depends_context("company")
    def _compute_care_reach(self):
        for figure, domain in self._care_reach_domains().items():
            matching = self.search([("id", "in", self.ids), *domain])
            field = (
                "care_opted_out" if figure == "opted_out" else f"care_reach_{figure}"
            )
            for partner in self:
                partner[field] = partner in matching

    def _care_search_reach(self, figure, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Search with = True or = False."))
        domain = self._care_reach_domains()[figure]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    def _search_care_reach_email(self, operator, value):
        return self._care_search_reach("email", operator, value)

    def _search_care_reach_sms(self, operator, value):
        return self._care_search_reach("sms", operator, value)

    def _search_care_reach_none(self, operator, value):
        return self._care_search_reach("none", operator, value)

    def _search_care_opted_out(self, operator, value):
        return self._care_search_reach("opted_out", operator, value)
