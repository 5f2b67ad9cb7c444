# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import consent
from odoo.addons.service_care.tools.consent import Row


def _row(row_id, day, purpose, granted, channel="email"):
    return Row(channel, purpose, granted, datetime(2026, 3, day), row_id)


@tagged("service_care")
class TestConsentTools(BaseCase):
    def test_never_said_is_none(self):
        self.assertIsNone(consent.decide({}, "email", "news"))
        self.assertFalse(consent.any_purpose({}, "email"))

    def test_the_later_of_general_and_purpose_wins(self):
        everything_yes = _row(1, 1, None, True)
        no_reminders = _row(2, 2, "replenishment", False)
        latest = consent.latest_rows([no_reminders, everything_yes])
        self.assertIs(consent.decide(latest, "email", "replenishment"), False)
        self.assertIs(consent.decide(latest, "email", "news"), True)
        self.assertIsNone(consent.decide(latest, "sms", "news"), "other channel")
        # "stop everything" after "no reminders" stops the news too...
        latest = consent.latest_rows(
            [everything_yes, no_reminders, _row(3, 3, None, False)]
        )
        self.assertFalse(consent.any_purpose(latest, "email"))
        # ... and "yes to reminders" afterwards allows only the reminders.
        latest = consent.latest_rows(
            [
                everything_yes,
                no_reminders,
                _row(3, 3, None, False),
                _row(4, 4, "replenishment", True),
            ]
        )
        self.assertIs(consent.decide(latest, "email", "replenishment"), True)
        self.assertIs(consent.decide(latest, "email", "news"), False)
        self.assertTrue(consent.any_purpose(latest, "email"))

    def test_same_date_the_later_row_wins(self):
        latest = consent.latest_rows([_row(8, 1, None, False), _row(7, 1, None, True)])
        self.assertIs(consent.decide(latest, "email", "news"), False)

    def test_soft_opt_in_only_fills_silence(self):
        covered = ("replenishment",)
        self.assertTrue(consent.allowed(None, "replenishment", covered))
        self.assertFalse(consent.allowed(None, "news", covered), "not covered")
        self.assertFalse(consent.allowed(False, "replenishment", covered), "said no")
        self.assertFalse(consent.allowed(None, "replenishment", ()), "setting off")
        self.assertTrue(consent.allowed(True, "news", ()))
