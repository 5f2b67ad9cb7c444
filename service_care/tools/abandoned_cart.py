# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Abandoned carts: what a cart's content is, and what its "return to my
cart" link does for a visitor. No database needed."""

RESTORE = "restore"
LOGIN = "login"
EXPIRED = "expired"
CLOSED = "closed"
OTHER_ACCOUNT = "other_account"


def content_key(lines):
    """The products and quantities of a cart as one comparable text, in any
    order of the lines.

    :param lines: ``(product id, quantity)`` pairs
    """
    return ";".join(f"{product}:{qty:g}" for product, qty in sorted(lines))


def restore_decision(
    *, expired, open_cart, owned_by_user, anonymous, visitor_is_customer
):
    """What a genuine restore link does for this visitor.

    :param expired: the link is past its date
    :param open_cart: the cart is still a draft with lines
    :param owned_by_user: the cart's customer has a user account
    :param anonymous: the visitor is not logged in
    :param visitor_is_customer: the logged-in visitor is the cart's customer
    :return: RESTORE, LOGIN (log in first), EXPIRED, CLOSED or OTHER_ACCOUNT
    """
    if expired:
        return EXPIRED
    if not open_cart:
        return CLOSED
    if anonymous:
        # a user's cart comes back in that user's session only; a guest's
        # in any browser that has the link
        return LOGIN if owned_by_user else RESTORE
    return RESTORE if visitor_is_customer else OTHER_ACCOUNT
