/** @odoo-module **/
// Copyright 2026 service_care contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import { WebsiteSale } from "@website_sale/js/website_sale";
import { rpc } from "@web/core/network/rpc";
import { session } from "@web/session";
import { isEmail } from "@web/core/utils/strings";
import "@website_sale_stock/js/website_sale";

/**
 * The "notify me" button of website_sale_stock, routed to the back-in-stock
 * waitlist: a logged-in customer is on it in one click, any other address
 * is told to confirm from its inbox first.
 */
WebsiteSale.include({
    _onClickProductStockNotificationMessage(ev) {
        if (session.is_website_user) {
            return this._super(...arguments);
        }
        const notificationEl = ev.currentTarget.closest("#stock_notification_div");
        const productId = parseInt(
            notificationEl.querySelector('input[name="product_id"]').value
        );
        ev.currentTarget.classList.add("d-none");
        return this._careJoinWaitlist(notificationEl, productId, "");
    },

    _handleClickSubmitStockNotificationForm(ev, productId) {
        const notificationEl = ev.currentTarget.closest("#stock_notification_div");
        const email = notificationEl.querySelector("#stock_notification_input").value.trim();
        if (!isEmail(email)) {
            return this._displayEmailIncorrectMessage(notificationEl);
        }
        return this._careJoinWaitlist(notificationEl, productId, email);
    },

    async _careJoinWaitlist(notificationEl, productId, email) {
        let result;
        try {
            result = await rpc("/shop/add/stock_notification", {
                product_id: productId,
                email,
            });
        } catch {
            return this._displayEmailIncorrectMessage(notificationEl);
        }
        notificationEl.querySelector("#stock_notification_form").classList.add("d-none");
        const messageId =
            result.state === "pending"
                ? "#care_waitlist_confirm_message"
                : "#stock_notification_success_message";
        notificationEl.querySelector(messageId).classList.remove("d-none");
    },
});
