# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command


class ReplenishmentMixin:
    """A coffee shop: beans it learns the pace of, filters with a set pace,
    a pricelist with 10 % off the beans, a salesperson, a Monday 08:00 run."""

    @classmethod
    def _setup_replenishment(cls):
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Europe/Warsaw"
        cls.company.write(
            {
                "care_cart_weekday": "0",
                "care_cart_hour": 8.0,
                "care_cart_days": 14,
                "care_replenish_lead_days": 3,
                "care_cart_last_run": False,
            }
        )
        cls.stock_location = cls.env.ref("stock.stock_location_stock")
        # beans: the pace is learned from each customer's own orders
        cls.coffee = cls.env["product.product"].create(
            {
                "name": "Care Coffee Beans 250 g",
                "list_price": 20.0,
                "is_storable": True,
                "care_replenish": True,
                "taxes_id": [Command.clear()],
            }
        )
        # filters: one pack lasts 30 days; out of stock
        cls.filters = cls.env["product.product"].create(
            {
                "name": "Care Paper Filters",
                "list_price": 4.0,
                "is_storable": True,
                "care_replenish": True,
                "care_days_per_unit": 30,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.coffee, cls.stock_location, 100
        )
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Care loyal customers",
                "currency_id": cls.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.coffee.id,
                            "compute_price": "percentage",
                            "percent_price": 10,
                        }
                    )
                ],
            }
        )
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Care Salesperson",
                "login": "care_salesperson",
                "email": "sales@example.com",
                "groups_id": [
                    Command.set([cls.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        cls.scenario = cls.env.ref("service_care.service_care_scenario_replenishment")
        cls.Reminder = cls.env["service.care.reminder"]
        cls.Interval = cls.env["service.care.customer.interval"]
        cls.Run = cls.env["service.care.scenario.run"]
        cls.Message = cls.env["service.care.message"]

    @classmethod
    def _customer(cls, name, email, **values):
        partner = cls._make_customer(name, email, **values)
        partner.write(
            {
                "user_id": cls.salesperson.id,
                "property_product_pricelist": cls.pricelist.id,
            }
        )
        return partner

    @classmethod
    def _order(cls, partner, *lines):
        """Confirm an order of ``(product, quantity)`` lines for ``partner``."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )
        order.action_confirm()
        return order

    def _reminders(self, partner, product=None):
        domain = [("partner_id", "=", partner.id)]
        if product:
            domain.append(("product_id", "=", product.id))
        return self.Reminder.search(domain)

    def _cart(self, partner, state="open"):
        return self.env["sale.order"].search(
            [
                ("partner_id", "=", partner.id),
                ("care_predictive", "=", True),
                ("care_cart_state", "=", state),
            ]
        )
