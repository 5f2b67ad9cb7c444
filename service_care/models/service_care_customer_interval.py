# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools.intervals import learned_days_per_unit

# Fewest purchases a customer's own rate is learned from; with two only when
# the product has no rate of its own to fall back on.
MIN_ORDERS = 3
MIN_ORDERS_WITHOUT_PRODUCT_RATE = 2


class ServiceCareCustomerInterval(models.Model):
    """How fast one customer uses one product, learned from their own orders."""

    _name = "service.care.customer.interval"
    _description = "Customer Replenishment Interval"
    _order = "partner_id, product_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    product_days_per_unit = fields.Float(
        related="product_id.product_tmpl_id.care_days_per_unit",
        string="Product Days per Unit",
    )
    learned_days_per_unit = fields.Float(
        "Learned Days per Unit",
        digits=(16, 2),
        readonly=True,
        help="Median days between the customer's orders, per unit bought.",
    )
    order_count = fields.Integer("Orders", readonly=True)
    last_order_date = fields.Date(readonly=True)
    override_days_per_unit = fields.Float(
        "Days per Unit (Set by Hand)",
        digits=(16, 2),
        help="Replaces the learned and the product's rate for this customer.",
    )
    days_per_unit = fields.Float(
        "Days per Unit Used", digits=(16, 2), compute="_compute_days_per_unit"
    )
    source = fields.Selection(
        [
            ("override", "Set by hand"),
            ("learned", "Learned"),
            ("product", "Product"),
            ("none", "Unknown"),
        ],
        compute="_compute_days_per_unit",
    )
    stopped = fields.Boolean(
        "Customer Stopped Reminders",
        help="The customer asked not to be reminded of this product.",
    )
    stopped_date = fields.Date(readonly=True)
    reminder_ids = fields.One2many(
        "service.care.reminder",
        compute="_compute_reminder_ids",
        string="Reminders",
    )

    _sql_constraints = [
        (
            "partner_product_company_unique",
            "unique(partner_id, product_id, company_id)",
            "A customer has one interval per product and company.",
        ),
        (
            "override_positive",
            "check(override_days_per_unit >= 0)",
            "Days per unit cannot be negative.",
        ),
    ]

    @api.depends("partner_id", "product_id")
    def _compute_display_name(self):
        for interval in self:
            interval.display_name = (
                f"{interval.partner_id.display_name} - "
                f"{interval.product_id.display_name}"
            )

    @api.depends(
        "override_days_per_unit", "learned_days_per_unit", "product_days_per_unit"
    )
    def _compute_days_per_unit(self):
        for interval in self:
            interval.days_per_unit, interval.source = interval._care_rate()

    def _compute_reminder_ids(self):
        reminders = self.env["service.care.reminder"].search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("product_id", "in", self.product_id.ids),
            ]
        )
        for interval in self:
            interval.reminder_ids = reminders.filtered(
                lambda r, i=interval: (
                    (r.partner_id, r.product_id, r.company_id)
                    == (i.partner_id, i.product_id, i.company_id)
                )
            )

    @api.constrains("override_days_per_unit")
    def _check_override(self):
        if any(interval.override_days_per_unit < 0 for interval in self):
            raise ValidationError(self.env._("Days per unit cannot be negative."))

    def write(self, vals):
        if (
            "override_days_per_unit" in vals
            and not self.env.su
            and not self.env.user.has_group("service_care.service_care_group_manager")
        ):
            raise AccessError(
                self.env._("Only a Service Care administrator sets a pace by hand.")
            )
        result = super().write(vals)
        if "override_days_per_unit" in vals:
            self._care_reminders().filtered(
                lambda r: r.state == "scheduled"
            )._care_reschedule()
        if vals.get("stopped"):
            self.filtered(
                lambda i: not i.stopped_date
            ).stopped_date = fields.Date.context_today(self)
            reminders = self._care_reminders().filtered(
                lambda r: r.state in ("scheduled", "postponed", "in_cart")
            )
            # however it is stopped (the button, the list, an import), the
            # product leaves the customer's open cart too
            lines = reminders._care_open_cart_lines()
            reminders._care_set_state("stopped")
            if lines:
                lines.order_id._care_cart_remove_lines(lines)
        return result

    def action_stop(self):
        """Stop reminding: open reminders stop, their products leave open carts."""
        self.write({"stopped": True})

    def action_resume(self):
        self.write({"stopped": False, "stopped_date": False})

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _care_rate(self):
        """(days per unit, source) for this customer and product."""
        self.ensure_one()
        if self.override_days_per_unit:
            return self.override_days_per_unit, "override"
        if self.learned_days_per_unit:
            return self.learned_days_per_unit, "learned"
        if self.product_days_per_unit:
            return self.product_days_per_unit, "product"
        return 0.0, "none"

    def _care_reminders(self):
        return (
            self.env["service.care.reminder"]
            .search(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("product_id", "in", self.product_id.ids),
                    ("company_id", "in", self.company_id.ids),
                ]
            )
            .filtered(
                lambda r: (
                    (r.partner_id.id, r.product_id.id, r.company_id.id)
                    in {
                        (i.partner_id.id, i.product_id.id, i.company_id.id)
                        for i in self
                    }
                )
            )
        )

    @api.model
    def _care_get(self, keys):
        """{(partner id, product id, company id): interval} of existing rows."""
        if not keys:
            return {}
        found = self.search(
            [
                ("partner_id", "in", list({k[0] for k in keys})),
                ("product_id", "in", list({k[1] for k in keys})),
                ("company_id", "in", list({k[2] for k in keys})),
            ]
        )
        wanted = set(keys)
        return {
            key: interval
            for interval in found
            if (
                key := (
                    interval.partner_id.id,
                    interval.product_id.id,
                    interval.company_id.id,
                )
            )
            in wanted
        }

    @api.model
    def _care_learn(self, history):
        """Learn each customer's rate from their purchases; create missing rows.

        :param history: {(partner id, product id, company id): [(date, qty)]}
            every confirmed purchase of the product by the customer
        :return: {key: interval} for every key of ``history``
        """
        intervals = self._care_get(list(history))
        products = self.env["product.product"].browse({k[1] for k in history})
        product_rates = {p.id: p.product_tmpl_id.care_days_per_unit for p in products}
        to_create = []
        for key, purchases in history.items():
            min_orders = (
                MIN_ORDERS if product_rates[key[1]] else MIN_ORDERS_WITHOUT_PRODUCT_RATE
            )
            learned = learned_days_per_unit(purchases, min_orders) or 0.0
            days = {day for day, qty in purchases if qty > 0}
            vals = {
                "learned_days_per_unit": learned,
                "order_count": len(days),
                "last_order_date": max(days) if days else False,
            }
            interval = intervals.get(key)
            if interval is None:
                to_create.append(
                    dict(vals, partner_id=key[0], product_id=key[1], company_id=key[2])
                )
            elif (
                any(
                    interval[name] != value
                    for name, value in vals.items()
                    if name != "learned_days_per_unit"
                )
                or abs(interval.learned_days_per_unit - learned) > 1e-6
            ):
                interval.write(vals)
        for interval in self.create(to_create):
            intervals[
                (interval.partner_id.id, interval.product_id.id, interval.company_id.id)
            ] = interval
        return intervals
