# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from .common import ServiceCareCase


@tagged("post_install", "-at_install")
class TestMessageReport(ServiceCareCase):
    """Reporting > Results: each message counts in one flow; reach figures
    are filters on customers."""

    def _report(self, messages):
        return self.env["service.care.message.report"].search(
            [("message_id", "in", messages.ids)]
        )

    def _log(self, **values):
        return self.env["service.care.message"].create(
            {
                "partner_id": self.customer.id,
                "channel": "email",
                "state": "sent",
                **values,
            }
        )

    def test_a_message_counts_in_its_step_flow_else_its_scenario_flow(self):
        waitlist = self.env.ref("service_care.service_care_scenario_waitlist")
        email = self.env.ref("service_care.service_care_scenario_waitlist_step_email")
        again = self.env.ref(
            "service_care.service_care_scenario_waitlist_step_out_again"
        )
        back = self._log(scenario_id=waitlist.id, scenario_step_id=email.id)
        out = self._log(scenario_id=waitlist.id, scenario_step_id=again.id)
        self.assertEqual(self._report(back).flow, "back_in_stock")
        self.assertEqual(self._report(out).flow, "out_of_stock_again")
        waitlist.flow = "other"
        again.flow = False
        self.env.invalidate_all()
        self.assertEqual(self._report(out).flow, "other")

    def test_order_messages_without_a_scenario(self):
        """The courier SMS and other messages sent on an order from a button
        count as order messages; the rest as other."""
        order = self._log(
            kind="transactional", res_model="sale.order", res_id=1, channel="sms"
        )
        manual = self._log(kind="marketing", res_model="res.partner", res_id=1)
        self.assertEqual(self._report(order).flow, "order")
        self.assertEqual(self._report(manual).flow, "other")

    def test_an_sms_without_a_report_is_sent_not_delivered(self):
        waiting = self._log(channel="sms", state="sent")
        delivered = self._log(channel="sms", state="delivered")
        failed = self._log(channel="sms", state="failed", sent_at="2026-11-02")
        rows = {
            row.message_id: row for row in self._report(waiting + delivered + failed)
        }
        self.assertEqual(
            [
                (rows[m].sent_count, rows[m].delivered_count)
                for m in (waiting, delivered, failed)
            ],
            [(1, 0), (1, 1), (1, 0)],
        )
        self.assertFalse(rows[waiting].open_rate, "no rate on an undelivered SMS")

    def test_reach_filters_are_the_settings_figures(self):
        self.env["sale.order"].create({"partner_id": self.customer.id})
        silent = self._make_customer("Olga", "olga@example.pl", consent=False)
        self.env["sale.order"].create({"partner_id": silent.id})
        Partner = self.env["res.partner"]
        reachable = Partner.search([("care_reach_email", "=", True)])
        self.assertIn(self.customer, reachable)
        self.assertNotIn(silent, reachable)
        self.assertNotIn(silent, Partner.search([("care_opted_out", "=", True)]))
        silent._care_set_consent("email", False, "portal", "No, thanks.")
        self.assertIn(silent, Partner.search([("care_opted_out", "=", True)]))
        self.assertTrue(silent.care_opted_out)
        self.assertFalse(silent.care_reach_email)
        self.assertIn(silent, Partner.search([("care_opted_out", "!=", False)]))
        self.assertNotIn(silent, Partner.search([("care_opted_out", "=", False)]))
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            settings.care_reach_opted_out_count,
            Partner.search_count([("care_opted_out", "=", True)]),
        )
        self.env["phone.blacklist"].sudo()._add([self.customer.mobile])
        self.assertTrue(self.customer.care_opted_out, "a STOP opts out")
