/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { registry } from "@web/core/registry";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

const tours = registry.category("web_tour.tours");

tours.add("service_care_checkout_consent", {
    steps: () => [
        {
            content: "Put the product in the cart",
            trigger: "#add_to_cart",
            run: "click",
        },
        tourUtils.goToCart(),
        tourUtils.goToCheckout(),
        ...tourUtils.fillAdressForm({
            name: "Guest Consent",
            phone: "+32 470 12 34 56",
            email: "guest.consent@example.com",
            street: "Rue de la Loi 16",
            city: "Brussels",
            zip: "1000",
        }),
        tourUtils.confirmOrder(),
        {
            content: "The SMS box is offered for the mobile number, unticked",
            trigger: ".o_care_checkout_consent input[data-channel='sms']:not(:checked)",
        },
        {
            content: "Tick the email box",
            trigger: ".o_care_checkout_consent input[data-channel='email']:not(:checked)",
            run: "click",
        },
        {
            content: "The tick is saved",
            trigger: ".o_care_checkout_consent input[data-channel='email'][data-saved='1']:checked",
        },
        {
            content: "Pay by wire transfer",
            trigger: "input[name='o_payment_radio'][data-payment-method-code='wire_transfer']",
            run: "click",
        },
        tourUtils.pay(),
        {
            content: "The order is placed",
            trigger: ".oe_website_sale_tx_status",
        },
    ],
});

tours.add("service_care_preferences", {
    steps: () => [
        {
            content: "From the reminders page to the choices",
            trigger: "a.o_care_preferences_link",
            run: "click",
        },
        {
            content: "No more news by email",
            trigger: ".o_care_preferences input[name='email_news']:checked",
            run: "click",
        },
        {
            content: "Refill reminders by SMS",
            trigger: ".o_care_preferences input[name='sms_replenishment']:not(:checked)",
            run: "click",
        },
        {
            content: "Order updates cannot be turned off",
            trigger: ".o_care_preferences input[disabled]:checked",
        },
        {
            content: "Save",
            trigger: ".o_care_preferences_save",
            run: "click",
        },
        {
            content: "Saved, and shown as chosen",
            trigger:
                ".o_care_preferences_saved:contains(Saved) ~ form input[name='sms_replenishment']:checked",
        },
        {
            content: "News by email stays off",
            trigger: ".o_care_preferences input[name='email_news']:not(:checked)",
        },
    ],
});

tours.add("service_care_birthday", {
    steps: () => [
        {
            content: "From the reminders page to the choices",
            trigger: "a.o_care_preferences_link",
            run: "click",
        },
        {
            content: "Day",
            trigger: ".o_care_birthday input[name='birth_day']",
            run: "edit 29",
        },
        {
            content: "Month",
            trigger: ".o_care_birthday select[name='birth_month']",
            run: "select 2",
        },
        {
            content: "Save",
            trigger: ".o_care_preferences_save",
            run: "click",
        },
        {
            content: "Saved, and shown as given",
            trigger:
                ".o_care_preferences_saved:contains(Saved) ~ form .o_care_birthday input[name='birth_day']:value(29)",
        },
        {
            content: "The month too",
            trigger: ".o_care_birthday select[name='birth_month']:value(2)",
        },
    ],
});
