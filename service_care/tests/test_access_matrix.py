# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every model the addon defines, every kind of user, every operation."""

from odoo.tests import TransactionCase, new_test_user, tagged

# What each kind of user may do on each model: r(ead), w(rite), c(reate),
# u(nlink). Kinds: the public (website visitors), portal customers, employees
# without Service Care rights, Service Care users (salespeople), managers.
KINDS = ("public", "portal", "employee", "user", "manager")
EXPECTED = {
    # the consent log is never rewritten; managers may delete (GDPR erasure)
    "service.care.consent": ("", "", "", "rc", "rcu"),
    "service.care.consent.import": ("", "", "", "", "rwcu"),
    "service.care.customer.interval": ("", "", "", "rwc", "rwcu"),
    "service.care.message": ("", "", "", "rwc", "rwcu"),
    "service.care.message.report": ("", "", "", "r", "r"),
    # customers read their own reminders on the portal (record rules)
    "service.care.reminder": ("", "r", "", "rw", "rwcu"),
    "service.care.replenishment.report": ("", "", "", "r", "r"),
    "service.care.scenario": ("", "", "", "r", "rwcu"),
    "service.care.scenario.run": ("", "", "", "rwc", "rwcu"),
    "service.care.scenario.run.event": ("", "", "", "rc", "rwcu"),
    "service.care.scenario.step": ("", "", "", "r", "rwcu"),
    "service.care.scenario.test": ("", "", "", "", "rwcu"),
    "service.care.scenario.variant": ("", "", "", "r", "rwcu"),
    "service.care.send.attempt": ("", "", "", "", "r"),
    "service.care.send.window": ("", "", "", "r", "rwcu"),
    "service.care.sms.gateway": ("", "", "", "r", "rwcu"),
    "service.care.sms.gateway.sender": ("", "", "", "r", "rwcu"),
    # the delivery-report inbox: written by the webhook (sudo) only
    "service.care.sms.report": ("", "", "", "", "ru"),
    # customers read their own waitlist lines on the portal (record rules)
    "service.care.waitlist": ("", "r", "", "rwc", "rwcu"),
    "service.care.waitlist.notice": ("", "", "", "r", "rwcu"),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "public": cls.env.ref("base.public_user"),
            "portal": new_test_user(
                cls.env, login="am_portal", groups="base.group_portal"
            ),
            "employee": new_test_user(
                cls.env, login="am_employee", groups="base.group_user"
            ),
            "user": new_test_user(
                cls.env,
                login="am_user",
                groups="base.group_user,service_care.service_care_group_user",
            ),
            "manager": new_test_user(
                cls.env,
                login="am_manager",
                groups="base.group_user,service_care.service_care_group_manager",
            ),
        }

    def _addon_models(self):
        """The models service_care defines (not those it extends)."""
        names = (
            self.env["ir.model.data"]
            .search([("module", "=", "service_care"), ("model", "=", "ir.model")])
            .mapped(lambda xmlid: self.env["ir.model"].browse(xmlid.res_id).model)
        )
        return sorted(
            name
            for name in names
            if name.startswith("service.care.") and not self.env[name]._abstract
        )

    def test_the_table_names_every_model(self):
        self.assertEqual(sorted(EXPECTED), self._addon_models())

    def test_every_model_every_kind_every_operation(self):
        found = {}
        for model in self._addon_models():
            found[model] = tuple(
                "".join(
                    letter
                    for letter, operation in OPERATIONS.items()
                    if self.env[model].with_user(self.users[kind]).has_access(operation)
                )
                for kind in KINDS
            )
        self.assertEqual(found, EXPECTED)

    def test_a_manager_of_another_company_sees_no_record_of_this_one(self):
        other = self.env["res.company"].create({"name": "Matrix Other Shop"})
        outsider = new_test_user(
            self.env,
            login="am_outsider",
            groups="base.group_user,service_care.service_care_group_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        # one record of this company for the models the demo has none of
        customer = self.env["res.partner"].create({"name": "Matrix Customer"})
        scenario = self.env["service.care.scenario"].create({"name": "Matrix"})
        self.env["service.care.send.window"].create(
            {"country_id": self.env.ref("base.fr").id}
        )
        self.env["service.care.message"].create(
            {"partner_id": customer.id, "channel": "email", "state": "sent"}
        )
        self.env["service.care.scenario.run"].create(
            {
                "key": "matrix",
                "scenario_id": scenario.id,
                "partner_id": customer.id,
                "company_id": self.env.company.id,
                "res_model": "res.partner",
                "res_id": customer.id,
            }
        )
        self.env["service.care.waitlist"].create(
            {
                "partner_id": customer.id,
                "product_id": self.env["product.product"]
                .create({"name": "Matrix Mug"})
                .id,
                "website_id": self.env["website"].get_current_website().id,
            }
        )
        checked = []
        for model in self._addon_models():
            Model = self.env[model].with_context(active_test=False)
            field = Model._fields.get("company_id")
            if not field or not field.store:
                continue
            record = Model.search([("company_id", "=", self.env.company.id)], limit=1)
            if not record:
                continue
            checked.append(model)
            with self.subTest(model=model):
                self.assertTrue(
                    record.with_user(self.users["manager"]).has_access("read")
                )
                self.assertFalse(record.with_user(outsider).has_access("read"))
        self.assertLessEqual(
            {
                "service.care.message",
                "service.care.reminder",
                "service.care.scenario.run",
                "service.care.send.window",
                "service.care.waitlist",
            },
            set(checked),
        )
