# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """Report the outcome of sending on the service_care messages."""
        # sudo: the mail queue runs as whichever user sends; the log follows
        # the mail whatever that user may read of Service Care.
        care_messages = (
            self.env["service.care.message"]
            .sudo()
            .search([("mail_message_id", "in", self.mail_message_id.ids)])
        )
        if care_messages:
            if failure_type:
                care_messages._mark(
                    "failed", reason_code=failure_type, reason=failure_reason
                )
            else:
                care_messages._mark("sent")
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
