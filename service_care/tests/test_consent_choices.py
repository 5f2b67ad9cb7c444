# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import ServiceCareCase

# Warsaw is UTC+1 in November: 10:00 UTC is inside the send window.
IN_WINDOW = "2026-11-24 10:00:00"


@tagged("post_install", "-at_install")
class TestConsentChoices(ServiceCareCase):
    """What a customer agreed to, purpose by purpose, decides what they get."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["service.care.message"]
        cls.company.write({"care_soft_opt_in": False, "care_double_opt_in": False})
        step = {"mail_template_id": cls.mail_template.id}
        cls.scenarios = cls.env["service.care.scenario"].create(
            [
                {
                    "name": f"Care {purpose}",
                    "purpose": purpose,
                    "step_ids": [(0, 0, dict(step, name="Send"))],
                }
                for purpose in ("replenishment", "back_in_stock", "news")
            ]
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Care coffee", "list_price": 10.0}
        )

    def _send(self, partner, purpose, kind="marketing"):
        step = self.scenarios.filtered(lambda s: s.purpose == purpose).step_ids
        with freeze_time(IN_WINDOW):
            return self.Message.send_template(
                self.mail_template, partner, "email", kind, step
            )

    def _outcomes(self, partner, kind="marketing"):
        return {
            purpose: self._send(partner, purpose, kind).state != "skipped"
            for purpose in ("replenishment", "back_in_stock", "news")
        }

    def _buyer(self, name, email, when="2026-10-01 12:00:00", consent=False):
        partner = self._make_customer(name, email, consent=consent)
        with freeze_time(when):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": self.product.id})],
                }
            )
            order.action_confirm()
        return partner

    def test_one_purpose_off_keeps_the_others(self):
        partner = self._make_customer("Ola", "ola@example.pl")
        self.company.care_email_cap_hours = 0
        partner._care_set_preferences({("email", "replenishment"): False})
        self.assertEqual(
            self._outcomes(partner),
            {"replenishment": False, "back_in_stock": True, "news": True},
        )
        skipped = self._send(partner, "replenishment")
        self.assertEqual(skipped.reason_code, "no_consent")
        self.assertTrue(partner.care_email_consent, "still reachable for the rest")
        # All off: nothing left on the channel.
        partner._care_set_preferences(
            {("email", "back_in_stock"): False, ("email", "news"): False}
        )
        self.assertFalse(partner.care_email_consent)
        # A later "yes to everything" (the checkout box) brings all back.
        partner._care_set_consent("email", True, "backoffice", "Yes to all.")
        self.assertTrue(all(self._outcomes(partner).values()))

    def test_preferences_log_only_changes(self):
        partner = self._make_customer("Piotr", "piotr@example.pl")
        rows = partner._care_set_preferences(
            {
                ("email", "replenishment"): True,  # unchanged
                ("email", "news"): False,
                ("sms", "news"): True,  # unchanged
            }
        )
        self.assertRecordValues(
            rows,
            [
                {
                    "channel": "email",
                    "purpose": "news",
                    "granted": False,
                    "source": "portal",
                }
            ],
        )
        self.assertIn("News and digests", rows.wording)

    def test_soft_opt_in_covers_recent_buyers_for_reminders_only(self):
        self.company.care_email_cap_hours = 0
        buyer = self._buyer("Recent buyer", "recent@example.pl")
        said_no = self._buyer("Said no", "no@example.pl")
        said_no._care_set_consent("email", False, "portal", False)
        old_buyer = self._buyer("Old buyer", "old@example.pl", "2025-06-01 12:00:00")
        stranger = self._make_customer("Stranger", "stranger@example.pl", consent=False)
        nothing = {"replenishment": False, "back_in_stock": False, "news": False}
        # Off (the default): nobody without consent gets marketing.
        for partner in (buyer, said_no, old_buyer, stranger):
            self.assertEqual(self._outcomes(partner), nothing, partner.name)
        self.company.write({"care_soft_opt_in": True, "care_soft_opt_in_months": 12})
        self.assertEqual(
            self._outcomes(buyer), dict(nothing, replenishment=True), "reminders only"
        )
        for partner in (said_no, old_buyer, stranger):
            self.assertEqual(self._outcomes(partner), nothing, partner.name)
        # What a customer asked for (back in stock) is transactional: it goes
        # out whatever the setting.
        for soft in (True, False):
            self.company.care_soft_opt_in = soft
            self.assertTrue(all(self._outcomes(stranger, "transactional").values()))

    def test_soft_opt_in_message_carries_the_opt_out(self):
        self.company.care_soft_opt_in = True
        buyer = self._buyer("Recent buyer", "recent@example.pl")
        message = self._send(buyer, "replenishment")
        body = (
            self.env["mail.mail"]
            .search([("mail_message_id", "=", message.mail_message_id.id)])
            .body_html
        )
        self.assertIn(message._unsubscribe_url(), body)
        self.assertIn(message._preferences_url(), body)

    def test_double_opt_in_counts_once_confirmed(self):
        self.company.care_double_opt_in = True
        partner = self._make_customer("Eva", "eva@example.pl", consent=False)
        # sudo: as the checkout route does for a visitor.
        [pending] = partner.sudo()._care_set_consent(
            "email",
            True,
            "checkout",
            "Email me reminders and offers",
            ip="198.51.100.4",
        )
        self.assertTrue(pending.pending)
        self.assertFalse(partner.care_email_consent)
        ask = self.Message.search(
            [("res_model", "=", pending._name), ("res_id", "=", pending.id)]
        )
        self.assertEqual(
            (ask.kind, ask.mail_template_id),
            (
                "transactional",
                self.env.ref("service_care.mail_template_consent_confirm"),
            ),
        )
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", ask.mail_message_id.id)]
        )
        self.assertIn(pending.confirm_url, mail.body_html)
        self.assertEqual(self._send(partner, "news").reason_code, "no_consent")
        confirmation = pending._care_confirm(ip="198.51.100.5")
        self.assertRecordValues(
            confirmation,
            [
                {
                    "granted": True,
                    "pending": False,
                    "source": "checkout",
                    "wording": "Email me reminders and offers",
                    "confirms_id": pending.id,
                }
            ],
        )
        self.assertTrue(partner.care_email_consent)
        self.assertNotEqual(self._send(partner, "news").state, "skipped")
        self.assertFalse(pending._care_confirm(), "confirming twice adds nothing")
        # Staff recording a consent given in the shop need no confirmation.
        other = self._make_customer("Ivo", "ivo@example.pl", consent=False)
        other._care_set_consent("email", True, "backoffice", "Said yes in the shop.")
        self.assertTrue(other.care_email_consent)

    def test_pending_is_not_for_callers_to_set(self):
        clerk = new_test_user(
            self.env,
            "care_clerk_consent",
            groups="service_care.service_care_group_user",
        )
        partner = self._make_customer("Max", "max@example.pl", consent=False)
        row = (
            self.env["service.care.consent"]
            .with_user(clerk)
            .create(
                {
                    "partner_id": partner.id,
                    "channel": "email",
                    "granted": True,
                    "source": "backoffice",
                    "wording": "Yes.",
                    "pending": True,
                    "ip": "192.0.2.1",
                }
            )
        )
        self.assertFalse(row.pending)
        self.assertFalse(row.ip)
        self.assertTrue(partner.care_email_consent)

    def test_reachability_figures_match_their_lists(self):
        Settings = self.env["res.config.settings"]

        def figures():
            settings = Settings.create({})
            return {
                name: settings[f"care_reach_{name}_count"]
                for name in ("email", "sms", "none")
            }

        before = figures()
        email_only = self._buyer("Mail only", "mailonly@example.pl", consent=False)
        email_only._care_set_consent("email", True, "backoffice", "Yes.")
        nothing = self._buyer("No contact", False, consent=False)
        nothing.mobile = False
        no_order = self._make_customer("No order", "noorder@example.pl")
        self.assertEqual(
            figures(),
            {
                "email": before["email"] + 1,
                "sms": before["sms"],
                "none": before["none"] + 1,
            },
        )
        settings = Settings.create({})
        Partner = self.env["res.partner"]
        for name, count in (
            ("email", settings.care_reach_email_count),
            ("sms", settings.care_reach_sms_count),
            ("none", settings.care_reach_none_count),
        ):
            action = getattr(settings, f"action_care_reach_{name}")()
            found = Partner.search(action["domain"])
            self.assertEqual(len(found), count, name)
        email_list = Partner.search(settings.action_care_reach_email()["domain"])
        self.assertIn(email_only, email_list)
        self.assertNotIn(no_order, email_list, "not a customer yet")
        self.assertIn(
            nothing, Partner.search(settings.action_care_reach_none()["domain"])
        )

    def test_checkout_boxes(self):
        self.company.write(
            {
                "care_checkout_email_box": True,
                "care_checkout_sms_box": True,
                "care_checkout_email_label": "Email me reminders and offers",
                "care_checkout_sms_label": "Text me (SMS)",
            }
        )
        guest = self._make_customer("Guest", "guest@example.pl", consent=False)
        order = self.env["sale.order"].create({"partner_id": guest.id})

        def boxes():
            return {
                box["channel"]: box["checked"] for box in order._care_checkout_boxes()
            }

        self.assertEqual(boxes(), {"email": False, "sms": False})
        [row] = order._care_checkout_answer("email", True, "198.51.100.7")
        self.assertRecordValues(
            row,
            [
                {
                    "source": "checkout",
                    "order_id": order.id,
                    "wording": "Email me reminders and offers",
                    "ip": "198.51.100.7",
                    "granted": True,
                }
            ],
        )
        self.assertFalse(order._care_checkout_answer("email", True, "198.51.100.7"))
        self.assertEqual(boxes(), {"email": True, "sms": False})
        # Unticking before paying withdraws what the tick gave.
        [untick] = order._care_checkout_answer("email", False, "198.51.100.7")
        self.assertFalse(untick.granted)
        self.assertFalse(guest.care_email_consent)
        self.assertFalse(order._care_checkout_answer("sms", False, "198.51.100.7"))
        # No mobile number: no SMS box. A box the shop hides is not shown.
        guest.mobile = False
        self.company.care_checkout_email_label = False
        self.assertEqual(boxes(), {})
        self.assertFalse(order._care_checkout_answer("sms", True, "198.51.100.7"))
        # A customer who already agreed is not asked again.
        regular = self._make_customer("Regular", "regular@example.pl")
        self.company.care_checkout_email_label = "Email me"
        order = self.env["sale.order"].create({"partner_id": regular.id})
        self.assertEqual(order._care_checkout_boxes(), [])
