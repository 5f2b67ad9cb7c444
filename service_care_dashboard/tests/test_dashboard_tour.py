# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_the_dashboard_opens_with_figures_for_every_flow(self):
        """On the demo shop (a year of history), Dashboards > Service Care
        shows sent and delivered messages for each shipped flow, the rates,
        revenue and its share, the carts, the reach, the waitlists and the
        SMS cost."""
        self.start_tour("/odoo/dashboards", "service_care_dashboard", login="admin")
