/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { registry } from "@web/core/registry";

// The customer changes the coffee quantity of their predictive cart, then
// confirms it. Starts on the cart page (the test passes its URL).
registry.category("web_tour.tours").add("service_care_replenishment_confirm", {
    steps: () => [
        {
            content: "The cart shows the coffee and the filters",
            trigger: ".o_care_cart_line:has(.o_care_product:contains(Filters))",
        },
        {
            content: "Take three bags of coffee instead of one",
            trigger: ".o_care_cart_line:has(.o_care_product:contains(Coffee)) input.o_care_qty",
            run: "edit 3",
        },
        {
            content: "Confirm the cart",
            trigger: "button.o_care_confirm",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_care_cart_done_confirmed",
        },
    ],
});

// The customer postpones their predictive cart by two weeks.
registry.category("web_tour.tours").add("service_care_replenishment_postpone", {
    steps: () => [
        {
            content: "The cart is open",
            trigger: ".o_care_cart_form button.o_care_confirm",
        },
        {
            content: "Remind me in two weeks",
            trigger: "button.o_care_postpone[data-weeks='2']",
            run: "click",
        },
        {
            content: "The cart is postponed",
            trigger: ".o_care_cart_done_postponed",
        },
    ],
});
