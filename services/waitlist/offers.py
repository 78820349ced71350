"""What becomes of an offer: accepted into a booking, released, or a walk-in seated.

Accepting and expiring both go through the entry's workflow lock, and the database
has the last word: confirming a hold that has expired fails (``confirm_allocations``
answers False), so an accept racing the offer's end is refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import (
    ConfirmationMode,
    DepositStatus,
    ReservationStatus,
    WaitlistStatus,
)
from models.orm import Reservation, Restaurant, WaitlistEntry
from rules.payment_policy import PaymentMode
from rules.reminders import cancellation_deadline
from rules.state_machine import EARLIEST_CHECK_IN, initial_status
from services import allocation, live_floor, payment_terms
from services.crm import stats
from services.errors import ConflictError, NotFoundError

TERMINAL = frozenset(
    {
        WaitlistStatus.ACCEPTED,
        WaitlistStatus.SEATED,
        WaitlistStatus.EXPIRED,
        WaitlistStatus.CANCELLED,
    }
)


async def _entry(session: AsyncSession, entry_id: uuid.UUID) -> WaitlistEntry:
    entry = await session.get(WaitlistEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFoundError(f"waitlist entry {entry_id} not found")
    return entry


async def release_offer(
    session: AsyncSession, *, reservation_id: uuid.UUID, reason: str, now: datetime
) -> Reservation | None:
    """End an offer's held reservation (expired) and release its tables; idempotent.

    Returns the reservation when tables were released now (capacity freed), else None.
    """
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None or reservation.status is not ReservationStatus.HELD:
        return None
    await allocation.release_allocations(session, reservation_id=reservation_id, now=now)
    reservation.status = ReservationStatus.EXPIRED
    reservation.cancelled_at = now
    reservation.cancellation_reason = f"waitlist offer {reason}"
    reservation.hold_expires_at = None
    await session.flush()
    return reservation


async def record_status(
    session: AsyncSession, *, entry_id: uuid.UUID, status: WaitlistStatus, at: datetime
) -> WaitlistEntry:
    """Write the entry's status as its workflow decided it; idempotent.

    An entry that has ended keeps its end: the dispatcher's clean-up of an offer whose
    entry workflow had already finished (seated on that very offer) writes EXPIRED, which
    must not turn a seated party back into an expired entry.
    """
    entry = await _entry(session, entry_id)
    if entry.status is status or entry.status in TERMINAL:
        return entry
    entry.status = status
    if status in TERMINAL:
        entry.ended_at = at
    if status is WaitlistStatus.SEATED:
        entry.seated_at = entry.seated_at or at
    await session.flush()
    return entry


async def accept_offer(
    session: AsyncSession,
    *,
    entry_id: uuid.UUID,
    reservation_id: uuid.UUID,
    now: datetime,
    hold_minutes: int,
) -> Reservation:
    """Turn the offer's held reservation into a booking, as a direct booking would be.

    The payment terms and the first status come from the same rules as a booking
    (`payment_terms.terms_for_booking`, `initial_status`): with nothing to pay the
    tables are confirmed now (confirmed, or pending a manager); with a deposit or a
    guarantee due the booking stays held with a fresh hold of ``hold_minutes`` for
    the checkout. ConflictError (reason ``offer_expired``) when the offer's hold has
    expired or is gone; repeating an accepted accept returns the booking.
    """
    entry = await _entry(session, entry_id)
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFoundError(f"reservation {reservation_id} not found")
    if entry.status is WaitlistStatus.ACCEPTED and entry.reservation_id == reservation_id:
        return reservation
    if (
        entry.status is not WaitlistStatus.OFFERED
        or entry.offer_reservation_id != reservation_id
        or reservation.status is not ReservationStatus.HELD
    ):
        raise ConflictError("this offer is no longer open", field="offer", reason="offer_expired")
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    assert restaurant is not None
    terms, frozen_policy = await payment_terms.terms_for_booking(
        session,
        restaurant,
        day=entry.desired_date,
        at=reservation.reservation_time,
        party_size=reservation.party_size,
    )
    status = initial_status(
        walk_in=False,
        payment_due=terms.due_at_booking,
        manual_confirmation=restaurant.confirmation_mode is ConfirmationMode.MANUAL,
    )
    if status is ReservationStatus.HELD:
        until = now + timedelta(minutes=hold_minutes)
        kept = await allocation.renew_hold(
            session, reservation_id=reservation_id, now=now, until=until
        )
        reservation.hold_expires_at = until
    else:
        kept = await allocation.confirm_allocations(session, reservation_id=reservation_id, now=now)
        reservation.hold_expires_at = None
        reservation.confirmed_at = now if status is ReservationStatus.CONFIRMED else None
    if not kept:
        raise ConflictError("this offer has expired", field="offer", reason="offer_expired")
    reservation.status = status
    reservation.payment_mode = terms.mode
    reservation.payment_policy = frozen_policy
    reservation.deposit_status = (
        DepositStatus.PENDING if terms.due_at_booking else DepositStatus.NOT_REQUIRED
    )
    reservation.deposit_amount_minor = (
        terms.amount_minor if terms.mode is PaymentMode.DEPOSIT else 0
    )
    reservation.no_show_fee_minor = terms.amount_minor if terms.mode is PaymentMode.GUARANTEE else 0
    reservation.cancellation_deadline_at = cancellation_deadline(
        reservation.starts_at,
        hours=restaurant.cancellation_deadline_hours,
        timezone=restaurant.timezone,
    )
    reservation.workflow_id = f"reservation-{reservation.id}"
    entry.status = WaitlistStatus.ACCEPTED
    entry.reservation_id = reservation.id
    entry.ended_at = now
    await stats.note_booking(
        session, guest_id=reservation.guest_id, restaurant_id=reservation.restaurant_id, at=now
    )
    await session.flush()
    return reservation


async def seat_offer(
    session: AsyncSession,
    *,
    entry_id: uuid.UUID,
    reservation_id: uuid.UUID,
    now: datetime,
    table_ids: list[uuid.UUID] | None = None,
) -> Reservation | None:
    """Seat a walk-in party on its offer's tables (or staff's, moved in place of them).

    None when the offer's hold has been lost (the caller seats the party anew);
    ConflictError when the tables staff chose are not free or do not seat the party.
    The offer's tables are never let go before the party sits, so no other entry
    can be offered them in between.
    """
    entry = await _entry(session, entry_id)
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None:
        return None
    if entry.status is WaitlistStatus.SEATED and entry.reservation_id == reservation_id:
        return reservation
    if reservation.status is not ReservationStatus.HELD:
        return None
    if now < reservation.starts_at - EARLIEST_CHECK_IN:
        # a later day's offer: the party is not at the door (as for a check-in)
        raise ConflictError(
            "too early to seat: the offered table is for "
            f"{reservation.starts_at.isoformat()}; the guest accepts the offer instead",
            reason="too_early",
        )
    if table_ids is not None:
        try:
            moved = await allocation.assign_tables(
                session, reservation_id=reservation_id, table_ids=table_ids, now=now
            )
        except ConflictError:
            return None  # the offer's hold expired: nothing to move
        if not moved.held:
            raise ConflictError(
                "those tables are not free or do not seat the party",
                field="table_ids",
                reason=moved.reason,
            )
    if not await allocation.confirm_allocations(session, reservation_id=reservation_id, now=now):
        return None
    reservation.status = ReservationStatus.SEATED
    reservation.hold_expires_at = None
    reservation.seated_at = now
    await live_floor.party_seated(session, reservation_id=reservation.id)
    reservation.confirmed_at = now
    reservation.workflow_id = f"reservation-{reservation.id}"
    await mark_seated(session, entry=entry, reservation_id=reservation.id, now=now)
    await stats.note_booking(
        session, guest_id=reservation.guest_id, restaurant_id=reservation.restaurant_id, at=now
    )
    await session.flush()
    return reservation


async def mark_seated(
    session: AsyncSession, *, entry: WaitlistEntry, reservation_id: uuid.UUID, now: datetime
) -> None:
    """The entry's party sits at ``reservation_id``'s tables (the quote's error is measurable)."""
    entry.status = WaitlistStatus.SEATED
    entry.reservation_id = reservation_id
    entry.seated_at = entry.seated_at or now
    entry.ended_at = now
    await session.flush()
