# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import RecordCapturer, tagged

from ..models.service_care_scenario_step import ServiceCareScenarioStep
from .common import ServiceCareCase


def _step(sequence, name, step_type, **values):
    return (0, 0, dict(values, sequence=sequence, name=name, step_type=step_type))


class Killed(BaseException):
    """Stands for the worker being killed: nothing catches it."""


@tagged("post_install", "-at_install")
class TestScenarioEngine(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["service.care.scenario.run"]
        cls.Message = cls.env["service.care.message"]
        order_model = cls.env.ref("sale.model_sale_order")
        cls.cross_sell = cls.env["mail.template"].create(
            {
                "name": "Cross-sell A",
                "model_id": order_model.id,
                "subject": "Goes well with {{ object.name }}",
                "body_html": "<p>Have a look at our accessories.</p>",
            }
        )
        cls.cross_sell_b = cls.cross_sell.copy({"subject": "Variant B"})
        cls.popular = cls.cross_sell.copy({"subject": "Popular this month"})
        cls.order_sms = cls.env["sms.template"].create(
            {
                "name": "Cross-sell SMS",
                "model_id": order_model.id,
                "body": "Thanks for {{ object.name }}",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Coffee beans 1 kg", "is_storable": True, "list_price": 20.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 100
        )
        cross_sell, popular = cls.cross_sell.id, cls.popular.id
        cls.scenario = cls.env["service.care.scenario"].create(
            {
                "name": "Repeat order (test)",
                "trigger": "order_delivered",
                "filter_domain": "[('state', '=', 'sale')]",
                "step_ids": [
                    _step(1, "Wait a day", "wait", wait_amount=1, wait_unit="days"),
                    _step(
                        2,
                        "Not cancelled",
                        "check",
                        check_domain="[('state', '!=', 'cancel')]",
                    ),
                    _step(3, "Cross-sell email", "send", mail_template_id=cross_sell),
                    _step(
                        4,
                        "Cross-sell SMS",
                        "send",
                        channel="sms",
                        sms_template_id=cls.order_sms.id,
                    ),
                    _step(5, "Wait a week", "wait", wait_amount=7, wait_unit="days"),
                    _step(
                        6,
                        "No order since",
                        "check",
                        check_builtin="not_ordered_since",
                    ),
                    _step(7, "Popular products", "send", mail_template_id=popular),
                ],
            }
        )
        steps = cls.scenario.step_ids
        cls.step_cross_sell = steps.filtered(lambda s: s.name == "Cross-sell email")
        cls.step_sms = steps.filtered(lambda s: s.name == "Cross-sell SMS")
        cls.step_popular = steps.filtered(lambda s: s.name == "Popular products")

    def _order(self, partner=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        return order

    def _deliver(self, order):
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    def _run_of(self, order):
        return self.Run.search(
            [
                ("scenario_id", "=", self.scenario.id),
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
            ]
        )

    def _messages(self, run, step=None):
        domain = [("run_id", "=", run.id)]
        if step:
            domain.append(("scenario_step_id", "=", step.id))
        return self.Message.search(domain)

    def test_repeat_order_walk_with_night_deferral(self):
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order()
        with freeze_time("2026-11-24 22:00:00"):  # 23:00 in Warsaw
            self._deliver(order)
            run = self._run_of(order)
            self.assertEqual(run.state, "running")
            self.Run._cron_run()
        self.assertEqual(run.step_id.name, "Wait a day")
        self.assertEqual(run.next_at, datetime(2026, 11, 25, 22, 0))
        with freeze_time("2026-11-25 22:00:00"):  # 23:00 local: too late to send
            self.Run._cron_run()
        email = self._messages(run, self.step_cross_sell)
        self.assertEqual(email.state, "scheduled")
        self.assertEqual(email.reason_code, "quiet_hours")
        self.assertEqual(email.scheduled_at, datetime(2026, 11, 26, 8, 0))
        self.assertEqual(self._messages(run, self.step_sms).state, "scheduled")
        self.assertEqual(run.step_id.name, "Wait a week")
        with freeze_time("2026-11-26 08:00:00"):
            self.Message._cron_dispatch()
        self.assertEqual(email.state, "queued")
        self.assertEqual(email.mail_message_id.res_id, order.id)
        with freeze_time("2026-12-02 22:00:00"):
            self.Run._cron_run()
        popular = self._messages(run, self.step_popular)
        self.assertEqual(len(popular), 1)
        self.assertEqual(run.state, "done")
        # Running again sends nothing more.
        with freeze_time("2026-12-03 10:00:00"):
            self.Run._cron_run()
        self.assertEqual(len(self._messages(run)), 3)
        self.assertTrue(run.event_ids)

    def test_invalid_filter_is_refused(self):
        for domain in ("[('no_such_field', '=', 1)]", "[('state', '=='"):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                self.scenario.filter_domain = domain
                self.scenario.flush_recordset()

    def test_same_trigger_twice_starts_one_run(self):
        order = self._order()
        runs = self.scenario._enroll(order) | self.scenario._enroll(order)
        self.assertEqual(len(runs), 1)
        self.assertEqual(len(self._run_of(order)), 1)

    def test_runs_start_on_their_own_scenario_s_first_step(self):
        other = self.scenario.copy({"name": "Repeat order (copy)"})
        # Its first step on is "Wait a week": the runs stay on it.
        other.step_ids.sorted("sequence")[:4].enabled = False
        orders = self._order() | self._order()
        with freeze_time("2026-11-24 10:00:00"):
            runs = self.scenario._enroll(orders) | other._enroll(orders)
            self.Run._cron_run()
        for run in runs:
            # Both first steps wait: the runs are on them, due later.
            first = run.scenario_id._care_steps()[:1]
            self.assertEqual((run.state, run.step_id), ("running", first))
        self.assertNotEqual(runs[0].step_id, runs[-1].step_id)

    def test_a_scenario_without_steps_ends_its_runs_each_with_the_reason(self):
        self.scenario.step_ids.enabled = False
        orders = self._order() | self._order()
        runs = self.scenario._enroll(orders)
        self.Run._cron_run()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertEqual(set(runs.mapped("end_reason")), {"The scenario has no step."})
        for run in runs:
            self.assertEqual(run.event_ids.mapped("outcome"), ["done"])
        self.assertFalse(self.Message.search([("run_id", "in", runs.ids)]))

    def test_cancelled_order_leaves_the_scenario(self):
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order()
            run = self.scenario._enroll(order)
            self.Run._cron_run()
            order._action_cancel()
        with freeze_time("2026-11-25 10:00:00"):
            self.Run._cron_run()
        self.assertEqual(run.state, "exited")
        self.assertFalse(self._messages(run))

    def test_customer_who_ordered_since_gets_no_second_message(self):
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order()
            run = self.scenario._enroll(order)
            self.Run._cron_run()
        with freeze_time("2026-11-25 10:00:00"):
            self.Run._cron_run()
        with freeze_time("2026-11-28 10:00:00"):
            self._order()
        with freeze_time("2026-12-02 10:00:00"):
            self.Run._cron_run()
        self.assertEqual(run.state, "exited")
        self.assertFalse(self._messages(run, self.step_popular))
        self.assertEqual(len(self._messages(run)), 2)

    def test_customer_without_sms_consent_gets_the_email_only(self):
        partner = self._make_customer("Iwan Petrenko", "iwan@example.ua", consent=False)
        partner._care_set_consent("email", True, "backoffice", "Offers by email.")
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order(partner)
            run = self.scenario._enroll(order)
            self.Run._cron_run()
        with freeze_time("2026-11-25 10:00:00"):
            self.Run._cron_run()
        self.assertEqual(self._messages(run, self.step_cross_sell).state, "queued")
        sms = self._messages(run, self.step_sms)
        self.assertEqual(sms.state, "skipped")
        self.assertEqual(sms.reason_code, "no_consent")

    def test_cap_stops_a_third_marketing_message_that_day(self):
        with freeze_time("2026-11-25 08:30:00"):
            self._send(self.customer)  # another feature's marketing email
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order()
            run = self.scenario._enroll(order)
            self.Run._cron_run()
        with freeze_time("2026-11-25 10:00:00"):
            self.Run._cron_run()
        email = self._messages(run, self.step_cross_sell)
        self.assertEqual(email.state, "scheduled")
        self.assertEqual(email.reason_code, "frequency_cap")
        self.assertEqual(email.scheduled_at, datetime(2026, 11, 26, 8, 0))

    def test_edited_scenario_applies_to_runs_not_yet_there(self):
        with freeze_time("2026-11-24 10:00:00"):
            order = self._order()
            run = self.scenario._enroll(order)
            self.Run._cron_run()
        # The manager adds a wait and changes the template before the run
        # reaches them.
        new_template = self.cross_sell.copy({"subject": "New wording"})
        self.step_cross_sell.mail_template_id = new_template
        self.scenario.step_ids = [
            _step(2, "Extra wait", "wait", wait_amount=2, wait_unit="hours")
        ]
        with freeze_time("2026-11-25 10:00:00"):
            self.Run._cron_run()
        self.assertEqual(run.step_id.name, "Extra wait")
        self.assertFalse(self._messages(run))
        with freeze_time("2026-11-25 12:00:00"):
            self.Run._cron_run()
        email = self._messages(run, self.step_cross_sell)
        self.assertEqual(email.mail_template_id, new_template)
        self.assertEqual(email.subject, "New wording")


@tagged("post_install", "-at_install")
class TestScenarioAtScale(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["service.care.scenario.run"]
        cls.Message = cls.env["service.care.message"]
        partner_model = cls.env.ref("base.model_res_partner")
        variant_b = cls.mail_template.copy({"subject": "Variant B"})
        template_a = cls.mail_template.id
        cls.scenario = cls.env["service.care.scenario"].create(
            {
                "name": "Welcome (A/B)",
                "trigger": "api",
                "model_id": partner_model.id,
                "ab_min_sample": 100,
                "step_ids": [
                    _step(
                        1,
                        "Welcome",
                        "send",
                        variant_ids=[
                            (0, 0, {"name": "A", "mail_template_id": template_a}),
                            (0, 0, {"name": "B", "mail_template_id": variant_b.id}),
                        ],
                    )
                ],
            }
        )
        cls.step = cls.scenario.step_ids

    def test_ab_variants_split_evenly_and_are_reported(self):
        partners = self._make_customers(1000, start=5000)
        with freeze_time("2026-11-24 10:00:00"):
            runs = self.scenario._enroll(partners)
            self.Run._cron_run()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        messages = self.Message.search([("scenario_step_id", "=", self.step.id)])
        self.assertEqual(len(messages), 1000)
        counts = {
            v: len(messages.filtered(lambda m, v=v: m.variant == v)) for v in "AB"
        }
        self.assertTrue(450 <= counts["A"] <= 550, counts)
        self.assertEqual(counts["A"] + counts["B"], 1000)
        subjects = set(messages.filtered(lambda m: m.variant == "B").mapped("subject"))
        self.assertEqual(subjects, {"Variant B"})
        # Variant A gets many more clicks: it is named the winner.
        clicked = messages.filtered(lambda m: m.variant == "A")[:200]
        clicked |= messages.filtered(lambda m: m.variant == "B")[:60]
        clicked._track_click()
        self.step.invalidate_recordset()
        self.assertEqual(self.step.sent_count, 0)  # queued, not sent yet
        self.assertEqual(self.step.clicked_count, 260)
        self.assertEqual(self.step.entered_count, 1000)
        messages._mark("sent")
        self.step.invalidate_recordset()
        self.assertEqual(self.step.winner, "A")

    def test_killed_runner_resumes_without_sending_twice(self):
        partners = self._make_customers(10, start=7000)
        calls = []
        original = ServiceCareScenarioStep._execute_send

        def send_then_die(step, runs):
            calls.append(len(runs))
            if len(calls) == 2:
                raise Killed()
            return original(step, runs)

        with freeze_time("2026-11-24 10:00:00"):
            runs = self.scenario._enroll(partners)
            # Not assertRaises: Odoo's rolls back to a savepoint, while a
            # killed worker keeps the batches it had committed.
            killed = False
            try:
                with patch.object(
                    ServiceCareScenarioStep, "_execute_send", send_then_die
                ):
                    self.Run._cron_run(batch_size=4)
            except Killed:
                killed = True
            self.assertTrue(killed)
            self.assertEqual(len(calls), 2)
            sent = self.Message.search_count([("run_id", "in", runs.ids)])
            self.assertEqual(sent, 4)
            self.Run._cron_run(batch_size=4)
        messages = self.Message.search([("run_id", "in", runs.ids)])
        self.assertEqual(len(messages), 10)
        self.assertEqual(messages.partner_id, partners)
        self.assertEqual(set(runs.mapped("state")), {"done"})

    def test_a_failing_run_is_retried_and_the_others_go_on(self):
        partners = self._make_customers(3, start=8000)
        broken = partners[1]
        original = ServiceCareScenarioStep._execute_send

        def fail_for_one(step, runs):
            if broken in runs.partner_id:
                raise ValueError("boom")
            return original(step, runs)

        with freeze_time("2026-11-24 10:00:00"):
            runs = self.scenario._enroll(partners)
            with patch.object(ServiceCareScenarioStep, "_execute_send", fail_for_one):
                self.Run._cron_run()
        failed = runs.filtered(lambda r: r.partner_id == broken)
        self.assertEqual(failed.state, "running")
        self.assertEqual(failed.attempts, 1)
        self.assertEqual(failed.next_at, datetime(2026, 11, 24, 10, 10))
        self.assertEqual(set((runs - failed).mapped("state")), {"done"})
        with freeze_time("2026-11-24 10:10:00"):
            self.Run._cron_run()
        self.assertEqual(failed.state, "done")
        self.assertEqual(self.Message.search_count([("run_id", "in", runs.ids)]), 3)


@tagged("post_install", "-at_install")
class TestScenarioTriggers(ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["service.care.scenario.run"]
        cls.product = cls.env["product.product"].create({"name": "Water filter"})
        order_template = cls.env["mail.template"].create(
            {
                "name": "Thanks",
                "model_id": cls.env.ref("sale.model_sale_order").id,
                "subject": "Thanks for {{ object.name }}",
                "body_html": "<p>Thanks</p>",
            }
        )
        cls.send_step = _step(1, "Thank", "send", mail_template_id=order_template.id)

    def _order(self, confirm=True):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def test_order_confirmed_starts_a_run_and_wakes_the_runner(self):
        scenario = self.env["service.care.scenario"].create(
            {
                "name": "Order thanks",
                "trigger": "order_confirmed",
                "step_ids": [self.send_step],
            }
        )
        cron = self.env.ref("service_care.ir_cron_service_care_scenario_run")
        triggers = RecordCapturer(
            self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", cron.id)]
        )
        with triggers:
            order = self._order()
        run = self.Run.search([("scenario_id", "=", scenario.id)])
        self.assertEqual((run.res_id, run.partner_id), (order.id, self.customer))
        self.assertTrue(triggers.records, "the runner cron was not triggered")
        # Confirming again (e.g. after a cancel and reset) starts no second run.
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(self.Run.search_count([("scenario_id", "=", scenario.id)]), 1)

    def test_documents_entering_the_filter_are_polled(self):
        scenario = self.env["service.care.scenario"].create(
            {
                "name": "Quotation follow-up",
                "trigger": "domain",
                "filter_domain": f"[('state', '=', 'draft'), "
                f"('partner_id', '=', {self.customer.id})]",
                "step_ids": [self.send_step],
            }
        )
        self.env["service.care.scenario"]._cron_poll_domains()
        self.assertFalse(self.Run.search([("scenario_id", "=", scenario.id)]))
        quotation = self._order(confirm=False)
        self.env["service.care.scenario"]._cron_poll_domains()
        self.env["service.care.scenario"]._cron_poll_domains()
        run = self.Run.search([("scenario_id", "=", scenario.id)])
        self.assertEqual(run.res_id, quotation.id)

    def test_filter_is_checked_again_before_the_send(self):
        scenario = self.env["service.care.scenario"].create(
            {
                "name": "Quotation reminder",
                "trigger": "api",
                "filter_domain": "[('state', '=', 'draft')]",
                "step_ids": [self.send_step],
            }
        )
        quotation = self._order(confirm=False)
        run = scenario._enroll(quotation)
        quotation.action_confirm()  # no longer a quotation when the run sends
        self.Run._cron_run()
        self.assertEqual(run.state, "exited")
        self.assertFalse(run.message_ids)
