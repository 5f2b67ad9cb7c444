# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command

from .common import ServiceCareCase

NOTICE = "service.care.waitlist.notice"


class WaitlistCase(ServiceCareCase):
    """A mug in three colours, sold out, on the shop's website."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Waitlist = cls.env["service.care.waitlist"]
        cls.Message = cls.env["service.care.message"]
        cls.website = cls.env["website"].get_current_website()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.website.warehouse_id = cls.warehouse
        cls.env["ir.config_parameter"].set_param(
            "service_care.waitlist_min_free_qty", "1"
        )
        colour = cls.env["product.attribute"].create(
            {
                "name": "Mug colour",
                "create_variant": "always",
                "value_ids": [
                    Command.create({"name": name}) for name in ("Red", "Blue", "Green")
                ],
            }
        )
        cls.mug = cls.env["product.template"].create(
            {
                "name": "Care Test Mug",
                "is_storable": True,
                "list_price": 12.0,
                "is_published": True,
                "allow_out_of_stock_order": False,
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": colour.id,
                            "value_ids": [Command.set(colour.value_ids.ids)],
                        }
                    )
                ],
            }
        )
        variants = {
            variant.product_template_attribute_value_ids.name: variant
            for variant in cls.mug.product_variant_ids
        }
        cls.red, cls.blue, cls.green = (
            variants["Red"],
            variants["Blue"],
            variants["Green"],
        )

    def _wait_for(self, partner, *products):
        return self.Waitlist.browse(
            [
                self.Waitlist._care_subscribe(partner, product, self.website, "shop").id
                for product in products
            ]
        )

    def _receive(self, *quantities):
        """Validate a receipt of (product, quantity) pairs into the shop's stock."""
        supplier = self.env.ref("stock.stock_location_suppliers")
        stock = self.warehouse.lot_stock_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": stock.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": supplier.id,
                            "location_dest_id": stock.id,
                        }
                    )
                    for product, qty in quantities
                ],
            }
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _sell(self, partner, product, qty=1):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.action_confirm()
        return order

    def _run(self):
        self.env["service.care.scenario.run"]._cron_run()

    def _messages(self, notices, channel="email"):
        return self.Message.search(
            [
                ("res_model", "=", NOTICE),
                ("res_id", "in", notices.ids),
                ("channel", "=", channel),
            ],
            order="id",
        )
