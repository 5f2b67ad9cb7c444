# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import TransactionCase


class ServiceCareCase(TransactionCase):
    """Customers, templates and settings shared by the service_care tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "care_window_start": 9.0,
                "care_window_end": 21.0,
                "care_email_cap_hours": 16.0,
                "care_sms_cap_hours": 24.0,
                "care_tracking": True,
                "email": "shop@example.com",
            }
        )
        cls.poland = cls.env.ref("base.pl")
        cls.customer = cls._make_customer("Anna Kowalska", "anna@example.pl")
        cls.mail_template = cls.env["mail.template"].create(
            {
                "name": "Care test email",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "subject": "Hello {{ object.name }}",
                "body_html": '<p>Dear <t t-out="object.name"/>, see '
                '<a href="https://shop.example.com/offer">our offer</a>.</p>',
            }
        )
        cls.sms_template = cls.env["sms.template"].create(
            {
                "name": "Care test SMS",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "body": "Hello {{ object.name }}",
            }
        )

    @classmethod
    def _make_customer(cls, name, email, mobile="+48 601 234 567", consent=True):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "mobile": mobile,
                "country_id": cls.poland.id,
                "tz": "Europe/Warsaw",
                "lang": "en_US",
            }
        )
        if consent:
            for channel in ("email", "sms"):
                partner._care_set_consent(
                    channel, True, "backoffice", "Yes, send me offers."
                )
        return partner

    @classmethod
    def _make_customers(cls, count, start=0, consent=True):
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Customer {index}",
                    "email": f"customer{index}@example.pl",
                    "mobile": f"+48 601 {index // 1000:03d} {index % 1000:03d}",
                    "country_id": cls.poland.id,
                    "tz": "Europe/Warsaw",
                    "lang": "en_US",
                }
                for index in range(start, start + count)
            ]
        )
        if consent:
            partners._care_set_consent("email", True, "import", "Offers by email.")
        return partners

    def _send(self, records, channel="email", kind="marketing", template=None):
        template = template or (
            self.mail_template if channel == "email" else self.sms_template
        )
        return self.env["service.care.message"].send_template(
            template, records, channel, kind
        )
