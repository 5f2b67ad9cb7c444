"""Revenue attribution: which message, if any, gets the credit for an order.

Functional core, no ORM. Every datetime is naive UTC, as Odoo stores them.

Within the attribution window before the order's confirmation:

- **direct**: the last message the customer clicked;
- otherwise **assisted**: the last message that reached the customer without being
  clicked: an email once sent, an SMS once delivered (an SMS only sent may never
  have arrived). Bounced, failed, skipped and cancelled messages reached nobody.

Both ends of the window are included: a click exactly ``window`` before the
confirmation still counts, and so does a click at the confirmation instant. A tie
in time goes to the message created last (highest id).
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

DIRECT = "direct"
ASSISTED = "assisted"
UNREACHED_STATES = frozenset({"bounced", "failed", "skipped", "cancelled"})


@dataclass(frozen=True)
class Touch:
    """What attribution needs to know of one message sent to the customer."""

    message_id: int
    channel: str
    state: str
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    clicked_at: datetime | None = None

    @property
    def reached_at(self) -> datetime | None:
        """When the message reached the customer: email sent, SMS delivered."""
        if self.state in UNREACHED_STATES:
            return None
        return self.delivered_at if self.channel == "sms" else self.sent_at


class Attribution(NamedTuple):
    """The message credited with an order, and how: ``direct`` or ``assisted``."""

    message_id: int
    kind: str


class Order(NamedTuple):
    """An order to attribute: its id, whose touches it looks at, and when."""

    order_id: int
    touches_key: Hashable
    confirmed_at: datetime
    window: timedelta


def _last(candidates: Iterable[tuple[datetime, Touch]]) -> Touch | None:
    """The touch with the latest time (then the highest id), if any."""
    best = max(candidates, key=lambda pair: (pair[0], pair[1].message_id), default=None)
    return best[1] if best else None


def attribute(
    confirmed_at: datetime, touches: Iterable[Touch], window: timedelta
) -> Attribution | None:
    """Message credited with an order confirmed at ``confirmed_at``, or None.

    ``window`` is the attribution window; a zero or negative one attributes nothing.
    """
    if window <= timedelta(0):
        return None
    start = confirmed_at - window
    touches = list(touches)
    clicked = [
        (touch.clicked_at, touch)
        for touch in touches
        if touch.clicked_at and start <= touch.clicked_at <= confirmed_at
    ]
    if (touch := _last(clicked)) is not None:
        return Attribution(touch.message_id, DIRECT)
    reached = [
        (touch.reached_at, touch)
        for touch in touches
        if touch.reached_at and start <= touch.reached_at <= confirmed_at
    ]
    if (touch := _last(reached)) is not None:
        return Attribution(touch.message_id, ASSISTED)
    return None


def attribute_orders(
    orders: Iterable[Order], touches: Mapping[Hashable, Iterable[Touch]]
) -> dict[int, Attribution]:
    """Attribute several orders at once: ``{order_id: Attribution}``.

    ``touches`` maps an order's ``touches_key`` (say, its customer and company) to
    the messages that may be credited. A message is credited with one order only:
    orders are served by confirmation time, so when one customer confirms two
    orders, the first takes the click and the second falls back to what is left.
    """
    claimed = set()
    result = {}
    for order in sorted(orders, key=lambda o: (o.confirmed_at, o.order_id)):
        free = (
            touch
            for touch in touches.get(order.touches_key, ())
            if touch.message_id not in claimed
        )
        attribution = attribute(order.confirmed_at, free, order.window)
        if attribution:
            claimed.add(attribution.message_id)
            result[order.order_id] = attribution
    return result
