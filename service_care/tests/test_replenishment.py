# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools.replenishment import Cart, CartLine
from .common import ServiceCareCase
from .replenishment_common import ReplenishmentMixin

# Warsaw is UTC+1 in winter: the Monday 08:00 run is at 07:00 UTC.
JAN_5 = datetime(2026, 1, 5, 10, 0)
FEB_4 = datetime(2026, 2, 4, 10, 0)
MONDAY_MAR_2 = datetime(2026, 3, 2, 7, 0)
MONDAY_MAR_9 = datetime(2026, 3, 9, 7, 0)
MONDAY_MAR_16 = datetime(2026, 3, 16, 7, 0)


@tagged("post_install", "-at_install")
class TestReplenishment(ReplenishmentMixin, ServiceCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_replenishment()
        cls.anna = cls._customer("Anna Care", "anna.care@example.pl")
        cls.piotr = cls._customer(
            "Piotr Later", "piotr.later@example.pl", mobile="+48 601 000 002"
        )
        cls.ewa = cls._customer(
            "Ewa Silent", "ewa.silent@example.pl", mobile="+48 601 000 003"
        )

    def _history(self):
        """Anna's coffee twice, 30 days apart; filters with the second order;
        Piotr and Ewa buy filters once."""
        with freeze_time(JAN_5):
            self._order(self.anna, (self.coffee, 1))
        with freeze_time(FEB_4):
            self._order(self.anna, (self.coffee, 1), (self.filters, 1))
            self._order(self.piotr, (self.filters, 1))
            self._order(self.ewa, (self.filters, 1))

    def _weekly_run(self, at):
        with freeze_time(at):
            return self.Reminder._cron_weekly_carts()

    def _runner(self, at):
        """The scenario runner and the deferred-message dispatch at ``at``."""
        with freeze_time(at):
            self.Run._cron_run()
            self.Message._cron_dispatch()

    def _run_of(self, cart):
        return self.Run.search(
            [
                ("scenario_id", "=", self.scenario.id),
                ("res_model", "=", "sale.order"),
                ("res_id", "=", cart.id),
            ]
        )

    def _messages(self, cart):
        return self.Message.search(
            [("res_model", "=", "sale.order"), ("res_id", "=", cart.id)], order="id"
        )

    # ------------------------------------------------------------------
    # Intervals and reminders
    # ------------------------------------------------------------------

    def test_two_orders_30_days_apart_teach_30_days(self):
        with freeze_time(JAN_5):
            self._order(self.anna, (self.coffee, 1))
        # the beans have no pace of their own: nothing to remind yet
        self.assertFalse(self._reminders(self.anna, self.coffee))
        with freeze_time(FEB_4):
            order = self._order(self.anna, (self.coffee, 1))
        interval = self.Interval.search(
            [("partner_id", "=", self.anna.id), ("product_id", "=", self.coffee.id)]
        )
        self.assertEqual(interval.learned_days_per_unit, 30.0)
        self.assertEqual(interval.order_count, 2)
        self.assertEqual(interval.source, "learned")
        reminder = self._reminders(self.anna, self.coffee)
        self.assertRecordValues(
            reminder,
            [
                {
                    "order_id": order.id,
                    "order_date": date(2026, 2, 4),
                    "quantity": 1.0,
                    "days_per_unit": 30.0,
                    "interval_source": "learned",
                    # 30 days of coffee, reminded 3 days early
                    "due_date": date(2026, 3, 3),
                    "state": "scheduled",
                    "user_id": self.salesperson.id,
                }
            ],
        )

    def test_product_pace_until_three_orders(self):
        # filters last 30 days per pack; this customer needs 40
        for day, qty in ((datetime(2026, 1, 1), 1), (datetime(2026, 2, 10), 1)):
            with freeze_time(day):
                self._order(self.anna, (self.filters, qty))
        reminder = self._reminders(self.anna, self.filters)
        self.assertEqual(reminder.interval_source, "product")
        self.assertEqual(reminder.due_date, date(2026, 3, 9))  # Feb 10 + 30 - 3
        with freeze_time(datetime(2026, 3, 22)):
            self._order(self.anna, (self.filters, 2))
        reminder = self._reminders(self.anna, self.filters)
        self.assertEqual(len(reminder), 1, "the new order replaced the reminder")
        self.assertEqual(reminder.interval_source, "learned")
        self.assertEqual(reminder.days_per_unit, 40.0)
        # two packs at 40 days each, 3 days early
        self.assertEqual(reminder.due_date, date(2026, 6, 7))

    def test_manager_override_and_stop(self):
        with freeze_time(FEB_4):
            self._order(self.anna, (self.filters, 1))
        interval = self.Interval.search([("partner_id", "=", self.anna.id)])
        reminder = self._reminders(self.anna)
        # a salesperson may not set the pace by hand, a manager may
        with self.assertRaises(AccessError):
            interval.with_user(self.salesperson).override_days_per_unit = 10
        interval.override_days_per_unit = 10
        self.assertEqual(reminder.interval_source, "override")
        self.assertEqual(reminder.due_date, date(2026, 2, 11))  # Feb 4 + 10 - 3
        reminder.action_stop()
        self.assertEqual(reminder.state, "stopped")
        self.assertTrue(interval.stopped)
        with freeze_time(datetime(2026, 2, 20)):
            self._order(self.anna, (self.filters, 1))
        self.assertEqual(self._reminders(self.anna), reminder, "no new reminder")

    def test_rebuild_from_dated_history(self):
        """Orders confirmed first and dated afterwards (an import, the demo)."""
        orders = self.env["sale.order"]
        for day in (
            datetime(2025, 10, 1),
            datetime(2025, 11, 1),
            datetime(2025, 12, 1),
        ):
            orders |= self._order(self.anna, (self.coffee, 1))
            orders[-1:].date_order = day
        self.Reminder._care_rebuild(self.anna)
        reminder = self._reminders(self.anna, self.coffee)
        self.assertEqual(reminder.order_id, orders[-1:])
        self.assertEqual(reminder.days_per_unit, 30.5)  # median of 31 and 30
        self.assertEqual(reminder.due_date, date(2025, 12, 28))  # Dec 1 + 30 - 3
        self.Reminder._care_rebuild(self.anna)
        self.assertEqual(self._reminders(self.anna, self.coffee), reminder)

    # ------------------------------------------------------------------
    # The weekly run
    # ------------------------------------------------------------------

    def test_monday_run_makes_one_cart(self):
        self._history()
        # Sunday evening and Monday 07:59 (local) are too early
        self.assertEqual(self._weekly_run(datetime(2026, 3, 1, 20, 0)), 0)
        self.company.care_cart_last_run = datetime(2026, 2, 23, 7, 0)
        self.assertEqual(self._weekly_run(datetime(2026, 3, 2, 6, 59)), 0)
        self.assertEqual(self._weekly_run(MONDAY_MAR_2), 3)
        cart = self._cart(self.anna)
        self.assertEqual(len(cart), 1)
        self.assertRecordValues(
            cart,
            [
                {
                    "state": "draft",
                    "care_cart_date": date(2026, 3, 2),
                    "care_cart_expires_at": datetime(2026, 3, 16, 7, 0),
                    "user_id": self.salesperson.id,
                    "pricelist_id": self.pricelist.id,
                }
            ],
        )
        coffee = cart.order_line.filtered(lambda line: line.product_id == self.coffee)
        filters = cart.order_line - coffee
        # the customer's pricelist: 10 % off the beans
        self.assertAlmostEqual(coffee.price_subtotal, 18.0)
        self.assertAlmostEqual(filters.price_subtotal, 4.0)
        self.assertFalse(coffee.care_out_of_stock)
        self.assertTrue(filters.care_out_of_stock)
        reminders = self._reminders(self.anna)
        self.assertEqual(set(reminders.mapped("state")), {"in_cart"})
        self.assertEqual(reminders.cart_id, cart)
        self.assertEqual(reminders.cart_line_id, cart.order_line)
        self.assertEqual(cart.care_cart_reminder_ids, reminders)
        # the scenario emails the cart with signed links at 09:00 local
        self.assertEqual(len(self._run_of(cart)), 1)
        self._runner(MONDAY_MAR_2)
        self._runner(datetime(2026, 3, 2, 8, 0))
        email = self._messages(cart)
        self.assertEqual(email.mapped("state"), ["queued"])
        body = email.mail_message_id.body
        self.assertIn(f"/my/care/cart/{cart.id}/confirm", body)
        self.assertIn(f"/my/care/cart/{cart.id}/postpone/2", body)
        self.assertIn("Care Coffee Beans", body)

    def test_two_cart_workers_share_the_run(self):
        self._history()
        customers = self.anna | self.piotr | self.ewa
        first = customers.filtered(lambda p: p.id % 2 == 0)
        second = customers - first
        self.assertTrue(first and second, "the test needs customers in both shards")
        Cron = self.env["ir.cron"]
        workers = Cron.search(
            [
                ("code", "like", "_cron_weekly_carts"),
                ("model_id.model", "=", "service.care.reminder"),
            ]
        )
        self.assertEqual(len(workers), 2)
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "in", workers.ids)]).unlink()
        with freeze_time(MONDAY_MAR_2):
            # the first worker starts the run, wakes the other, carts its share
            self.assertEqual(self.Reminder._cron_weekly_carts(shard=(0, 2)), len(first))
            self.assertEqual(
                Trigger.search([("cron_id", "in", workers.ids)]).cron_id, workers
            )
            self.assertEqual(self.company.care_cart_run_day, date(2026, 3, 2))
            for customer in first:
                self.assertEqual(len(self._cart(customer)), 1)
            for customer in second:
                self.assertFalse(self._cart(customer))
            # the second finds the run started, carts the rest and ends it
            self.assertEqual(
                self.Reminder._cron_weekly_carts(shard=(1, 2)), len(second)
            )
            self.assertFalse(self.company.care_cart_run_day)
        for customer in customers:
            self.assertEqual(len(self._cart(customer)), 1)
        # an hour later neither starts another run
        with freeze_time(datetime(2026, 3, 2, 8, 0)):
            self.assertEqual(self.Reminder._cron_weekly_carts(shard=(0, 2)), 0)
            self.assertEqual(self.Reminder._cron_weekly_carts(shard=(1, 2)), 0)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("care_predictive", "=", True), ("partner_id", "in", customers.ids)]
            ),
            3,
        )

    def test_manager_starts_the_run_now(self):
        self._history()
        manager = self.env["res.users"].create(
            {
                "name": "Care Manager",
                "login": "care_run_manager",
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("service_care.service_care_group_manager").id,
                            self.env.ref("sales_team.group_sale_salesman").id,
                        ]
                    )
                ],
            }
        )
        with freeze_time(datetime(2026, 3, 4, 12, 0)):
            action = self.Reminder.with_user(manager).action_run_weekly_carts()
            self.assertEqual(action["tag"], "display_notification")
            # started, not done in the request: the workers make the carts
            self.assertEqual(self.company.care_cart_run_day, date(2026, 3, 4))
            self.assertFalse(self._cart(self.anna))
            self.assertEqual(self.Reminder._cron_weekly_carts(), 3)
        self.assertFalse(self.company.care_cart_run_day)
        self.assertEqual(len(self._cart(self.anna)), 1)

    def test_stopped_in_the_back_office_leaves_the_cart(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.anna)
        self.assertEqual(cart.order_line.product_id, self.coffee | self.filters)
        coffee = self.Interval.search(
            [("partner_id", "=", self.anna.id), ("product_id", "=", self.coffee.id)]
        )
        filters = self.Interval.search(
            [("partner_id", "=", self.anna.id), ("product_id", "=", self.filters.id)]
        )
        # ticked in the list of intervals, not with the Stop button
        coffee.stopped = True
        self.assertEqual(cart.order_line.product_id, self.filters)
        self.assertEqual(cart.care_cart_state, "open")
        self.assertEqual(self._reminders(self.anna, self.coffee).state, "stopped")
        self.assertEqual(self._reminders(self.anna, self.filters).state, "in_cart")
        # nothing left to propose: the cart is declined
        filters.action_stop()
        self.assertFalse(cart.order_line)
        self.assertEqual(cart.care_cart_state, "declined")

    def test_second_run_in_the_same_week(self):
        self._history()
        self.assertEqual(self._weekly_run(MONDAY_MAR_2), 3)
        self._runner(datetime(2026, 3, 2, 8, 0))
        # (the demo shop's year of history has no run)
        this_week = [
            ("scenario_id", "=", self.scenario.id),
            ("run_id.key", "not like", "demo:%"),
        ]
        messages = self.Message.search(this_week)
        self.assertEqual(len(messages), 3)
        # later the same week: the cron, and a manager's "run now"
        self.assertEqual(self._weekly_run(datetime(2026, 3, 4, 12, 0)), 0)
        with freeze_time(datetime(2026, 3, 4, 12, 0)):
            self.assertEqual(self.Reminder._cron_weekly_carts(force=True), 0)
        self._runner(datetime(2026, 3, 2, 9, 0))
        self.assertEqual(len(self._cart(self.anna)), 1)
        self.assertEqual(self.Message.search(this_week), messages)
        # enrolling the carts again starts nothing
        carts = self.env["sale.order"].search([("care_predictive", "=", True)])
        self.assertFalse(self.scenario._enroll(carts))

    def test_postpone_two_weeks(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.piotr)
        self._runner(datetime(2026, 3, 2, 8, 0))
        with freeze_time(datetime(2026, 3, 3, 18, 0)):
            cart._care_cart_postpone(2)
        self.assertEqual(cart.state, "cancel")
        self.assertEqual(cart.care_cart_state, "postponed")
        reminder = self._reminders(self.piotr)
        self.assertRecordValues(
            reminder,
            [
                {
                    "state": "postponed",
                    "due_date": date(2026, 3, 16),
                    "postponed_date": date(2026, 3, 3),
                    "postpone_count": 1,
                }
            ],
        )
        # reading the order history again keeps the customer's choice
        self.Reminder._care_rebuild(self.piotr)
        self.assertEqual(self._reminders(self.piotr), reminder)
        self.assertEqual(
            (reminder.state, reminder.due_date), ("postponed", date(2026, 3, 16))
        )
        # the run stops: no second email for a decided cart
        self._runner(datetime(2026, 3, 4, 8, 0))
        self.assertEqual(self._run_of(cart).state, "exited")
        self.assertEqual(len(self._messages(cart)), 1)
        # next Monday: not yet; two Mondays later: a new cart
        self._weekly_run(MONDAY_MAR_9)
        self.assertFalse(self._cart(self.piotr))
        self._weekly_run(MONDAY_MAR_16)
        new_cart = self._cart(self.piotr)
        self.assertEqual(len(new_cart), 1)
        self.assertNotEqual(new_cart, cart)
        self.assertEqual(reminder.state, "in_cart")
        self.assertEqual(reminder.cart_id, new_cart)

    def test_ignored_cart_follow_ups(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.ewa)
        run = self._run_of(cart)
        email = self.env.ref("service_care.mail_template_replenishment_cart")
        second = self.env.ref("service_care.mail_template_replenishment_cart_reminder")
        sms = self.env.ref("service_care.sms_template_replenishment_cart")
        self._runner(MONDAY_MAR_2)
        self._runner(datetime(2026, 3, 2, 8, 0))
        self.assertEqual(self._messages(cart).mail_template_id, email)
        # day 2, no click: the second email
        self._runner(datetime(2026, 3, 4, 7, 1))
        self._runner(datetime(2026, 3, 4, 8, 0))
        self.assertEqual(self._messages(cart).mail_template_id, email | second)
        # day 3: not clicked, so no call
        self._runner(datetime(2026, 3, 5, 7, 1))
        self.assertFalse(cart.activity_ids)
        # day 4, still nothing: the SMS
        self._runner(datetime(2026, 3, 6, 7, 1))
        self._runner(datetime(2026, 3, 6, 8, 0))
        messages = self._messages(cart)
        self.assertEqual(messages.mapped("channel"), ["email", "email", "sms"])
        self.assertEqual(messages[-1].sms_template_id, sms)
        self.assertEqual(messages.mapped("state"), ["queued"] * 3)
        self.assertEqual(cart.care_cart_state, "open")
        # day 14: the cart expires, its reminder moves a week
        self._runner(datetime(2026, 3, 16, 7, 1))
        self.assertEqual(cart.care_cart_state, "expired")
        self.assertEqual(cart.state, "cancel")
        self.assertEqual(run.state, "done")
        reminder = self._reminders(self.ewa)
        self.assertEqual(reminder.state, "postponed")
        self.assertEqual(reminder.due_date, date(2026, 3, 23))
        self.assertEqual(len(self._messages(cart)), 3)
        # expired: the signed links are refused
        with freeze_time(datetime(2026, 3, 16, 7, 2)):
            token = cart.get_care_link().split("token=")[1]
            self.assertEqual(cart._care_check_token(token, "cart"), "expired")

    def test_clicked_but_undecided_gets_a_call(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.anna)
        self._runner(datetime(2026, 3, 2, 8, 0))
        # the customer opens the cart on day 1 and leaves it
        with freeze_time(datetime(2026, 3, 3, 19, 0)):
            cart._care_cart_visited()
        self._runner(datetime(2026, 3, 4, 8, 0))
        self.assertEqual(len(self._messages(cart)), 1, "no second email")
        self.assertFalse(cart.activity_ids)
        self._runner(datetime(2026, 3, 5, 8, 0))
        self.assertEqual(cart.activity_ids.user_id, self.salesperson)
        self.assertEqual(
            cart.activity_ids.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        # no SMS for a customer who clicked
        self._runner(datetime(2026, 3, 6, 8, 0))
        self.assertEqual(self._messages(cart).mapped("channel"), ["email"])

    def test_confirmed_by_an_anonymous_link_the_call_comes_from_the_system(self):
        """Not from the Public user, whose notification email cannot leave."""
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.anna)
        public = self.env.ref("base.public_user")
        with freeze_time(datetime(2026, 3, 3, 9, 0)):
            cart.with_user(public).sudo()._care_portal_confirm()
        activity = cart.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertNotEqual(activity.create_uid, public)
        notifications = self.env["mail.notification"].search(
            [
                ("mail_message_id.model", "=", "sale.order"),
                ("mail_message_id.res_id", "=", cart.id),
                ("res_partner_id", "=", self.salesperson.partner_id.id),
                ("notification_type", "=", "email"),
            ]
        )
        self.assertTrue(notifications, "the salesperson is told by email")
        self.assertTrue(all(notifications.mail_message_id.mapped("email_from")))
        self.assertNotIn("exception", notifications.mapped("notification_status"))

    def test_confirmed_cart_and_new_reminders(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.anna)
        coffee = cart.order_line.filtered(lambda line: line.product_id == self.coffee)
        filters = cart.order_line - coffee
        with freeze_time(datetime(2026, 3, 3, 9, 0)):
            cart._care_cart_set_quantities({coffee.id: 2, filters.id: 0})
            cart.with_user(
                self.env.ref("base.public_user")
            ).sudo()._care_portal_confirm()
        self.assertEqual(cart.state, "sale")
        self.assertEqual(cart.care_cart_state, "confirmed")
        self.assertEqual(cart.order_line.product_id, self.coffee)
        self.assertEqual(cart.order_line.product_uom_qty, 2)
        self.assertEqual(cart.activity_ids.user_id, self.salesperson)
        old = self.Reminder.search([("cart_id", "=", cart.id)])
        self.assertEqual(
            {r.product_id: r.state for r in old},
            {self.coffee: "confirmed", self.filters: "dropped"},
        )
        new = self.Reminder.search([("order_id", "=", cart.id)])
        self.assertEqual(new.product_id, self.coffee)
        self.assertEqual(new.state, "scheduled")
        # gaps of 30 and 27 days: 28.5 days a bag, two bags, 3 days early
        self.assertEqual(new.days_per_unit, 28.5)
        self.assertEqual(new.due_date, date(2026, 4, 26))
        # the run ends at its next step
        self._runner(datetime(2026, 3, 4, 7, 1))
        self.assertEqual(self._run_of(cart).state, "exited")

    def test_back_office_cancel_moves_reminders(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.piotr)
        with freeze_time(datetime(2026, 3, 3, 9, 0)):
            cart._action_cancel()
        self.assertEqual(cart.care_cart_state, "declined")
        self.assertEqual(self._reminders(self.piotr).due_date, date(2026, 3, 9))

    def test_back_office_delete_gives_back_the_reminders(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        cart = self._cart(self.piotr)
        with freeze_time(datetime(2026, 3, 3, 9, 0)):
            cart.unlink()
        reminders = self._reminders(self.piotr)
        self.assertNotIn("in_cart", reminders.mapped("state"))
        self.assertEqual(reminders.due_date, date(2026, 3, 9))

    def test_cancelled_order_schedules_nothing(self):
        order = self._order(self.ewa, (self.filters, 1))
        reminder = self._reminders(self.ewa, self.filters)
        self.assertEqual(reminder.state, "scheduled")
        order._action_cancel()
        self.assertEqual(reminder.state, "dropped")

    def test_report(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        with freeze_time(datetime(2026, 3, 3, 9, 0)):
            self._cart(self.piotr)._care_cart_postpone(1)
            self._cart(self.anna).with_user(
                self.env.ref("base.public_user")
            ).sudo()._care_portal_confirm()
        self.env.flush_all()
        Report = self.env["service.care.replenishment.report"]
        events = dict(
            Report._read_group(
                [("partner_id", "in", (self.anna | self.piotr | self.ewa).ids)],
                ["event"],
                ["reminder_count:sum"],
            )
        )
        # 4 reminders of the history carted, 2 of Anna's cart confirmed, and
        # the 2 new ones from her order
        self.assertEqual(events["carted"], 4)
        self.assertEqual(events["confirmed"], 2)
        self.assertEqual(events["postponed"], 1)
        self.assertEqual(events["due"], 6)
        carts = Report._read_group(
            [
                ("event", "=", "cart"),
                ("partner_id", "in", (self.anna | self.piotr).ids),
            ],
            [],
            [
                "cart_count:sum",
                "confirmed_cart_count:sum",
                "conversion:avg",
                "revenue:sum",
            ],
        )
        self.assertEqual(carts, [(2, 1, 50.0, 22.0)])

    def test_a_customer_never_has_two_open_carts(self):
        self._history()
        self._weekly_run(MONDAY_MAR_2)
        anna_cart = self._cart(self.anna)
        newcomer = self._customer("Nowa Klientka", "nowa@example.pl")
        # another run made carts meanwhile, Anna's among them: hers is refused
        # by the unique index, the others are made
        with mute_logger("odoo.sql_db"):
            carts = self.Reminder._care_create_carts_safely(
                self.company,
                [
                    Cart(self.anna.id, [CartLine(self.coffee.id, 1.0, [])]),
                    Cart(newcomer.id, [CartLine(self.coffee.id, 2.0, [])]),
                ],
                date(2026, 3, 2),
            )
        self.assertEqual(carts.partner_id, newcomer)
        self.assertEqual(self._cart(self.anna), anna_cart)
        self.assertEqual(carts.order_line.product_uom_qty, 2.0)
