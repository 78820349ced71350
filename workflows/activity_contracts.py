"""What the workflows may ask of activities: names, arguments and results, no bodies.

Workflows call these references (`workflow.execute_activity(hold_booking, ...)`), so
mypy checks every argument and result; the implementations in `activities/` (and
the test fakes) are registered under the same names, and a test checks that their
signatures match these. This module imports no SQLAlchemy, so the workflow sandbox
can load it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from models.schemas.lifecycle import (
    AssignTablesRequest,
    BookingFacts,
    CheckoutSessionOut,
    ExchangeTablesRequest,
    MessageIntent,
    ModifyRequest,
    MoneyMove,
    MoneyMoveResult,
    PaymentEvent,
    PaymentRecord,
    ReservationInput,
    StaffMessageRecord,
    Transition,
    WaiverRecord,
)


def _contract() -> None:
    raise NotImplementedError("an activity contract: the worker registers the implementation")


@activity.defn(name="hold_booking")
async def hold_booking(inp: ReservationInput) -> BookingFacts:
    """Insert the reservation and hold its tables, or answer why not."""
    _contract()
    raise AssertionError


@activity.defn(name="record_transition")
async def record_transition(transition: Transition) -> bool:
    """Write one state change; False when the hold was lost before it."""
    _contract()
    raise AssertionError


@activity.defn(name="move_booking")
async def move_booking(reservation_id: uuid.UUID, request: ModifyRequest) -> BookingFacts:
    """Move the booking: new tables held before the old ones are released."""
    _contract()
    raise AssertionError


@activity.defn(name="assign_booking_tables")
async def assign_booking_tables(
    reservation_id: uuid.UUID, request: AssignTablesRequest
) -> BookingFacts:
    """Put the party on staff-chosen tables."""
    _contract()
    raise AssertionError


@activity.defn(name="exchange_booking_tables")
async def exchange_booking_tables(
    reservation_id: uuid.UUID, request: ExchangeTablesRequest
) -> BookingFacts:
    """Swap tables between this party and others, in one transaction."""
    _contract()
    raise AssertionError


@activity.defn(name="queue_message")
async def queue_message(intent: MessageIntent) -> list[uuid.UUID]:
    """Render a message into one outbox row per channel; the row ids."""
    _contract()
    raise AssertionError


@activity.defn(name="send_notification")
async def send_notification(notification_id: uuid.UUID) -> None:
    """Send one outbox row through its provider."""
    _contract()


@activity.defn(name="record_staff_message")
async def record_staff_message(message: StaffMessageRecord) -> uuid.UUID:
    """Keep a staff answer in the reservation's thread; the thread message's id."""
    _contract()
    raise AssertionError


@activity.defn(name="open_payment_session")
async def open_payment_session(reservation_id: uuid.UUID) -> CheckoutSessionOut:
    """Open (or find) the checkout session of the booking's deposit or guarantee."""
    _contract()
    raise AssertionError


@activity.defn(name="move_money")
async def move_money(move: MoneyMove) -> MoneyMoveResult:
    """Refund a payment or charge a fee, once per idempotency key."""
    _contract()
    raise AssertionError


@activity.defn(name="record_payment")
async def record_payment(record: PaymentRecord) -> None:
    """Persist a provider event and the deposit status the workflow decided."""
    _contract()


@activity.defn(name="record_waiver")
async def record_waiver(waiver: WaiverRecord) -> None:
    """Write a waiver to the audit trail."""
    _contract()


@activity.defn(name="settle_payment_after_close")
async def settle_payment_after_close(
    reservation_id: uuid.UUID, event: PaymentEvent
) -> MoneyMove | None:
    """Record an event that reached a closed reservation; the refund it makes due, if any."""
    _contract()
    raise AssertionError


CONTRACTS: list[Callable[..., Any]] = [
    hold_booking,
    record_transition,
    move_booking,
    assign_booking_tables,
    exchange_booking_tables,
    queue_message,
    send_notification,
    record_staff_message,
    open_payment_session,
    move_money,
    record_payment,
    record_waiver,
    settle_payment_after_close,
]
