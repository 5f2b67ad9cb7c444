# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "service.care.smart.button.mixin"]

    care_replenish = fields.Boolean(
        string="Replenishment Reminders",
        help="Customers who buy this product are reminded when they are about "
        "to run out, with a cart ready to confirm.",
    )
    care_days_per_unit = fields.Float(
        string="Days per Unit",
        digits=(16, 2),
        help="How many days one unit as sold (a bag, a pack, a box) lasts a "
        "customer. A customer's own orders replace it once they have enough "
        "history. Empty: learned from each customer's orders only.",
    )
    care_lead_days = fields.Integer(
        string="Remind Days Early",
        help="Remind the customer this many days before they run out, to leave "
        "time for delivery. 0: the company's setting.",
    )

    care_waitlist_count = fields.Integer(
        "Waiting Customers",
        compute="_compute_care_waitlist_count",
        groups="service_care.service_care_group_user",
        help="Customers waiting for a variant of this product to be back in stock.",
    )

    def _compute_care_waitlist_count(self):
        counts = self.product_variant_ids._care_count_related(
            "service.care.waitlist", "product_id", [("state", "=", "waiting")]
        )
        for template in self:
            template.care_waitlist_count = sum(
                counts.get(variant.id, 0) for variant in template.product_variant_ids
            )

    def action_view_care_waitlist(self):
        self.ensure_one()
        return self._care_related_action(
            "service_care.service_care_waitlist_action",
            [("product_id.product_tmpl_id", "=", self.id)],
            context={"search_default_filter_waiting": 1},
        )

    @api.constrains("care_days_per_unit", "care_lead_days")
    def _check_care_interval(self):
        for template in self:
            if template.care_days_per_unit < 0 or template.care_lead_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(product)s: days per unit and days early cannot be negative.",
                        product=template.display_name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if {"care_days_per_unit", "care_lead_days", "care_replenish"} & set(vals):
            # sudo: reminders follow their product's settings whoever edits
            # the product; the user only changes what the product says.
            reminders = (
                self.env["service.care.reminder"]
                .sudo()
                .search(
                    [
                        ("product_id.product_tmpl_id", "in", self.ids),
                        ("state", "=", "scheduled"),
                    ]
                )
            )
            reminders._care_reschedule()
        return result

    def _care_lead_days(self, company):
        """Days before running out to remind, for ``company``'s customers."""
        self.ensure_one()
        return self.care_lead_days or company.care_replenish_lead_days
