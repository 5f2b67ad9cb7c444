# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import BaseCase

from ..tools.message_state import moves_forward


class TestMessageState(BaseCase):
    def test_progress_moves_forward_only(self):
        self.assertTrue(moves_forward("queued", "sent"))
        self.assertTrue(moves_forward("sent", "clicked"))
        self.assertFalse(moves_forward("clicked", "opened"))
        self.assertFalse(moves_forward("sent", "sent"))

    def test_final_states_are_never_left(self):
        for final in ("bounced", "failed", "skipped", "cancelled"):
            self.assertFalse(moves_forward(final, "sent"))
            self.assertFalse(moves_forward(final, "clicked"))

    def test_delivery_receipt_outranks_a_failure(self):
        self.assertTrue(moves_forward("failed", "delivered"))
        self.assertFalse(moves_forward("skipped", "delivered"))
        self.assertFalse(moves_forward("bounced", "delivered"))

    def test_failure_only_before_delivery(self):
        self.assertTrue(moves_forward("sent", "failed"))
        self.assertTrue(moves_forward("queued", "bounced"))
        self.assertFalse(moves_forward("delivered", "failed"))
        self.assertFalse(moves_forward("opened", "bounced"))

    def test_skip_and_cancel_only_before_sending(self):
        self.assertTrue(moves_forward("scheduled", "skipped"))
        self.assertTrue(moves_forward("queued", "cancelled"))
        self.assertFalse(moves_forward("sent", "cancelled"))

    def test_uncertain_lies_between_queued_and_sent(self):
        self.assertTrue(moves_forward("queued", "uncertain"))
        self.assertTrue(moves_forward("uncertain", "sent"))
        self.assertTrue(moves_forward("uncertain", "opened"))  # proof it went
        self.assertFalse(moves_forward("sent", "uncertain"))
        self.assertFalse(moves_forward("uncertain", "cancelled"))

    def test_unknown_state_raises(self):
        with self.assertRaisesRegex(ValueError, "Unknown message state"):
            moves_forward("sent", "read")
