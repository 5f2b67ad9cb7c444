/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("service_care_waitlist_guest_notify", {
    steps: () => [
        {
            content: "The sold-out product offers to notify",
            trigger: "#product_stock_notification_message",
            run: "click",
        },
        {
            content: "Give an email address",
            trigger: "#stock_notification_form input[name='email']",
            run: "edit guest.waitlist@example.com",
        },
        {
            content: "Send it",
            trigger: "#product_stock_notification_form_submit_button",
            run: "click",
        },
        {
            content: "Asked to confirm from the inbox, not told it is done",
            trigger: "#care_waitlist_confirm_message:not(.d-none)",
        },
        {
            content: "The success message stays hidden",
            trigger: "#stock_notification_success_message.d-none:not(:visible)",
        },
    ],
});

tours.add("service_care_waitlist_guest_confirm", {
    steps: () => [
        {
            content: "The link shows what the button does",
            trigger: ".o_care_waitlist_link button.o_care_waitlist_submit",
            run: "click",
        },
        {
            content: "On the waitlist",
            trigger: "#care_waitlist_done",
        },
    ],
});

tours.add("service_care_waitlist_customer_notify", {
    steps: () => [
        {
            content: "A logged-in customer needs one click",
            trigger: "#product_stock_notification_message",
            run: "click",
        },
        {
            content: "Told it is done",
            trigger: "#stock_notification_success_message:not(.d-none)",
        },
    ],
});
