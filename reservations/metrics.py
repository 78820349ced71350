"""Prometheus metrics the worker's activities record (the API's own are in api/metrics.py).

Counted where an activity learns the outcome, after its transaction committed. A retry
of an activity that crashed between its commit and its answer counts again, so these
are rates to watch, not ledgers: the database stays the record of what happened.
Labels take a few fixed values each (no ids, nothing about a guest).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ACTIVITY_SECONDS = Histogram(
    "reservations_activity_seconds",
    "Activity attempt duration by activity name",
    ["activity"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ACTIVITY_FAILURES = Counter(
    "reservations_activity_failures_total",
    "Activity attempts that raised, by activity name and error type",
    ["activity", "error"],
)
BOOKINGS = Counter(
    "reservations_bookings_total",
    "Hold attempts by outcome (held, refused, invalid) and channel (reservation source)",
    ["outcome", "channel"],
)
TRANSITIONS = Counter(
    "reservations_booking_transitions_total",
    "Reservation status changes recorded, by new status and channel",
    ["status", "channel"],
)
HOLDS_EXPIRED = Counter(
    "reservations_holds_expired_total",
    "Holds that lapsed unconfirmed (tables released), by channel",
    ["channel"],
)
MONEY_MOVEMENTS = Counter(
    "reservations_money_movements_total",
    "Money movements asked of the provider (refund, charge_fee) and provider events "
    "recorded, by kind and result",
    ["kind", "result"],
)
MESSAGES = Counter(
    "reservations_messages_total",
    "Guest message send attempts by channel and status (sent, rejected, retrying)",
    ["channel", "status"],
)
WEBHOOK_DELIVERIES = Counter(
    "reservations_webhook_deliveries_total",
    "Outbound webhook delivery attempts by result (delivered, refused, failed, given_up)",
    ["result"],
)


def booking_held(*, held: bool, invalid: bool, channel: str) -> None:
    """Count one hold attempt's outcome."""
    outcome = "held" if held else "invalid" if invalid else "refused"
    BOOKINGS.labels(outcome, channel).inc()


def transition_recorded(*, status: str, channel: str) -> None:
    """Count one recorded status change (and an expired hold as such)."""
    TRANSITIONS.labels(status, channel).inc()
    if status == "expired":
        HOLDS_EXPIRED.labels(channel).inc()
