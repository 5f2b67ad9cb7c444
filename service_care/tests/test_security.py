# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("service_care.service_care_group_user")
        cls.group_manager = cls.env.ref("service_care.service_care_group_manager")
        cls.salesman = new_test_user(
            cls.env, login="sc_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.sales_manager = new_test_user(
            cls.env, login="sc_sales_manager", groups="sales_team.group_sale_manager"
        )
        cls.employee = new_test_user(
            cls.env, login="sc_employee", groups="base.group_user"
        )

    def _addon_models(self):
        """Models that service_care defines and that own a table."""
        names = (
            self.env["ir.model.data"]
            .search([("module", "=", "service_care"), ("model", "=", "ir.model")])
            .mapped(lambda xmlid: self.env["ir.model"].browse(xmlid.res_id).model)
        )
        return [name for name in names if not self.env[name]._abstract]

    def test_every_model_has_access_rules(self):
        access = self.env["ir.model.access"]
        missing = [
            name
            for name in self._addon_models()
            if not access.search_count(
                [("model_id.model", "=", name), ("perm_read", "=", True)]
            )
        ]
        self.assertFalse(missing, f"Models without an access rule: {missing}")

    def test_sales_groups_imply_service_care_groups(self):
        self.assertIn(self.group_user, self.salesman.groups_id)
        self.assertNotIn(self.group_manager, self.salesman.groups_id)
        self.assertIn(self.group_manager, self.sales_manager.groups_id)
        self.assertIn(self.group_user, self.sales_manager.groups_id)
        self.assertNotIn(self.group_user, self.employee.groups_id)

    def test_app_menu_visible_to_service_care_users_only(self):
        root = self.env.ref("service_care.service_care_menu_root")
        configuration = self.env.ref("service_care.service_care_menu_configuration")
        menus = self.env["ir.ui.menu"]
        self.assertIn(
            root, menus.with_user(self.salesman).search([("id", "=", root.id)])
        )
        self.assertNotIn(
            root, menus.with_user(self.employee).search([("id", "=", root.id)])
        )
        self.assertFalse(
            menus.with_user(self.salesman).search([("id", "=", configuration.id)])
        )
        self.assertTrue(
            menus.with_user(self.sales_manager).search([("id", "=", configuration.id)])
        )

    def test_staff_see_the_runs_and_send_hours_of_their_companies(self):
        other = self.env["res.company"].create({"name": "Other Care Shop"})
        customer = self.env["res.partner"].create({"name": "Run Customer"})
        scenario = self.env["service.care.scenario"].create({"name": "Rules"})
        Run = self.env["service.care.scenario.run"]
        runs = Run.create(
            [
                {
                    "key": f"rule-test-{company.id}",
                    "scenario_id": scenario.id,
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "res_model": "res.partner",
                    "res_id": customer.id,
                }
                for company in (self.env.company, other)
            ]
        )
        windows = self.env["service.care.send.window"].create(
            [
                {"company_id": company.id, "country_id": self.env.ref("base.fr").id}
                for company in (self.env.company, other)
            ]
        )
        for records in (runs, windows):
            visible = records.with_user(self.sales_manager).search(
                [("id", "in", records.ids)]
            )
            self.assertEqual(visible, records[0], records._name)
        # a user of both companies sees both
        self.sales_manager.company_ids |= other
        both = Run.with_user(self.sales_manager).with_context(
            allowed_company_ids=[self.env.company.id, other.id]
        )
        self.assertEqual(both.search([("id", "in", runs.ids)]), runs)
