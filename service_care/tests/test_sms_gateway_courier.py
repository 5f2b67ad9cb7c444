# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .sms_gateway_common import SmsGatewayCase


@tagged("post_install", "-at_install", "service_care")
class TestCourierSms(SmsGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.picking = cls.env["stock.picking"].create(
            {
                "partner_id": cls.customer.id,
                "picking_type_id": cls.env.ref("stock.picking_type_out").id,
                "origin": "S01234",
            }
        )
        cls.action = cls.env.ref("service_care.stock_picking_action_sms_courier_left")

    def _press(self):
        return self.action.with_context(
            active_model="stock.picking",
            active_id=self.picking.id,
            active_ids=self.picking.ids,
        ).run()

    def test_courier_left_gives_the_window_in_the_customer_time(self):
        self.picking.write(
            {
                # UTC; the customer lives in Warsaw (UTC+1 in November)
                "care_delivery_from": datetime(2026, 11, 24, 12, 0),
                "care_delivery_to": datetime(2026, 11, 24, 14, 0),
            }
        )
        result = self._press()
        self.assertEqual(result["params"]["type"], "success")
        message = self.env["service.care.message"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", self.picking.id)]
        )
        self.assertEqual((message.kind, message.state), ("transactional", "queued"))
        sms = self.Sms.search([("uuid", "=", message.sms_uuid)])
        self.assertEqual(
            sms.body,
            f"{self.company.name}: the courier has left with your order S01234 and "
            "will be with you between 13:00 and 15:00.",
        )
        self.Sms._process_queue()
        self.assertEqual(self.stub.requests[0]["text"], sms.body)

    def test_courier_left_needs_the_window(self):
        self.picking.care_delivery_from = datetime(2026, 11, 24, 12, 0)
        with self.assertRaises(UserError):
            self._press()
        self.assertFalse(
            self.env["service.care.message"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", self.picking.id)]
            )
        )

    def test_window_must_end_after_it_starts(self):
        with self.assertRaises(ValidationError):
            self.picking.write(
                {
                    "care_delivery_from": datetime(2026, 11, 24, 14, 0),
                    "care_delivery_to": datetime(2026, 11, 24, 12, 0),
                }
            )
