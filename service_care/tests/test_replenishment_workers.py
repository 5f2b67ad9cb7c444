# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two cart workers arriving together: one starts the run, the other joins it."""

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

RUN_FIELDS = ("care_cart_last_run", "care_cart_run_day")


@tagged("post_install", "-at_install")
class TestCartWorkersStart(BaseCase):
    """Uses real, committed transactions, as two cron workers do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            company = api.Environment(cr, SUPERUSER_ID, {}).ref("base.main_company")
            cls.company_id = company.id
            cls.saved = company.read(RUN_FIELDS)[0]
            company.write(dict.fromkeys(RUN_FIELDS, False))
        cls.addClassCleanup(cls._restore)

    @classmethod
    def _restore(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(cls.company_id).write(
                {name: cls.saved[name] for name in RUN_FIELDS}
            )

    def test_the_second_worker_joins_the_run(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            company1 = env1["res.company"].browse(self.company_id)
            company2 = env2["res.company"].browse(self.company_id)
            # the second worker's transaction began before the run started
            self.assertFalse(company2.care_cart_last_run)
            self.assertTrue(env1["service.care.reminder"]._care_start_run(company1))
            run_day = company1.care_cart_run_day
            self.assertTrue(run_day)
            cr1.commit()
            # it does not start the run again, and sees it started
            with mute_logger("odoo.sql_db"):
                self.assertFalse(
                    env2["service.care.reminder"]._care_start_run(company2)
                )
            self.assertEqual(company2.care_cart_run_day, run_day)
            cr2.rollback()
