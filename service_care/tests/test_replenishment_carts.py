# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import Command
from odoo.tests import tagged

from ..tools.replenishment import Cart, CartLine
from .common import ServiceCareCase
from .replenishment_common import ReplenishmentMixin

# What differs between a cart line and the same line of a quotation made by
# hand, whatever the values: the record itself and when it was written.
NOT_COMPARED = {
    "id",
    "order_id",
    "create_date",
    "write_date",
    "create_uid",
    "write_uid",
    "care_out_of_stock",
}

ORDER_COMPARED = (
    "note",
    "partner_invoice_id",
    "partner_shipping_id",
    "pricelist_id",
    "fiscal_position_id",
    "payment_term_id",
    "currency_id",
    "team_id",
)


@tagged("post_install", "-at_install")
class TestCartLines(ReplenishmentMixin, ServiceCareCase):
    """Cart lines of one case share Odoo's computation: the values must be
    those Odoo gives the same line of a quotation made by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_replenishment()
        Tax = cls.env["account.tax"]
        cls.vat = Tax.create({"name": "Care VAT 23", "amount": 23.0})
        cls.vat_export = Tax.create({"name": "Care VAT 0", "amount": 0.0})
        cls.coffee.taxes_id = cls.vat
        cls.filters.taxes_id = cls.vat
        cls.export = cls.env["account.fiscal.position"].create(
            {
                "name": "Care export",
                "tax_ids": [
                    Command.create(
                        {"tax_src_id": cls.vat.id, "tax_dest_id": cls.vat_export.id}
                    )
                ],
            }
        )
        # terms and conditions on every quotation, in the customer's language
        cls.env["ir.config_parameter"].sudo().set_param(
            "account.use_invoice_terms", True
        )
        cls.company.write(
            {"terms_type": "plain", "invoice_terms": "<p>Pay within 14 days.</p>"}
        )
        cls.other_salesperson = cls.salesperson.copy({"login": "care_other_sales"})
        cls.customers = cls.env["res.partner"]
        for index in range(6):
            customer = cls._customer(f"Care Line {index}", f"line{index}@example.pl")
            if index % 2:
                customer.user_id = cls.other_salesperson
            if index == 5:
                customer.property_account_position_id = cls.export
            if index == 4:
                customer.property_product_pricelist = cls.env[
                    "product.pricelist"
                ].create({"name": "Care list prices"})
            cls.customers |= customer

    def _reference(self, cart):
        """The same lines in a quotation Odoo computes on its own."""
        return self.env["sale.order"].create(
            {
                "partner_id": cart.partner_id.id,
                "user_id": cart.user_id.id,
                "warehouse_id": cart.warehouse_id.id,
                "require_signature": False,
                "require_payment": False,
                "order_line": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "product_uom_qty": line.product_uom_qty,
                        }
                    )
                    for line in cart.order_line
                ],
            }
        )

    def _make_carts(self):
        carts = [
            Cart(
                customer.id,
                [CartLine(self.coffee.id, 2.0, []), CartLine(self.filters.id, 1.0, [])],
            )
            for customer in self.customers
        ]
        # one case apart: another quantity
        carts[0].lines[1].quantity = 3.0
        orders = self.env["service.care.cart.builder"]._care_create_carts(
            self.company, carts, date(2026, 3, 2)
        )
        self.assertEqual(len(orders.order_line), 12)
        return orders

    def _assert_like_odoo(self, orders):
        Line = self.env["sale.order.line"]
        compared = [
            name
            for name, field in Line._fields.items()
            if field.store and name not in NOT_COMPARED
        ]
        self.assertIn("price_total", compared)
        for order in orders:
            reference = self._reference(order)
            for line, expected in zip(
                order.order_line, reference.order_line, strict=True
            ):
                for name in compared:
                    with self.subTest(customer=order.partner_id.name, field=name):
                        self.assertEqual(line[name], expected[name])
            for name in ("amount_untaxed", "amount_tax", "amount_total"):
                with self.subTest(customer=order.partner_id.name, field=name):
                    self.assertAlmostEqual(order[name], reference[name])
            for name in ORDER_COMPARED:
                with self.subTest(customer=order.partner_id.name, field=name):
                    self.assertEqual(order[name], reference[name])

    def test_cart_lines_are_what_odoo_computes(self):
        orders = self._make_carts()
        self._assert_like_odoo(orders)
        # the export customer pays no VAT; the others do, at their prices
        export, list_prices = orders[5], orders[4]
        self.assertEqual(export.order_line.tax_id, self.vat_export)
        self.assertEqual(export.amount_tax, 0.0)
        self.assertEqual(orders[3].order_line.tax_id, self.vat)
        coffee = orders[0].order_line.filtered(
            lambda line: line.product_id == self.coffee
        )
        self.assertAlmostEqual(coffee.price_subtotal, 36.0)
        self.assertAlmostEqual(coffee.price_total, 44.28)
        self.assertEqual(
            list_prices.order_line.filtered(
                lambda line: line.product_id == self.coffee
            ).price_subtotal,
            40.0,
        )
        self.assertEqual(orders[1].order_line.salesman_id, self.other_salesperson)
        self.assertEqual(orders[2].order_line.order_partner_id, self.customers[2])
        self.assertIn("Pay within 14 days.", orders[3].note)

    def test_customer_analytics_are_computed_per_line(self):
        """A value that depends on the customer is Odoo's, line by line."""
        plan = self.env["account.analytic.plan"].create({"name": "Care plan"})
        account = self.env["account.analytic.account"].create(
            {"name": "Care key accounts", "plan_id": plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {
                "partner_id": self.customers[2].id,
                "analytic_distribution": {str(account.id): 100},
            }
        )
        orders = self._make_carts()
        self._assert_like_odoo(orders)
        self.assertEqual(
            orders[2].order_line.mapped("analytic_distribution"),
            [{str(account.id): 100.0}] * 2,
        )
        self.assertEqual(
            orders[1].order_line.mapped("analytic_distribution"), [False] * 2
        )
