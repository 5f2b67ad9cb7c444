/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { registry } from "@web/core/registry";

// A back-office user opens the app, finds the message logged for a
// customer and reads why it was not sent (data made by the Python test).
registry.category("web_tour.tours").add("service_care_backend_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Service Care app",
            trigger: '.o_app[data-menu-xmlid="service_care.service_care_menu_root"]',
            run: "click",
        },
        {
            content: "The message log lists the skipped message",
            trigger: '.o_data_row td[name="partner_id"]:contains("Tour Customer")',
            run: "click",
        },
        {
            content: "Its form says why it was skipped",
            trigger: '.o_form_view:contains("has not given consent")',
        },
        {
            content: "Open the scenario configuration",
            trigger: 'button[data-menu-xmlid="service_care.service_care_menu_configuration"]',
            run: "click",
        },
        {
            content: "Scenarios are in the configuration menu",
            trigger: 'a[data-menu-xmlid="service_care.service_care_scenario_menu"]',
            run: "click",
        },
        {
            content: "The scenario list is shown",
            trigger: '.o_list_view .o_list_table',
        },
    ],
});
