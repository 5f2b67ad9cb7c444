# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import datetime

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import file_open

DASHBOARD = "service_care_dashboard/data/files/service_care_dashboard.json"
AT = datetime(2026, 11, 2, 10, 0)


@tagged("post_install", "-at_install")
class TestDashboardData(TransactionCase):
    """The dashboard's figures are what its data sources return, and those
    count the way the README says: rates over delivered messages, opens by
    a privacy proxy apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with file_open(DASHBOARD) as handle:
            cls.spreadsheet = json.load(handle)
        # A company of its own: the demo shop's history stays out of sight.
        cls.company = cls.env["res.company"].create({"name": "Rates Shop"})
        cls.user = new_test_user(
            cls.env,
            "rates",
            groups="service_care.service_care_group_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Rita", "email": "rita@example.com"}
        )
        cls.step = cls.env.ref("service_care.service_care_scenario_waitlist_step_email")
        cls.out_again = cls.env.ref(
            "service_care.service_care_scenario_waitlist_step_out_again"
        )

    def _message(self, state, step=None, **values):
        step = step or self.step
        return self.env["service.care.message"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "channel": "email",
                "kind": "transactional",
                "scenario_id": step.scenario_id.id,
                "scenario_step_id": step.id,
                "state": state,
                "scheduled_at": AT,
                "sent_at": AT if state != "skipped" else False,
                **values,
            }
        )

    def _pivot(self, pivot_id):
        """Read a pivot of the dashboard as the spreadsheet does: its model,
        domain, row groups and measures, as a user of the shop."""
        pivot = self.spreadsheet["pivots"][str(pivot_id)]
        rows = [row["fieldName"] for row in pivot["rows"]]
        measures = [measure["fieldName"] for measure in pivot["measures"]]
        aggregates = [
            "__count"
            if name == "__count"
            else f"{name}:{self._aggregator(pivot, name)}"
            for name in measures
        ]
        Model = self.env[pivot["model"]].with_user(self.user)
        groups = Model._read_group(pivot["domain"], rows, aggregates)
        return {
            tuple(group[: len(rows)]): dict(
                zip(measures, group[len(rows) :], strict=True)
            )
            for group in groups
        }

    def _aggregator(self, pivot, name):
        return self.env[pivot["model"]]._fields[name].aggregator

    def test_rates_are_over_delivered_and_proxy_opens_apart(self):
        self._message("opened", open_count=1)  # read by a person
        self._message("sent", machine_open_count=1)  # the proxy only
        self._message("clicked", click_count=1)  # images off, clicked
        self._message(
            "converted", open_count=1, click_count=1, machine_open_count=1, amount=80
        )
        self._message("bounced")
        self._message("skipped", reason_code="no_consent")
        self._message("sent", step=self.out_again)

        by_flow = self._pivot(1)
        back = by_flow[("back_in_stock",)]
        # 4 delivered: 3 read by a person (one only clicked), 1 by the proxy
        # only, 2 clicks, 1 order; the bounce went out, the skip did not.
        self.assertEqual(back["sent_count"], 5)
        self.assertEqual(back["delivered_count"], 4)
        self.assertEqual(back["opened_count"], 3)
        self.assertAlmostEqual(back["open_rate"], 75.0)
        self.assertAlmostEqual(back["machine_open_rate"], 25.0)
        self.assertEqual(back["clicked_count"], 2)
        self.assertAlmostEqual(back["click_rate"], 50.0)
        self.assertEqual(back["converted_count"], 1)
        self.assertAlmostEqual(back["conversion_rate"], 25.0)
        self.assertEqual(back["revenue"], 80)
        # "Out of stock again" is a step of the same scenario, its own flow.
        again = by_flow[("out_of_stock_again",)]
        self.assertEqual(again["delivered_count"], 1)
        self.assertAlmostEqual(again["open_rate"], 0.0)
        # The total row: rates over the 5 delivered messages of both flows.
        total = self._total(1)
        self.assertAlmostEqual(total["open_rate"], 60.0)
        self.assertAlmostEqual(total["click_rate"], 40.0)

    def _total(self, pivot_id):
        pivot = self.spreadsheet["pivots"][str(pivot_id)]
        measures = [measure["fieldName"] for measure in pivot["measures"]]
        Model = self.env[pivot["model"]].with_user(self.user)
        (group,) = Model._read_group(
            pivot["domain"],
            [],
            [f"{name}:{self._aggregator(pivot, name)}" for name in measures],
        )
        return dict(zip(measures, group, strict=True))

    def test_sms_cost_by_gateway(self):
        gateway = self.env["service.care.sms.gateway"].create(
            {
                "name": "Jasmin",
                "company_id": self.company.id,
                "provider": "jasmin",
                "url": "http://127.0.0.1:1401/send",
                "active": False,
            }
        )
        sms_step = self.env.ref("service_care.service_care_scenario_waitlist_step_sms")
        for cost in (0.05, 0.10):
            self._message(
                "delivered",
                step=sms_step,
                channel="sms",
                cost=cost,
                sms_gateway_id=gateway.id,
            )
        self.assertAlmostEqual(self._total(10)["cost"], 0.15)
        report = self.env["service.care.message.report"].with_user(self.user)
        ((found, cost),) = report._read_group(
            [("channel", "=", "sms")], ["sms_gateway_id"], ["cost:sum"]
        )
        self.assertEqual((found, cost), (gateway, 0.15))

    def test_the_user_sees_only_their_companies(self):
        self._message("opened", open_count=1)
        other = self.env["service.care.message.report"].with_user(self.user)
        self.assertEqual(
            other.search([]).message_id.company_id, self.company, "rule on the view"
        )

    def test_every_data_source_reads(self):
        """Each pivot and list names fields its model has, with measures a
        pivot can aggregate: the dashboard opens with no #ERROR."""
        for pivot in self.spreadsheet["pivots"].values():
            Model = self.env[pivot["model"]]
            for measure in pivot["measures"]:
                if measure["fieldName"] != "__count":
                    self.assertTrue(Model._fields[measure["fieldName"]].aggregator)
            for group in pivot["rows"] + pivot["columns"]:
                self.assertIn(group["fieldName"], Model._fields)
            for matching in pivot["fieldMatching"].values():
                self.assertIn(matching["chain"], Model._fields)
            Model._read_group(pivot["domain"], [], ["__count"])
        for spreadsheet_list in self.spreadsheet["lists"].values():
            Model = self.env[spreadsheet_list["model"]]
            Model.search_read(spreadsheet_list["domain"], spreadsheet_list["columns"])
