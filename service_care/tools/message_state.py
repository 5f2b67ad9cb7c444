# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""States of a service_care message and the order they move in."""

# The life of a message that goes out, in the order it moves forward.
PROGRESS = (
    "scheduled",
    "queued",
    # A crash left unknown whether the server took it (see
    # service.care.send.attempt): past "queued", not yet proven "sent".
    "uncertain",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "converted",
)
# Ends that nothing moves a message out of.
FINAL = ("bounced", "failed", "skipped", "cancelled")
STATES = PROGRESS + FINAL


def moves_forward(current, new):
    """Whether a message in state ``current`` may move to state ``new``.

    Progress only moves forward (a late "opened" never undoes "clicked"); a
    final state is never left, except a failure that a delivery receipt
    contradicts; a message that went out may still fail or bounce, but one
    already delivered or read no longer fails.
    """
    if new not in STATES:
        raise ValueError(f"Unknown message state: {new!r}")
    if current == "failed" and new == "delivered":
        # A handset's receipt outranks a failure one route or attempt reported.
        return True
    if current in FINAL or current == new:
        return False
    if new in ("bounced", "failed"):
        return PROGRESS.index(current) <= PROGRESS.index("sent")
    if new in FINAL:
        return PROGRESS.index(current) <= PROGRESS.index("queued")
    return PROGRESS.index(new) > PROGRESS.index(current)
