# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The weekly cart cron became the first of two cart workers.

Its record is ``noupdate``: without this its code would still run the whole
weekly run beside the new second worker, the two on the same customers.
"""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
        UPDATE ir_act_server s
           SET code = 'model._cron_weekly_carts(shard=(0, 2))'
          FROM ir_cron c, ir_model_data d
         WHERE c.ir_actions_server_id = s.id
           AND d.model = 'ir.cron' AND d.res_id = c.id
           AND d.module = 'service_care'
           AND d.name = 'ir_cron_service_care_weekly_carts'
           AND s.code = 'model._cron_weekly_carts()'
            """
        )
    )
    name = "Service Care: prepare the weekly predictive carts (worker 1 of 2)"
    cr.execute(
        SQL(
            """
        UPDATE ir_act_server s
           SET name = s.name || jsonb_build_object('en_US', %(name)s::text)
          FROM ir_cron c, ir_model_data d
         WHERE c.ir_actions_server_id = s.id
           AND d.model = 'ir.cron' AND d.res_id = c.id
           AND d.module = 'service_care'
           AND d.name = 'ir_cron_service_care_weekly_carts'
            """,
            name=name,
        )
    )
    cr.execute(
        SQL(
            """
        UPDATE ir_cron c
           SET cron_name = %(name)s
          FROM ir_model_data d
         WHERE d.model = 'ir.cron' AND d.res_id = c.id
           AND d.module = 'service_care'
           AND d.name = 'ir_cron_service_care_weekly_carts'
            """,
            name=name,
        )
    )
