# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# sms.sms states as the tracker reports them, and what they mean for our log.
SMS_STATE_TO_CARE = {"pending": "sent", "sent": "delivered", "error": "failed"}


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    def _action_update_from_sms_state(
        self, sms_state, failure_type=False, failure_reason=False
    ):
        """Report SMS progress on the service_care messages."""
        res = super()._action_update_from_sms_state(
            sms_state, failure_type=failure_type, failure_reason=failure_reason
        )
        care_state = SMS_STATE_TO_CARE.get(sms_state)
        # An SMS held as "may have gone out" fails in Odoo's eyes (the
        # chatter shows it) but its log row says what is known.
        if care_state and self and not self.env.context.get("care_uncertain"):
            # sudo: SMS states arrive from the gateway (public webhook, cron);
            # the log follows the SMS whatever the current user may read.
            care_messages = (
                self.env["service.care.message"]
                .sudo()
                .search([("sms_uuid", "in", self.mapped("sms_uuid"))])
            )
            care_messages._mark(
                care_state,
                reason_code=failure_type if care_state == "failed" else False,
                reason=(failure_reason or failure_type)
                if care_state == "failed"
                else False,
            )
        return res
