# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import NotFound

from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal


class WaitlistPortal(CustomerPortal):
    """/my/care/waitlist: what the customer waits for, leave or wait again."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "care_waitlist_count" in counters:
            Waitlist = request.env["service.care.waitlist"]
            values["care_waitlist_count"] = (
                Waitlist.search_count(self._care_waitlist_domain())
                if Waitlist.has_access("read")
                else 0
            )
        return values

    def _care_waitlist_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id), ("state", "!=", "cancelled")]

    @route("/my/care/waitlist", type="http", auth="user", website=True)
    def portal_my_care_waitlist(self, **kwargs):
        values = self._prepare_portal_layout_values()
        lines = request.env["service.care.waitlist"].search(
            self._care_waitlist_domain()
        )
        values.update(
            {
                # sudo: the lines are the customer's own (found under their
                # rules); a variant unpublished since must still show by name
                # rather than forbid the whole page.
                "lines": lines.sudo(),
                "page_name": "care_waitlist",
            }
        )
        return request.render("service_care.portal_my_care_waitlist", values)

    @route(
        "/my/care/waitlist/<int:line_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_care_waitlist_action(self, line_id, action, **post):
        if action not in ("leave", "again"):
            raise NotFound()
        line = request.env["service.care.waitlist"].search(
            [*self._care_waitlist_domain(), ("id", "=", line_id)]
        )
        if not line:
            raise NotFound()
        # sudo: portal customers only read their waitlist; the search above
        # (record rules and their own partner) shows the line is theirs.
        if action == "leave":
            line.sudo().action_cancel()
        else:
            line.sudo()._care_wait_again("portal")
        return request.redirect("/my/care/waitlist")
