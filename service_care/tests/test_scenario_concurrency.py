# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two runners on two database connections never hold the same work."""

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestScenarioConcurrency(BaseCase):
    """Uses real, committed transactions: what two workers see is only
    visible across connections after a commit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.partner_ids = (
                env["res.partner"]
                .create(
                    [
                        {"name": f"Concurrent {n}", "email": f"c{n}@example.com"}
                        for n in range(6)
                    ]
                )
                .ids
            )
            template = env["mail.template"].create(
                {
                    "name": "Concurrency test",
                    "model_id": env.ref("base.model_res_partner").id,
                    "subject": "Hi",
                    "body_html": "<p>Hi</p>",
                }
            )
            scenario = env["service.care.scenario"].create(
                {
                    "name": "Concurrency test",
                    "trigger": "api",
                    "model_id": env.ref("base.model_res_partner").id,
                    "step_ids": [
                        (0, 0, {"name": "Send", "mail_template_id": template.id})
                    ],
                }
            )
            cls.scenario_id, cls.template_id = scenario.id, template.id
            runs = scenario._enroll(env["res.partner"].browse(cls.partner_ids))
            # Due before anything else the database may hold, so the runners
            # claim these first.
            runs.next_at = "2000-01-01 00:00:00"
            cls.run_ids = runs.ids
        cls.addClassCleanup(cls._clean)

    @classmethod
    def _clean(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["service.care.scenario"].browse(cls.scenario_id).unlink()
            env["mail.template"].browse(cls.template_id).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()

    def test_two_runners_claim_disjoint_runs(self):
        self.assertEqual(len(self.run_ids), 6)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            runs1 = api.Environment(cr1, SUPERUSER_ID, {})["service.care.scenario.run"]
            runs2 = api.Environment(cr2, SUPERUSER_ID, {})["service.care.scenario.run"]
            first = runs1._claim_due(4).ids
            second = runs2._claim_due(10).ids
            mine = set(self.run_ids)
            first, second = set(first) & mine, set(second) & mine
            self.assertEqual(len(first), 4)
            self.assertEqual(len(second), 2)
            self.assertFalse(first & second)
            self.assertEqual(first | second, mine)
            cr1.rollback()
            cr2.rollback()
