from datetime import datetime, timedelta

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.attribution import (
    ASSISTED,
    DIRECT,
    Attribution,
    Order,
    Touch,
    attribute,
    attribute_orders,
)

CONFIRMED = datetime(2026, 3, 10, 12, 0)
WINDOW = timedelta(days=5)
START = CONFIRMED - WINDOW
SECOND = timedelta(seconds=1)


def email(message_id, sent_at, clicked_at=None, state=None):
    """An email sent at ``sent_at``, clicked at ``clicked_at`` if given."""
    state = state or ("clicked" if clicked_at else "sent")
    return Touch(message_id, "email", state, sent_at=sent_at, clicked_at=clicked_at)


def sms(message_id, sent_at, delivered_at=None, clicked_at=None, state=None):
    """An SMS sent, delivered and clicked at the given times."""
    state = state or (
        "clicked" if clicked_at else "delivered" if delivered_at else "sent"
    )
    return Touch(
        message_id,
        "sms",
        state,
        sent_at=sent_at,
        delivered_at=delivered_at,
        clicked_at=clicked_at,
    )


@tagged("service_care")
class TestAttributionWindow(BaseCase):
    def test_click_at_window_start_is_direct(self):
        touch = email(1, START - timedelta(hours=1), clicked_at=START)
        self.assertEqual(attribute(CONFIRMED, [touch], WINDOW), Attribution(1, DIRECT))

    def test_click_just_before_window_is_nothing(self):
        # sent and clicked before the window: neither direct nor assisted
        touch = email(1, START - timedelta(hours=1), clicked_at=START - SECOND)
        self.assertIsNone(attribute(CONFIRMED, [touch], WINDOW))

    def test_click_at_confirmation_is_direct(self):
        touch = email(1, CONFIRMED - timedelta(hours=1), clicked_at=CONFIRMED)
        self.assertEqual(attribute(CONFIRMED, [touch], WINDOW), Attribution(1, DIRECT))

    def test_click_after_confirmation_only_assists(self):
        # the customer had not clicked yet when the order was confirmed
        touch = email(1, CONFIRMED - timedelta(days=1), clicked_at=CONFIRMED + SECOND)
        self.assertEqual(
            attribute(CONFIRMED, [touch], WINDOW), Attribution(1, ASSISTED)
        )

    def test_sent_at_window_bounds(self):
        self.assertEqual(
            attribute(CONFIRMED, [email(1, START)], WINDOW), Attribution(1, ASSISTED)
        )
        self.assertEqual(
            attribute(CONFIRMED, [email(1, CONFIRMED)], WINDOW),
            Attribution(1, ASSISTED),
        )
        self.assertIsNone(attribute(CONFIRMED, [email(1, START - SECOND)], WINDOW))
        self.assertIsNone(attribute(CONFIRMED, [email(1, CONFIRMED + SECOND)], WINDOW))

    def test_zero_window_attributes_nothing(self):
        touch = email(1, CONFIRMED, clicked_at=CONFIRMED)
        self.assertIsNone(attribute(CONFIRMED, [touch], timedelta(0)))

    def test_no_touch(self):
        self.assertIsNone(attribute(CONFIRMED, [], WINDOW))


@tagged("service_care")
class TestAttributionChoice(BaseCase):
    def test_last_click_wins(self):
        touches = [
            email(1, START, clicked_at=CONFIRMED - timedelta(days=1)),
            email(2, START, clicked_at=CONFIRMED - timedelta(days=3)),
            email(3, CONFIRMED - timedelta(hours=1)),  # later, but not clicked
        ]
        self.assertEqual(attribute(CONFIRMED, touches, WINDOW), Attribution(1, DIRECT))

    def test_click_tie_goes_to_highest_id(self):
        at = CONFIRMED - timedelta(days=1)
        touches = [email(7, START, clicked_at=at), email(4, START, clicked_at=at)]
        self.assertEqual(attribute(CONFIRMED, touches, WINDOW), Attribution(7, DIRECT))

    def test_last_reached_assists(self):
        touches = [
            email(1, CONFIRMED - timedelta(days=2)),
            email(2, CONFIRMED - timedelta(days=1), state="opened"),
            email(3, CONFIRMED - timedelta(days=4)),
        ]
        self.assertEqual(
            attribute(CONFIRMED, touches, WINDOW), Attribution(2, ASSISTED)
        )

    def test_sms_assists_once_delivered(self):
        sent = CONFIRMED - timedelta(days=1)
        self.assertIsNone(attribute(CONFIRMED, [sms(1, sent)], WINDOW))
        delivered = sms(1, sent, delivered_at=sent + timedelta(minutes=1))
        self.assertEqual(
            attribute(CONFIRMED, [delivered], WINDOW), Attribution(1, ASSISTED)
        )

    def test_sms_delivery_time_counts(self):
        # sent before the window, delivered inside it
        touch = sms(1, START - timedelta(hours=1), delivered_at=START + SECOND)
        self.assertEqual(
            attribute(CONFIRMED, [touch], WINDOW), Attribution(1, ASSISTED)
        )

    def test_sms_click_is_direct(self):
        sent = CONFIRMED - timedelta(days=1)
        touch = sms(1, sent, clicked_at=sent + timedelta(hours=1))
        self.assertEqual(attribute(CONFIRMED, [touch], WINDOW), Attribution(1, DIRECT))

    def test_unreached_messages_never_assist(self):
        sent = CONFIRMED - timedelta(days=1)
        for state in ("bounced", "failed", "skipped", "cancelled"):
            with self.subTest(state=state):
                touches = [
                    email(1, sent, state=state),
                    sms(2, sent, delivered_at=sent, state=state),
                ]
                self.assertIsNone(attribute(CONFIRMED, touches, WINDOW))


@tagged("service_care")
class TestAttributeOrders(BaseCase):
    def test_one_message_credits_one_order(self):
        click = email(1, START, clicked_at=CONFIRMED - timedelta(days=1))
        sent = email(2, CONFIRMED - timedelta(days=2))
        orders = [
            Order(20, "anna", CONFIRMED + timedelta(hours=1), WINDOW),
            Order(10, "anna", CONFIRMED, WINDOW),
            Order(30, "anna", CONFIRMED + timedelta(hours=2), WINDOW),
        ]
        self.assertEqual(
            attribute_orders(orders, {"anna": [click, sent]}),
            {10: Attribution(1, DIRECT), 20: Attribution(2, ASSISTED)},
        )

    def test_orders_see_their_own_touches_and_window(self):
        touches = {
            "anna": [email(1, START, clicked_at=CONFIRMED - timedelta(days=2))],
            "ben": [email(2, START, clicked_at=CONFIRMED - timedelta(days=2))],
        }
        orders = [
            Order(10, "anna", CONFIRMED, WINDOW),
            Order(20, "ben", CONFIRMED, timedelta(days=1)),
            Order(30, "carl", CONFIRMED, WINDOW),
        ]
        self.assertEqual(
            attribute_orders(orders, touches), {10: Attribution(1, DIRECT)}
        )
