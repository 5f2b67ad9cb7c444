# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBackendTour(HttpCase):
    def test_service_care_app_in_the_browser(self):
        partner = self.env["res.partner"].create(
            {"name": "Tour Customer", "email": "tour@example.com"}
        )
        template = self.env["mail.template"].create(
            {
                "name": "Tour offer",
                "model_id": self.env.ref("base.model_res_partner").id,
                "subject": "An offer",
                "body_html": "<p>Offer</p>",
            }
        )
        message = self.env["service.care.message"].send_template(
            template, partner, "email", "marketing"
        )
        self.assertEqual(message.state, "skipped")
        self.start_tour("/odoo", "service_care_backend_tour", login="admin")
