# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import importlib.util
import re
from collections import Counter, defaultdict
from datetime import timedelta

import phonenumbers
import pytz

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

from ..models.service_care_demo import (
    plan_consents,
    plan_order_history,
    plan_waitlists,
)
from ..models.service_care_scenario import FLOWS

NOT_SHIPPED = {"other"}
CYRILLIC = re.compile("[\u0400-\u04ff]")
DEMO_CUSTOMERS = 31


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo shop has what the features need: products, customers, a year."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"]._get("service_care")
        failures = cls.env["ir.demo_failure"].search([("module_id", "=", module.id)])
        cls.demo_error = failures[:1].error
        cls.demo_loaded = module.demo
        cls.templates = cls._demo_records("product.template", "product_template_demo_")
        cls.variants = cls._demo_records("product.product", "product_product_demo_")
        cls.partners = cls._demo_records("res.partner", "res_partner_demo_")
        # the history is sale_order_demo_<n>; other demo orders have other names
        cls.orders = cls._demo_records("sale.order", "sale_order_demo_", numbered=True)

    @classmethod
    def _demo_records(cls, model, prefix, numbered=False):
        data = cls.env["ir.model.data"].search(
            [
                ("module", "=", "service_care"),
                ("model", "=", model),
                ("name", "=like", prefix + "%"),
            ]
        )
        if numbered:
            data = data.filtered(lambda d: d.name.removeprefix(prefix).isdigit())
        return cls.env[model].browse(data.mapped("res_id"))

    def setUp(self):
        super().setUp()
        self.assertFalse(self.demo_error, "the demo data failed to load")
        if not self.demo_loaded:
            self.skipTest("database installed without demo data")

    def test_products_are_sold_on_the_website(self):
        self.assertGreaterEqual(len(self.templates), 20)
        for template in self.templates:
            self.assertEqual(template.type, "consu", template.name)
            self.assertTrue(template.is_storable, template.name)
            self.assertTrue(template.sale_ok, template.name)
            self.assertTrue(template.is_published, template.name)
            self.assertFalse(template.allow_out_of_stock_order, template.name)
            self.assertGreater(template.list_price, 0, template.name)
        self.assertEqual(self.variants.product_tmpl_id, self.templates)
        self.assertGreaterEqual(
            len(self.templates.filtered(lambda t: t.product_variant_count > 1)), 5
        )
        self.assertGreaterEqual(len(self.templates.categ_id), 3)
        self.assertGreaterEqual(len(self.templates.public_categ_ids), 3)
        codes = self.variants.mapped("default_code")
        self.assertTrue(all(codes), "every variant has an internal reference")
        self.assertEqual(len(set(codes)), len(codes))
        beans = self.env.ref("service_care.product_template_demo_espresso_beans")
        small = self.env.ref("service_care.product_product_demo_espresso_beans_250g")
        large = self.env.ref("service_care.product_product_demo_espresso_beans_1kg")
        self.assertEqual(beans.product_variant_ids, small | large)
        self.assertGreater(large.lst_price, small.lst_price)

    def test_some_variants_are_sold_out_and_the_others_in_stock(self):
        website = self.env["website"].get_current_website()
        sold_out = self.variants.filtered(lambda v: v.free_qty <= 0)
        self.assertGreaterEqual(len(sold_out), 2)
        # sold out while another variant of the same product is in stock
        self.assertGreaterEqual(
            len(
                sold_out.filtered(lambda v: v.product_tmpl_id.product_variant_count > 1)
            ),
            2,
        )
        for variant in sold_out:
            self.assertEqual(variant.free_qty, 0, variant.display_name)
            self.assertEqual(variant.qty_available, 0, variant.display_name)
            self.assertTrue(variant._is_sold_out(), variant.display_name)
            self.assertEqual(website._get_product_available_qty(variant), 0)
        in_stock = self.variants - sold_out
        for variant in in_stock:
            self.assertFalse(variant._is_sold_out(), variant.display_name)
            # the history left nothing reserved
            self.assertEqual(variant.free_qty, variant.qty_available)
        self.assertIn(
            self.env.ref("service_care.product_product_demo_monthly_lenses_m250"),
            sold_out,
        )
        self.assertNotIn(
            self.env.ref("service_care.product_product_demo_monthly_lenses_m200"),
            sold_out,
        )

    def test_customers_are_reachable_in_several_countries(self):
        self.assertGreaterEqual(len(self.partners), 30)
        tzs = set(pytz.all_timezones)
        for partner in self.partners:
            self.assertFalse(partner.is_company, partner.name)
            self.assertRegex(partner.email, r"^[\w.]+@example\.(com|org|net)$")
            self.assertTrue(partner.country_id, partner.name)
            self.assertTrue(partner.city and partner.street, partner.name)
            self.assertIn(partner.tz, tzs, partner.name)
            number = phonenumbers.parse(partner.mobile)
            self.assertTrue(phonenumbers.is_valid_number(number), partner.mobile)
            self.assertEqual(
                phonenumbers.region_code_for_number(number),
                partner.country_id.code,
                partner.name,
            )
        self.assertGreaterEqual(len(self.partners.country_id), 5)
        self.assertGreaterEqual(len(set(self.partners.mapped("tz"))), 5)
        cyrillic = self.partners.filtered(lambda p: CYRILLIC.search(p.name))
        self.assertGreaterEqual(len(cyrillic), 5)
        self.assertGreaterEqual(len(cyrillic.country_id), 3)

    def test_a_year_of_delivered_orders(self):
        self.assertTrue(150 <= len(self.orders) <= 300, len(self.orders))
        self.assertEqual(set(self.orders.mapped("state")), {"sale"})
        self.assertLessEqual(self.orders.partner_id, self.partners)
        self.assertGreaterEqual(len(self.orders.partner_id), 30)
        now = fields.Datetime.now()
        first = min(self.orders.mapped("date_order"))
        last = max(self.orders.mapped("date_order"))
        self.assertLess(last, now)
        self.assertGreaterEqual(last - first, timedelta(days=330))
        self.assertLess(now - last, timedelta(days=30))
        self.assertGreater(now - first, timedelta(days=360))
        for order in self.orders:
            self.assertTrue(order.picking_ids, order.name)
            self.assertEqual(set(order.picking_ids.mapped("state")), {"done"})
            delivered = max(order.picking_ids.mapped("date_done"))
            self.assertGreater(delivered, order.date_order, order.name)
            self.assertLess(delivered - order.date_order, timedelta(days=2))
            for line in order.order_line:
                self.assertEqual(line.qty_delivered, line.product_uom_qty)

    def test_every_customer_buys_something_again(self):
        bought = defaultdict(Counter)
        for line in self.orders.order_line:
            bought[line.order_id.partner_id][line.product_id] += 1
        # the customers of res_partner_demo.xml; later demo files may add others
        for number in range(1, DEMO_CUSTOMERS + 1):
            partner = self.env.ref(f"service_care.res_partner_demo_{number}")
            self.assertTrue(bought[partner], partner.name)
            self.assertGreaterEqual(
                max(bought[partner].values()), 2, f"{partner.name} never reorders"
            )
        # sold-out variants have a history, the waitlists have someone to tell
        sold_out = self.variants.filtered(lambda v: v.free_qty <= 0)
        self.assertTrue(sold_out & self.orders.order_line.product_id)

    def test_history_is_the_seeded_plan(self):
        customers = self.env["service.care.demo"]._demo_partners()
        keys = sorted(k for k, p in customers.items() if p in self.orders.partner_id)
        plan = plan_order_history(keys)
        self.assertEqual(len(plan), len(self.orders))
        self.assertEqual(
            sum(len(lines) for *_head, lines in plan),
            len(self.orders.order_line),
        )
        self.assertEqual(plan, plan_order_history(keys))
        by_partner = Counter(customer for customer, *_tail in plan)
        for key, count in by_partner.items():
            orders = self.orders.filtered(lambda o, k=key: o.partner_id == customers[k])
            self.assertEqual(len(orders), count)
        first = self.env.ref("service_care.sale_order_demo_1")
        self.assertEqual(first.date_order, min(self.orders.mapped("date_order")))

    def test_most_customers_consented_a_few_never_one_texted_stop(self):
        consents = self.env["service.care.consent"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(
            len(consents), len(plan_consents(range(len(self.partners)))), "the plan"
        )
        emailable = self.partners.filtered("care_email_consent")
        self.assertGreaterEqual(len(emailable), 0.7 * len(self.partners))
        self.assertGreaterEqual(len(self.partners - consents.partner_id), 2)
        self.assertEqual(set(consents.mapped("source")), {"checkout", "import", "sms"})
        self.assertTrue(all(consents.mapped("wording")))
        at_checkout = consents.filtered(lambda c: c.source == "checkout")
        self.assertEqual(
            at_checkout.order_id.partner_id, at_checkout.partner_id, "on their order"
        )
        for consent in at_checkout:
            self.assertEqual(consent.date, consent.order_id.date_order)
        [stop] = consents.filtered(lambda c: c.source == "sms")
        self.assertFalse(stop.granted)
        self.assertFalse(stop.partner_id.care_sms_consent)
        self.assertTrue(stop.partner_id.care_email_consent)
        self.assertTrue(stop.partner_id.phone_sanitized_blacklisted)

    def test_customers_wait_for_the_sold_out_variants(self):
        lines = self.env["service.care.waitlist"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        sold_out = self.variants.filtered(lambda v: v._is_sold_out())
        self.assertEqual(lines.product_id, sold_out, "every sold-out variant, only")
        self.assertEqual(
            len(lines),
            len(plan_waitlists(range(len(self.partners)), range(len(sold_out)))),
            "the plan",
        )
        self.assertEqual(set(lines.mapped("state")), {"waiting"})
        self.assertGreater(len(set(lines.mapped("source"))), 1)
        self.assertGreater(len(set(lines.mapped("subscribed_at"))), len(lines) / 2)
        self.assertTrue(
            all(line.subscribed_at < fields.Datetime.now() for line in lines),
            "waiting since before today",
        )

    def test_the_weekly_carts_of_the_demo_shop_mostly_go_out(self):
        """This week's carts wait for the customers (prepared at install),
        their runs under way; their emails mostly go out."""
        carts = self.env["sale.order"].search(
            [
                ("partner_id", "in", self.partners.ids),
                ("care_predictive", "=", True),
                ("care_cart_state", "=", "open"),
            ]
        )
        self.assertTrue(carts, "the weekly run carted nobody")
        runs = self.env["service.care.scenario.run"].search(
            [("res_model", "=", "sale.order"), ("res_id", "in", carts.ids)]
        )
        self.assertEqual(len(runs), len(carts))
        self.assertEqual(set(runs.mapped("state")), {"running"})
        self.env["service.care.scenario.run"]._cron_run()  # the carts' emails
        messages = self.env["service.care.message"].search([("run_id", "in", runs.ids)])
        self.assertTrue(messages)
        skipped = messages.filtered(lambda m: m.state == "skipped")
        self.assertLess(len(skipped), len(messages) / 2, skipped.mapped("reason"))

    def test_every_shipped_scenario_shows_runs_and_messages(self):
        scenarios = self.env["service.care.scenario"].search(
            [("id", "in", self._shipped_scenarios().ids)]
        )
        self.assertGreater(len(scenarios), 10)
        for scenario in scenarios:
            self.assertTrue(scenario.run_count, scenario.name)
            self.assertTrue(scenario.message_ids, scenario.name)

    def _shipped_scenarios(self):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "service_care"),
                ("model", "=", "service.care.scenario"),
            ]
        )
        return self.env["service.care.scenario"].browse(data.mapped("res_id"))

    def test_a_cart_left_today_is_reminded_of_by_the_running_server(self):
        """A customer left a cart twenty minutes before the install: the
        cron, woken for it, starts the reminder."""
        cart = self.env.ref("service_care.sale_order_demo_cart_left")
        self.assertIn(cart.partner_id, self.partners)
        self.assertEqual((cart.state, bool(cart.website_id)), ("draft", True))
        self.assertLess(
            cart.care_cart_changed_at, cart.create_date - timedelta(minutes=15)
        )
        self.env["sale.order"]._cron_care_abandoned_carts()
        runs = self.env["service.care.scenario.run"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", cart.id)]
        )
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs.scenario_id.flow, "abandoned_cart")

    def test_this_weeks_digest_goes_out_once(self):
        """Sent by the history (it ends a day ago), this week's digest is
        not sent again; otherwise the live cron sends it, once."""
        website = self.env.ref("website.default_website")
        # set by the demo when the history sent the current week's
        by_history = bool(website.care_digest_week)
        Run = self.env["service.care.scenario.run"]
        digest = self.env.ref("service_care.service_care_scenario_digest")
        before = Run.search_count([("scenario_id", "=", digest.id)])
        self.env["website"]._cron_care_digests()
        after = Run.search_count([("scenario_id", "=", digest.id)])
        if by_history:
            self.assertEqual(after, before)
        else:
            self.assertGreater(after, before)
        self.env["website"]._cron_care_digests()
        self.assertEqual(Run.search_count([("scenario_id", "=", digest.id)]), after)

    def test_a_year_of_messages_in_every_flow(self):
        """The dashboard and the results have a year to show: every shipped
        flow delivered, was read, clicked and bought from; a few bounced,
        failed or were skipped with their reason."""
        report = self.env["service.care.message.report"]
        demo = [
            ("partner_id", "in", self.partners.ids),
            ("message_id.run_id.key", "=like", "demo:%"),
        ]
        groups = report._read_group(
            demo,
            ["flow"],
            [
                "delivered_count:sum",
                "opened_count:sum",
                "clicked_count:sum",
                "converted_count:sum",
                "revenue:sum",
            ],
        )
        by_flow = {flow: figures for flow, *figures in groups}
        self.assertEqual(set(by_flow), {key for key, _label in FLOWS} - NOT_SHIPPED)
        for flow, (delivered, opened, clicked, _converted, _revenue) in by_flow.items():
            self.assertGreater(delivered, 3, flow)
            if flow != "order":  # (order texts have no link)
                self.assertGreater(opened, 0, flow)
            if flow != "order" and delivered >= 10:  # (a release: a few buyers)
                self.assertGreater(clicked, 0, flow)
        for flow in ("replenishment", "back_in_stock"):
            self.assertGreater(by_flow[flow][3], 0, flow)
            self.assertGreater(by_flow[flow][4], 0, flow)
        messages = self.env["service.care.message"].search(
            [("partner_id", "in", self.partners.ids), ("run_id.key", "=like", "demo:%")]
        )
        # each behind a finished run of its scenario
        self.assertEqual(set(messages.run_id.mapped("state")), {"done"})
        self.assertEqual(messages.run_id.scenario_id, messages.scenario_id)
        states = Counter(messages.mapped("state"))
        for state in ("bounced", "failed", "skipped"):
            self.assertTrue(states[state], state)
        self.assertTrue(all(m.reason for m in messages if m.state == "skipped"))
        self.assertTrue(messages.filtered("machine_open_count"), "Apple Mail readers")
        # the revenue is the attributed orders' own
        converted = messages.filtered("order_id")
        self.assertEqual(
            [message.amount for message in converted],
            [message.order_id.amount_untaxed for message in converted],
        )
        self.assertEqual(len(converted.order_id), len(converted), "one message each")
        # logged over the year, in the customers' documents' chatter
        self.assertLess(
            min(messages.mapped("create_date")),
            fields.Datetime.now() - timedelta(days=300),
        )
        went_out = messages.filtered(lambda m: m.state != "skipped")
        self.assertEqual(len(went_out.mail_message_id), len(went_out))
        for message in went_out[:20]:
            self.assertEqual(message.mail_message_id.date, message.sent_at)
            self.assertEqual(
                (message.mail_message_id.model, message.mail_message_id.res_id),
                (message.res_model, message.res_id),
            )
        # SMS cost by two gateways: the previous provider's, archived, and
        # "Local Kannel", archived too until ``make run`` sets it up for real
        gateways = messages.sms_gateway_id
        self.assertEqual(len(gateways), 2)
        jasmin = self.env.ref("service_care.service_care_sms_gateway_demo_jasmin")
        self.assertIn(jasmin, gateways)
        self.assertFalse(jasmin.active)
        # Kannel refuses an SMS without a sender: ``make run`` sends through
        # this one
        local = gateways - jasmin
        self.assertEqual((local.name, local.sender), ("Local Kannel", "ServiceCare"))

    def test_update_to_1_6_gives_flows_and_demo_history_once(self):
        scenario = self.env.ref("service_care.service_care_scenario_waitlist")
        step = self.env.ref(
            "service_care.service_care_scenario_waitlist_step_out_again"
        )
        scenario.flow = "other"
        step.flow = False
        count = self.env["service.care.message"].search_count([])
        path = file_path("service_care/migrations/18.0.1.6.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sc_migration_1_6", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertEqual(
            (scenario.flow, step.flow), ("back_in_stock", "out_of_stock_again")
        )
        self.assertEqual(
            self.env["service.care.message"].search_count([]), count, "history once"
        )

    def test_update_to_1_5_gives_purposes_and_demo_waitlists(self):
        scenario = self.env.ref("service_care.service_care_scenario_repeat_order")
        scenario.purpose = "news"
        lines = self.env["service.care.waitlist"].search([])
        count = len(lines)
        lines.unlink()
        path = file_path("service_care/migrations/18.0.1.5.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sc_migration_1_5", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.4.0")
        migration.migrate(self.env.cr, "18.0.1.4.0")  # waitlists once only
        self.env.invalidate_all()
        self.assertEqual(scenario.purpose, "replenishment")
        self.assertEqual(self.env["service.care.waitlist"].search_count([]), count)

    def test_a_demo_database_made_before_consents_gets_them_on_update(self):
        consents = self.env["service.care.consent"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        count = len(consents)
        consents.unlink()
        self.assertFalse(self.partners.filtered("care_email_consent"))
        path = file_path("service_care/migrations/18.0.1.4.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sc_migration_1_4", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.3.0")
        migration.migrate(self.env.cr, "18.0.1.3.0")  # once only
        self.env.invalidate_all()
        consents = self.env["service.care.consent"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(len(consents), count)
