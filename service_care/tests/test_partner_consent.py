# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.service_care.tools import contact

WORDING_EMAIL = "Yes, send me offers and reminders by email. I can unsubscribe anytime."
WORDING_SMS = "Yes, text me offers and reminders. Reply STOP to stop."


@tagged("post_install", "-at_install", "service_care")
class TestPartnerConsent(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consent = cls.env["service.care.consent"]
        cls.poland = cls.env.ref("base.pl")
        cls.germany = cls.env.ref("base.de")
        cls.env.company.country_id = cls.poland
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Jan Kowalski",
                "email": "Jan.Kowalski@Example.PL",
                "mobile": "601 234 567",
                "country_id": cls.poland.id,
            }
        )
        cls.salesman = new_test_user(
            cls.env,
            login="sc_consent_salesman",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="sc_consent_manager",
            groups="sales_team.group_sale_manager,base.group_partner_manager",
        )
        cls.portal_user = new_test_user(
            cls.env, login="sc_consent_portal", groups="base.group_portal"
        )

    # --- consent log ---------------------------------------------------------------

    def test_never_pre_ticked(self):
        self.assertFalse(self.partner.care_email_consent)
        self.assertFalse(self.partner.care_sms_consent)
        self.assertFalse(self.partner.care_consent_ids)

    def test_grant_then_withdraw_is_logged(self):
        granted = self.partner._care_set_consent(
            "email", True, "portal", WORDING_EMAIL, ip="203.0.113.7"
        )
        self.assertRecordValues(
            granted,
            [
                {
                    "partner_id": self.partner.id,
                    "channel": "email",
                    "granted": True,
                    "source": "portal",
                    "wording": WORDING_EMAIL,
                    "user_id": self.env.user.id,
                    "ip": "203.0.113.7",
                }
            ],
        )
        self.assertTrue(self.partner.care_email_consent)
        self.assertFalse(self.partner.care_sms_consent, "channels are independent")

        withdrawn = self.partner._care_set_consent(
            "email", False, "unsubscribe", "Unsubscribe link in a reminder email"
        )
        self.assertFalse(self.partner.care_email_consent)
        self.assertEqual(self.partner.care_consent_ids, withdrawn | granted)
        log = self.Consent.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(log.ids, [withdrawn.id, granted.id], "latest first")
        self.assertEqual(withdrawn.source, "unsubscribe")

        self.partner._care_set_consent("email", True, "website", WORDING_EMAIL)
        self.assertTrue(self.partner.care_email_consent)
        self.assertEqual(len(self.partner.care_consent_ids), 3)

    def test_latest_by_date_wins(self):
        """An old consent imported after a withdrawal does not bring it back."""
        self.partner._care_set_consent("sms", False, "sms", "STOP")
        self.Consent.create(
            {
                "partner_id": self.partner.id,
                "channel": "sms",
                "granted": True,
                "source": "import",
                "wording": WORDING_SMS,
                "date": fields.Datetime.now() - timedelta(days=30),
            }
        )
        self.assertFalse(self.partner.care_sms_consent)

    def test_set_consent_is_set_based(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {index}"} for index in range(3)]
        )
        other = self.env["res.partner"].create({"name": "Other"})
        rows = partners._care_set_consent("sms", True, "import", WORDING_SMS)
        self.assertEqual(rows.partner_id, partners)
        self.assertEqual(set(rows.mapped("source")), {"import"})
        self.assertEqual(partners.mapped("care_sms_consent"), [True] * 3)
        self.assertEqual(partners.mapped("care_email_consent"), [False] * 3)
        self.assertFalse(other.care_sms_consent)

    def test_consent_needs_its_wording_withdrawal_does_not(self):
        with self.assertRaises(ValidationError):
            self.partner._care_set_consent("email", True, "backoffice", False)
        withdrawn = self.partner._care_set_consent("email", False, "sms", False)
        self.assertTrue(withdrawn)

    def test_no_consent_from_the_future(self):
        with self.assertRaises(ValidationError):
            self.Consent.create(
                {
                    "partner_id": self.partner.id,
                    "channel": "email",
                    "granted": True,
                    "source": "backoffice",
                    "wording": WORDING_EMAIL,
                    "date": fields.Datetime.now() + timedelta(days=1),
                }
            )

    def test_who_and_where_cannot_be_forged(self):
        consent = (
            self.env["service.care.consent"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.partner.id,
                    "channel": "email",
                    "granted": True,
                    "source": "backoffice",
                    "wording": "Offers by email.",
                    "user_id": self.sales_manager.id,
                    "ip": "203.0.113.9",
                }
            )
        )
        self.assertEqual(consent.user_id, self.salesman)
        self.assertFalse(consent.ip)

    def test_log_rows_are_not_edited(self):
        row = self.partner._care_set_consent("email", True, "portal", WORDING_EMAIL)
        admin = self.env.ref("base.user_admin")
        for user in (self.salesman, self.sales_manager, admin):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                row.with_user(user).write({"granted": False})
        self.assertTrue(row.granted)
        self.assertEqual(row.wording, WORDING_EMAIL)

    def test_only_managers_delete_and_the_partner_follows(self):
        old = self.partner._care_set_consent("sms", True, "portal", WORDING_SMS)
        wrong = self.partner._care_set_consent("sms", False, "backoffice", "By phone")
        self.assertFalse(self.partner.care_sms_consent)
        with self.assertRaises(AccessError):
            wrong.with_user(self.salesman).unlink()
        wrong.with_user(self.sales_manager).unlink()
        self.assertEqual(self.partner.care_consent_ids, old)
        self.assertTrue(self.partner.care_sms_consent)

    # --- back office ---------------------------------------------------------------

    def test_staff_record_a_consent_on_the_partner_form(self):
        with Form(self.partner.with_user(self.salesman)) as form:
            self.assertFalse(form.care_sms_consent)
            with form.care_consent_ids.new() as line:
                line.channel = "sms"
                line.granted = True
                line.wording = "Agreed on the phone to SMS offers (call of 12 May)."
            self.assertTrue(form.care_sms_consent, "ticked as soon as the row is")
        row = self.partner.care_consent_ids
        self.assertRecordValues(
            row,
            [
                {
                    "channel": "sms",
                    "granted": True,
                    "source": "backoffice",
                    "user_id": self.salesman.id,
                }
            ],
        )
        self.assertTrue(self.partner.care_sms_consent)

    def test_staff_record_a_consent_from_the_consent_menu(self):
        action = self.env.ref("service_care.service_care_consent_action")
        context = {**safe_eval(action.context), "default_partner_id": self.partner.id}
        consents = self.Consent.with_user(self.salesman).with_context(**context)
        with Form(consents) as form:
            form.channel = "email"
            form.granted = True
            form.wording = WORDING_EMAIL
        self.assertRecordValues(
            form.record, [{"source": "backoffice", "user_id": self.salesman.id}]
        )
        self.assertTrue(self.partner.care_email_consent)

    def test_form_shows_the_contact_status(self):
        partner = self.partner.with_user(self.salesman)
        self.assertEqual(partner.care_sms_address, "+48601234567")
        self.assertFalse(partner.care_sms_issue)
        self.assertEqual(partner.care_email_address, "jan.kowalski@example.pl")
        with Form(partner) as form:
            form.mobile = "12"
            self.assertFalse(form.care_sms_address)
            self.assertIn("too short", form.care_sms_issue)

    # --- access ----------------------------------------------------------------------

    def test_access(self):
        row = self.partner._care_set_consent("email", True, "portal", WORDING_EMAIL)
        as_salesman = self.Consent.with_user(self.salesman)
        self.assertEqual(
            as_salesman.search([("id", "=", row.id)]).wording, WORDING_EMAIL
        )
        self.assertTrue(
            self.partner.with_user(self.salesman)._care_set_consent(
                "sms", True, "backoffice", WORDING_SMS
            )
        )
        as_portal = self.Consent.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            as_portal.search([])
        with self.assertRaises(AccessError):
            row.with_user(self.portal_user).read(["wording"])
        with self.assertRaises(AccessError):
            as_portal.create(
                {
                    "partner_id": self.portal_user.partner_id.id,
                    "channel": "email",
                    "granted": True,
                    "source": "portal",
                    "wording": WORDING_EMAIL,
                }
            )
        # A portal user still sees their own preferences (the portal page will).
        own = self.portal_user.partner_id.with_user(self.portal_user)
        self.assertFalse(own.care_email_consent)


@tagged("post_install", "-at_install", "service_care")
class TestPartnerContactStatus(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.poland = cls.env.ref("base.pl")
        cls.env.company.country_id = cls.poland
        cls.Partner = cls.env["res.partner"]
        cls.salesman = new_test_user(
            cls.env,
            login="sc_status_salesman",
            groups="sales_team.group_sale_salesman",
        )

    def _status(self, values, channel):
        partner = self.Partner.create({"name": "Customer", **values})
        return partner._care_contact_status(channel)[partner.id]

    def test_valid_polish_mobile(self):
        status = self._status(
            {"mobile": "601 234 567", "country_id": self.poland.id}, "sms"
        )
        self.assertEqual(status, contact.ContactStatus(ok=True, address="+48601234567"))

    def test_mobile_first_then_phone(self):
        both = {"mobile": "601 234 567", "phone": "602 345 678"}
        self.assertEqual(self._status(both, "sms").address, "+48601234567")
        phone_only = {"phone": "+48 602 345 678"}
        self.assertEqual(self._status(phone_only, "sms").address, "+48602345678")
        landline_mobile = {"mobile": "22 123 45 67", "phone": "602 345 678"}
        self.assertEqual(self._status(landline_mobile, "sms").address, "+48602345678")

    def test_country_of_the_partner_then_of_the_company(self):
        germany = self.env.ref("base.de")
        german = {"mobile": "0151 23456789", "country_id": germany.id}
        self.assertEqual(self._status(german, "sms").address, "+4915123456789")
        # no country on the partner: the current company's (Poland)
        self.assertEqual(
            self._status({"mobile": "601 234 567"}, "sms").address, "+48601234567"
        )
        # the partner's company comes before the current one
        company = self.env["res.company"].create(
            {"name": "Care GmbH", "country_id": germany.id}
        )
        of_company = {"mobile": "0151 23456789", "company_id": company.id}
        self.assertEqual(self._status(of_company, "sms").address, "+4915123456789")

    def test_invalid_number(self):
        status = self._status(
            {"mobile": "100 234 567", "country_id": self.poland.id}, "sms"
        )
        self.assertFalse(status.ok)
        self.assertFalse(status.blacklisted)
        self.assertEqual(status.reason_code, contact.INVALID_FOR_COUNTRY)
        self.assertIn("100 234 567", status.reason)

    def test_no_number_no_email(self):
        self.assertEqual(self._status({}, "sms").reason_code, contact.MISSING)
        self.assertEqual(self._status({}, "email").reason_code, contact.MISSING)

    def test_email(self):
        status = self._status({"email": '"Jan" <Jan@Example.PL>'}, "email")
        self.assertEqual(
            status, contact.ContactStatus(ok=True, address="jan@example.pl")
        )
        status = self._status({"email": "jan@gmail"}, "email")
        self.assertFalse(status.ok)
        self.assertEqual(status.reason_code, contact.INVALID_EMAIL)

    def test_blacklisted_email(self):
        self.env["mail.blacklist"].create({"email": "jan@example.pl"})
        status = self._status({"email": "Jan@Example.PL"}, "email")
        self.assertFalse(status.ok)
        self.assertTrue(status.blacklisted)
        self.assertTrue(status.contact_valid)
        self.assertEqual(status.address, "jan@example.pl")
        self.assertEqual(status.reason_code, contact.BLACKLISTED)

    def test_blacklisted_phone(self):
        self.env["phone.blacklist"].create({"number": "+48601234567"})
        status = self._status({"mobile": "601-234-567"}, "sms")
        self.assertFalse(status.ok)
        self.assertTrue(status.blacklisted)
        self.assertEqual(status.address, "+48601234567")
        self.assertEqual(status.reason_code, contact.BLACKLISTED)

    def test_archived_blacklist_entries_do_not_count(self):
        self.env["phone.blacklist"].create({"number": "+48601234567", "active": False})
        self.assertTrue(self._status({"mobile": "601 234 567"}, "sms").ok)

    def test_blacklists_are_checked_for_users_who_cannot_read_them(self):
        self.env["mail.blacklist"].create({"email": "jan@example.pl"})
        partner = self.Partner.create({"name": "Jan", "email": "jan@example.pl"})
        status = partner.with_user(self.salesman)._care_contact_status("email")
        self.assertTrue(status[partner.id].blacklisted)

    def test_unknown_channel(self):
        with self.assertRaises(ValueError):
            self.Partner.browse()._care_contact_status("fax")

    def _queries(self, partners, channel):
        """Queries run by ``_care_contact_status``, from a cold cache."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        statuses = partners._care_contact_status(channel)
        self.assertEqual(len(statuses), len(partners))
        return self.env.cr.sql_log_count - before

    def test_query_count_does_not_grow_with_partners(self):
        germany = self.env.ref("base.de")
        company = self.env["res.company"].create({"name": "Care GmbH"})
        countries = [self.poland.id, germany.id, False]
        values = [
            {
                "name": f"Customer {index}",
                "email": f"customer{index}@example.com",
                "mobile": f"60{index:07d}",
                "phone": f"+49 151 2345{index:04d}",
                "country_id": countries[index % 3],
                "company_id": company.id if index % 2 else False,
            }
            for index in range(50)
        ]
        partners = self.Partner.create(values)
        # every other mobile blacklisted: the blacklist has something to find
        self.env["phone.blacklist"].create(
            [{"number": f"+48 60{index:07d}"} for index in range(0, 50, 2)]
        )
        self.env["mail.blacklist"].create(
            [{"email": f"customer{index}@example.com"} for index in range(0, 50, 2)]
        )
        for channel in ("email", "sms"):
            with self.subTest(channel=channel):
                few = self._queries(partners[:10], channel)
                many = self._queries(partners, channel)
                self.assertEqual(few, many)
        statuses = partners._care_contact_status("sms")
        self.assertTrue(statuses[partners[0].id].blacklisted)
        self.assertFalse(statuses[partners[1].id].blacklisted)
