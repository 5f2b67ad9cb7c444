# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The predictive cart: a draft quotation the weekly run prepared.

Its states, its signed links and what the customer does with it (confirm,
change quantities, postpone, stop a product). The weekly run that makes the
carts is ``service_care_cart_builder.py``.
"""

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import signed_link
from ..tools.replenishment import POSTPONE_WEEKS, is_short

CART_STATES = [
    ("open", "Waiting for the Customer"),
    ("confirmed", "Confirmed"),
    ("postponed", "Postponed"),
    ("expired", "Expired"),
    ("declined", "Declined"),
]
# What a one-click link may do; "cart" links open the cart page, whose forms
# may do all of them.
LINK_ACTIONS = ("cart", "confirm", "postpone", "stop")
LINK_PATHS = {
    "cart": "",
    "confirm": "/confirm",
    "postpone": "/postpone/{arg}",
    "stop": "/stop/{arg}",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    care_predictive = fields.Boolean(
        "Predictive Cart",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Prepared by Service Care from the customer's due reminders.",
    )
    care_cart_state = fields.Selection(
        CART_STATES, "Cart Status", readonly=True, copy=False, index="btree_not_null"
    )
    care_cart_date = fields.Date("Cart Day", readonly=True, copy=False)
    care_cart_expires_at = fields.Datetime("Cart Expires", readonly=True, copy=False)
    care_cart_visited_at = fields.Datetime(
        "Opened by the Customer", readonly=True, copy=False
    )
    care_cart_decided_at = fields.Datetime("Decided On", readonly=True, copy=False)
    care_cart_postponed_weeks = fields.Integer(
        "Postponed by (Weeks)", readonly=True, copy=False
    )
    care_cart_reminder_ids = fields.One2many(
        "service.care.reminder", "cart_id", "Reminders in the Cart", readonly=True
    )
    care_cart_short_count = fields.Integer(
        "Lines Out of Stock", compute="_compute_care_cart_short_count"
    )

    def init(self):
        result = super().init()
        # One open predictive cart per customer: two weekly runs (or a run
        # and a "run now") cannot both cart the same customer.
        self.env.cr.execute(
            SQL(
                """
            CREATE UNIQUE INDEX IF NOT EXISTS sale_order_care_open_cart_unique
                ON sale_order (partner_id, company_id)
             WHERE care_predictive AND care_cart_state = 'open'
            """
            )
        )
        return result

    @api.depends("order_line.care_out_of_stock")
    def _compute_care_cart_short_count(self):
        for order in self:
            order.care_cart_short_count = len(
                order.order_line.filtered("care_out_of_stock")
            )

    # ------------------------------------------------------------------
    # CRUD and Odoo's own actions
    # ------------------------------------------------------------------

    def _action_cancel(self):
        carts = self._care_open_carts()
        confirmed = self.filtered(lambda order: order.state == "sale")
        result = super()._action_cancel()
        # cancelled in the back office: the customer still needs the products
        carts._care_cart_close("declined", weeks=1)
        # An order that did not happen schedules nothing. sudo: whoever may
        # cancel the order may drop the reminders it made.
        self.env["service.care.reminder"].sudo().search(
            [
                ("order_id", "in", confirmed.ids),
                ("state", "in", ("scheduled", "postponed")),
            ]
        )._care_set_state("dropped")
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_care_release_cart_reminders(self):
        """A predictive cart deleted in the back office gives back its reminders."""
        self._care_open_carts()._care_cart_close("declined", weeks=1)
        # The reminders outlive the cart: unlink them from it first.
        self.care_cart_reminder_ids.write({"cart_id": False, "cart_line_id": False})
        self.env["service.care.reminder"].flush_model()

    def action_view_care_reminders(self):
        self.ensure_one()
        return self._care_related_action(
            "service_care.service_care_reminder_action", [("cart_id", "=", self.id)]
        )

    def _care_open_carts(self):
        return self.filtered(
            lambda o: o.care_predictive and o.care_cart_state == "open"
        )

    @api.model
    def _care_expire_due_carts(self, company):
        """Expire the open carts of ``company`` past their date.

        The replenishment scenario expires its carts itself; this catches
        those it could not (scenario stopped or archived).
        """
        carts = self.search(
            [
                ("company_id", "=", company.id),
                ("care_predictive", "=", True),
                ("care_cart_state", "=", "open"),
                ("care_cart_expires_at", "<=", fields.Datetime.now()),
            ]
        )
        carts._care_cart_expire()
        return carts

    # ------------------------------------------------------------------
    # Signed links
    # ------------------------------------------------------------------

    def get_care_link(self, action="cart", arg=None):
        """Absolute URL of a one-click link for the cart's customer.

        Signed for this cart, its customer, the action (and its argument:
        weeks to postpone, cart line to stop), valid until the cart expires.
        """
        self.ensure_one()
        self.check_access("read")
        if action not in LINK_ACTIONS:
            raise UserError(self.env._("Unknown cart action %(a)s.", a=action))
        path = LINK_PATHS[action].format(arg=arg)
        return (
            f"{self.get_base_url()}/my/care/cart/{self.id}{path}"
            f"?token={self._care_token(action, arg)}"
        )

    def _care_link_subject(self, action, arg=None):
        self.ensure_one()
        return (self.id, self.partner_id.id, action, int(arg or 0))

    def _care_token(self, action, arg=None, expires=None):
        self.ensure_one()
        if expires is None:
            expires = signed_link.timestamp(
                self.care_cart_expires_at or fields.Datetime.now()
            )
        return self.env["service.care.signed.link"]._care_token(
            "cart", self._care_link_subject(action, arg), expires
        )

    def _care_check_token(self, token, action, arg=None):
        """ "ok", "expired", or False for a forged or foreign token.

        A cart link (scope "cart") is good for every action on its cart; an
        action link only for its own action and argument.
        """
        self.ensure_one()
        return self.env["service.care.signed.link"]._care_verify_token(
            "cart",
            [self._care_link_subject(action, arg), self._care_link_subject("cart")],
            token,
        )

    # ------------------------------------------------------------------
    # What the customer does with a cart
    # ------------------------------------------------------------------

    def _care_cart_is_open(self):
        """Whether the customer may still decide: open and not past its date."""
        self.ensure_one()
        return (
            self.care_predictive
            and self.care_cart_state == "open"
            and self.state in ("draft", "sent")
            and (
                not self.care_cart_expires_at
                or self.care_cart_expires_at > fields.Datetime.now()
            )
        )

    def _care_cart_visited(self):
        """The customer opened the cart: what the follow-ups count as a click."""
        self.filtered(
            lambda o: o.care_cart_state == "open" and not o.care_cart_visited_at
        ).care_cart_visited_at = fields.Datetime.now()

    def _care_cart_set_quantities(self, quantities):
        """Apply the customer's quantities: {line id: qty}; 0 removes the line."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: line.id in quantities)
        removed = lines.filtered(lambda line: quantities[line.id] <= 0)
        for line in lines - removed:
            qty = quantities[line.id]
            if qty != line.product_uom_qty:
                line.product_uom_qty = qty
                line.care_out_of_stock = line.product_id.is_storable and is_short(
                    line.product_id.with_context(
                        warehouse_id=self.warehouse_id.id
                    ).free_qty,
                    qty,
                )
        if removed:
            removed.care_reminder_ids._care_set_state("dropped")
            self._care_cart_remove_lines(removed)

    def _care_cart_stop_line(self, line):
        """The customer wants no more reminders of a line's product."""
        self.ensure_one()
        if line.care_reminder_ids:
            line.care_reminder_ids._care_stop()
        else:
            self._care_cart_remove_lines(line)

    def _care_portal_confirm(self):
        """The customer confirms their cart: it becomes a real order."""
        self.ensure_one()
        if not self._care_cart_is_open():
            raise UserError(self.env._("This cart can no longer be confirmed."))
        self.action_confirm()
        self._message_log(
            body=self.env._("Confirmed by the customer from their predictive cart.")
        )

    def _care_cart_remove_lines(self, lines):
        """Take lines out of open carts; a cart left empty is declined."""
        lines = lines.filtered(lambda line: line.order_id.care_cart_state == "open")
        carts = lines.order_id
        lines.unlink()
        carts.filtered(lambda o: not o.order_line)._care_cart_close("declined")

    def _care_cart_confirmed(self):
        """The carts became orders: their reminders are done, new ones follow.

        A customer's confirmation also asks the salesperson to call them.
        """
        carts = self.filtered(lambda o: o.care_cart_state == "open")
        if not carts:
            return
        carts.write(
            {
                "care_cart_state": "confirmed",
                "care_cart_decided_at": fields.Datetime.now(),
            }
        )
        reminders = carts.care_cart_reminder_ids.filtered(
            lambda r: r.state == "in_cart"
        )
        kept = reminders.filtered("cart_line_id")
        kept._care_set_state("confirmed")
        (reminders - kept)._care_set_state("dropped")
        if self.env.user.share:
            carts._care_call_activity()

    def _care_call_activity(self):
        activity_type = self.env.ref("mail.mail_activity_data_call")
        fallback = self.env.ref("base.user_admin", raise_if_not_found=False)
        vals_list = [
            {
                "activity_type_id": activity_type.id,
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": order.id,
                "user_id": (order.user_id or order.partner_id.user_id or fallback).id,
                "summary": self.env._(
                    "Call %(customer)s about their confirmed cart",
                    customer=order.partner_id.name,
                ),
            }
            for order in self
        ]
        # As the system (superuser): the customer confirming on the portal
        # may not create activities, and may be the Public user (a signed
        # link, not logged in), who has no address to send the salesperson's
        # notification from; Odoo's own automated activities come from it too.
        self.env["mail.activity"].with_user(SUPERUSER_ID).create(vals_list)

    def _care_cart_postpone(self, weeks):
        """The customer wants the products later: the cart goes, reminders move."""
        if weeks not in POSTPONE_WEEKS:
            raise UserError(
                self.env._(
                    "A cart can be postponed by %(choices)s weeks.",
                    choices=", ".join(str(w) for w in POSTPONE_WEEKS),
                )
            )
        self._care_cart_close("postponed", weeks=weeks)

    def _care_cart_expire(self):
        """Nobody decided in time: the cart goes, reminders move a week."""
        self._care_cart_close("expired", weeks=1)

    def _care_cart_close(self, state, weeks=None):
        """Close open carts as ``state``; cancel the quotations.

        :param weeks: move the carts' reminders this many weeks; without it,
            they are dropped
        """
        carts = self._care_open_carts()
        if not carts:
            return
        carts.write(
            {
                "care_cart_state": state,
                "care_cart_decided_at": fields.Datetime.now(),
                "care_cart_postponed_weeks": weeks if state == "postponed" else 0,
            }
        )
        reminders = carts.care_cart_reminder_ids.filtered(
            lambda r: r.state == "in_cart"
        )
        if weeks:
            reminders._care_move(weeks)
        else:
            reminders._care_set_state("dropped")
        carts.filtered(lambda o: o.state in ("draft", "sent"))._action_cancel()
