# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The purposes a soft opt-in covers: products like those the customer bought.
SOFT_OPT_IN_PURPOSES = frozenset({"replenishment"})


class ResCompany(models.Model):
    """How the shop asks its customers for consent: the checkout boxes, the
    double opt-in and the soft opt-in for existing customers."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    care_checkout_email_box = fields.Boolean(
        string="Email Box at Checkout",
        default=True,
        help="Show an unticked box asking for marketing emails on the checkout's "
        "last step.",
    )
    care_checkout_email_label = fields.Char(
        string="Email Box Text",
        translate=True,
        default=lambda self: self.env._("Email me reminders and offers"),
        help="The text of the email box, stored word for word with each consent.",
    )
    care_checkout_sms_box = fields.Boolean(
        string="SMS Box at Checkout",
        default=True,
        help="Show an unticked box asking for marketing text messages when the "
        "customer gave a mobile number.",
    )
    care_checkout_sms_label = fields.Char(
        string="SMS Box Text",
        translate=True,
        default=lambda self: self.env._("Text me (SMS)"),
        help="The text of the SMS box, stored word for word with each consent.",
    )
    care_double_opt_in = fields.Boolean(
        string="Double Opt-In",
        help="A consent given on the website counts only once the customer "
        "confirms it: from a link emailed to them, or by replying YES to a text "
        "message. Some countries (Germany, Austria, Switzerland) expect it.",
    )
    care_soft_opt_in = fields.Boolean(
        string="Soft Opt-In for Customers",
        help="Remind customers about products they bought unless they said no "
        "(EU ePrivacy Directive, article 13(2)): replenishment and repeat-order "
        "messages go to customers with a confirmed order in the period who "
        "never answered, each with a way to opt out.",
    )
    care_soft_opt_in_months = fields.Integer(
        string="Soft Opt-In Period (Months)",
        default=12,
        help="How recent the customer's last confirmed order must be.",
    )

    @api.constrains("care_soft_opt_in_months")
    def _check_care_soft_opt_in_months(self):
        if any(company.care_soft_opt_in_months < 1 for company in self):
            raise ValidationError(
                self.env._("The soft opt-in period is at least one month.")
            )

    def _care_soft_opt_in_partners(self, partners, purpose):
        """The partners a soft opt-in covers for ``purpose``: with the
        setting on, those whose company (commercial partner) confirmed an
        order with this company in the period."""
        self.ensure_one()
        if not self.care_soft_opt_in or purpose not in SOFT_OPT_IN_PURPOSES:
            return partners.browse()
        since = fields.Datetime.now() - relativedelta(
            months=self.care_soft_opt_in_months
        )
        commercial = partners.commercial_partner_id
        # sudo: only whether a customer ordered is read, to decide whether a
        # message may go; the caller may not see every order.
        buyers = {
            partner.commercial_partner_id
            for [partner] in self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", commercial.ids),
                    ("company_id", "=", self.id),
                    ("state", "=", "sale"),
                    ("date_order", ">=", since),
                ],
                ["partner_id"],
            )
        }
        return partners.filtered(lambda p: p.commercial_partner_id in buyers)
