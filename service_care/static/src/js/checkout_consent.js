/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import publicWidget from "@web/legacy/js/public/public_widget";
import { rpc } from "@web/core/network/rpc";

/**
 * The consent boxes of the checkout: each tick or untick is logged at once
 * on the cart's customer, with the text of the box.
 */
publicWidget.registry.CareCheckoutConsent = publicWidget.Widget.extend({
    selector: ".o_care_checkout_consent",
    events: {
        "change input[type=checkbox]": "_onChange",
    },

    async _onChange(ev) {
        const box = ev.currentTarget;
        box.disabled = true;
        try {
            await rpc("/shop/care/checkout_consent", {
                channel: box.dataset.channel,
                ticked: box.checked,
            });
            box.dataset.saved = box.checked ? "1" : "0";
        } catch {
            // Not saved: show the box as it was, so what is shown is true.
            box.checked = !box.checked;
        } finally {
            box.disabled = false;
        }
    },
});

export default publicWidget.registry.CareCheckoutConsent;
