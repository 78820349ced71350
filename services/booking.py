"""Reservation writes driven by the reservation workflow's activities.

Each function is idempotent, because Temporal retries activities: creating a
reservation that exists returns it, recording a status it already has changes
nothing, releasing released tables is a no-op.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ConfirmationMode, DepositStatus, ReservationSource
from models.orm import BookingNotes, Guest, Reservation, Restaurant, TableAllocation
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.lifecycle import (
    BookingFacts,
    ModifyRequest,
    PartyTables,
    ReservationInput,
    Transition,
)
from reservations.db import upsert_insert
from rules.availability import UnavailableReason
from rules.payment_policy import NO_TERMS, PaymentMode
from rules.reminders import cancellation_deadline, wall_clock_before
from rules.slots import local_to_utc
from rules.state_machine import ReservationAction, ReservationStatus, initial_status
from rules.turn_time import TurnTimeRule, turn_time_minutes
from services import allocation, live_floor, payment_terms
from services.availability.inputs import static_of_restaurant
from services.availability.requests import (
    check_requested_time,
    service_day_in,
    service_day_of,
)
from services.crm import stats
from services.errors import InvalidError, NotFoundError

A = ReservationAction
S = ReservationStatus


class _Refused(Exception):
    """Rolls back a create whose tables could not be held."""

    def __init__(self, outcome: HoldOutcome) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome


def turn_minutes(restaurant: Restaurant, party_size: int) -> int:
    """How long a party of this size stays: the length of its booking (and of a slot)."""
    rules = [
        TurnTimeRule(int(r["min_party_size"]), int(r["minutes"])) for r in restaurant.turn_times
    ]
    return turn_time_minutes(party_size, rules, restaurant.default_seating_minutes)


def facts_of(
    reservation: Reservation,
    restaurant: Restaurant,
    hold: HoldOutcome,
    *,
    reminder_hours: int,
) -> BookingFacts:
    """The workflow's view of a stored booking: hold, reminder instant, deadline, money."""
    zone = ZoneInfo(restaurant.timezone)
    local_start = reservation.starts_at.astimezone(zone).replace(tzinfo=None)
    return BookingFacts(
        hold=hold,
        reminder_at=wall_clock_before(
            local_start, hours=reminder_hours, timezone=restaurant.timezone
        ),
        cancellation_deadline_at=reservation.cancellation_deadline_at,
        payment_mode=PaymentMode(reservation.payment_mode),
        deposit_minor=reservation.deposit_amount_minor,
        fee_minor=reservation.no_show_fee_minor,
        currency=reservation.currency,
        timezone=restaurant.timezone,
        date=reservation.reservation_date,
        time=reservation.reservation_time,
        party_size=reservation.party_size,
        status=reservation.status,
        held_at=reservation.created_at,
    )


async def hold_of(session: AsyncSession, reservation: Reservation) -> HoldOutcome:
    """The stored booking's current tables as a hold outcome."""
    rows = (
        await session.execute(
            select(TableAllocation, Restaurant)
            .join(Restaurant, Restaurant.id == TableAllocation.restaurant_id)
            .where(
                TableAllocation.reservation_id == reservation.id,
                TableAllocation.status != AllocationStatus.RELEASED,
            )
        )
    ).all()
    table_ids = [row[0].table_id for row in rows]
    numbers = await allocation.table_numbers(session, table_ids=table_ids)
    expiry = next((row[0].hold_expires_at for row in rows if row[0].hold_expires_at), None)
    return HoldOutcome(
        held=True,
        reservation_id=reservation.id,
        reference=reservation.reference,
        table_ids=table_ids,
        table_numbers=numbers,
        starts_at=reservation.starts_at,
        ends_at=reservation.ends_at,
        hold_expires_at=expiry or reservation.hold_expires_at,
    )


async def keep_booking_notes(session: AsyncSession, *, booking: BookingRequest) -> BookingRequest:
    """Keep the booking's free text by its reservation id; the request without it.

    What is returned is the workflow's input: histories cannot be erased, so they
    carry ids and non-personal facts only. A replayed create finds the reservation
    (or the notes) already there and keeps nothing twice.
    """
    text = {
        "special_requests": booking.special_requests,
        "occasion": booking.occasion,
        "dietary_requirements": booking.dietary_requirements,
    }
    # no text, no read: most bookings carry none
    if any(v is not None for v in text.values()) and (
        await session.get(Reservation, booking.reservation_id) is None
    ):
        insert = upsert_insert(session)
        await session.execute(
            insert(BookingNotes)
            .values(
                reservation_id=booking.reservation_id,
                guest_id=booking.guest_id,
                created_at=datetime.now(UTC),
                **text,
            )
            .on_conflict_do_nothing(index_elements=["reservation_id"])
        )
    return booking.model_copy(update=dict.fromkeys(text))


async def forget_booking_notes(session: AsyncSession, *, reservation_id: uuid.UUID) -> None:
    """Drop the notes of a booking whose hold was refused (no reservation will hold them)."""
    await session.execute(delete(BookingNotes).where(BookingNotes.reservation_id == reservation_id))


async def create_held_reservation(
    session: AsyncSession,
    *,
    inp: ReservationInput,
    reference: str,
    now: datetime,
    reminder_hours: int,
) -> BookingFacts:
    """Insert the reservation and hold its tables in the session's transaction.

    Returns the facts of the held booking, or a refused hold (with alternatives),
    in which case the caller must roll back. Calling it again for an existing
    reservation returns that reservation.
    """
    booking = inp.booking
    # the restaurant, the reservation if a retry finds it, and the guest's own words
    # (kept by the reservation id; older inputs carried them), in one query
    found = (
        await session.execute(
            select(Restaurant, Reservation, BookingNotes, Guest.erased_at)
            .select_from(Restaurant)
            .outerjoin(Reservation, Reservation.id == booking.reservation_id)
            .outerjoin(BookingNotes, BookingNotes.reservation_id == booking.reservation_id)
            .outerjoin(Guest, Guest.id == booking.guest_id)
            .where(Restaurant.id == booking.restaurant_id)
        )
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"restaurant {booking.restaurant_id} not found")
    restaurant, existing, notes, guest_erased_at = found
    if existing is not None:  # a retry: ``reference`` goes unused
        hold = await hold_of(session, existing)
        return facts_of(existing, restaurant, hold, reminder_hours=reminder_hours)
    if guest_erased_at is not None:
        # the guest was erased while this booking was on its way: nothing may be kept
        # under their profile (booking again starts a new one)
        raise InvalidError("the guest's data was erased; book again", field="guest")

    walk_in = booking.source is ReservationSource.WALK_IN
    # read once for the time's checks and the hold (which then reads only bookings)
    static = await static_of_restaurant(
        session, restaurant, days=(booking.date - timedelta(days=1), booking.date)
    )
    if not walk_in:
        await check_requested_time(
            session, restaurant_id=restaurant.id, day=booking.date, local_time=booking.time,
            now=now, static=static,
        )  # fmt: skip
    # the booking's date is the calendar date of its start; the tables are held on the
    # service day it belongs to (the previous day's, for a slot after midnight)
    service_day = service_day_in(static, day=booking.date, local_time=booking.time)
    zone = ZoneInfo(restaurant.timezone)
    wall = datetime.combine(booking.date, booking.time)
    provisional_start = local_to_utc(wall, zone) or wall.replace(tzinfo=zone).astimezone(UTC)
    minutes = turn_minutes(restaurant, booking.party_size)
    terms, frozen_policy = await payment_terms.terms_for_booking(
        session, restaurant, day=service_day, at=booking.time, party_size=booking.party_size
    )
    if walk_in:
        terms = NO_TERMS  # the party is already at the table
    # with nothing to wait for, the hold and its first decision are one transaction:
    # the caller's answer then waits for one activity instead of three
    status = initial_status(
        walk_in=walk_in,
        payment_due=terms.due_at_booking,
        manual_confirmation=inp.policy.confirmation_mode is ConfirmationMode.MANUAL,
    )
    reservation = Reservation(
        id=booking.reservation_id,
        reference=reference,
        restaurant_id=restaurant.id,
        guest_id=booking.guest_id,
        party_size=booking.party_size,
        reservation_date=booking.date,
        reservation_time=booking.time,
        starts_at=provisional_start,
        ends_at=provisional_start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        # what the hold will set, written with the row: a hold that agrees (the usual
        # case) leaves the row unchanged, so no UPDATE follows the INSERT
        hold_expires_at=now + timedelta(minutes=booking.hold_minutes) if status is S.HELD else None,
        cancellation_deadline_at=cancellation_deadline(
            provisional_start,
            hours=restaurant.cancellation_deadline_hours,
            timezone=restaurant.timezone,
        ),
        status=status,
        source=booking.source,
        partner_id=booking.partner_id,
        seating_preference=booking.seating_area,
        special_requests=notes.special_requests if notes else booking.special_requests,
        occasion=notes.occasion if notes else booking.occasion,
        dietary_requirements=notes.dietary_requirements if notes else booking.dietary_requirements,
        language=booking.language,
        currency=restaurant.currency,
        # the policy in force now is frozen onto the booking
        payment_mode=terms.mode,
        payment_policy=frozen_policy,
        deposit_status=(
            DepositStatus.PENDING if terms.due_at_booking else DepositStatus.NOT_REQUIRED
        ),
        deposit_amount_minor=terms.amount_minor if terms.mode is PaymentMode.DEPOSIT else 0,
        no_show_fee_minor=terms.amount_minor if terms.mode is PaymentMode.GUARANTEE else 0,
        workflow_id=f"reservation-{booking.reservation_id}",
        # staff who pick the tables at booking lock them, as an assignment does
        tables_locked=booking.staff and booking.table_ids is not None,
        created_at=now,
        seated_at=now if walk_in else None,
        confirmed_at=now if status in {S.SEATED, S.CONFIRMED} else None,
    )
    session.add(reservation)
    if notes is not None:
        await session.delete(notes)  # the reservation row holds them from here on
    await session.flush()
    hold = await allocation.hold_tables(
        session,
        request=booking.model_copy(update={"date": service_day}),
        now=now,
        booked=status is not S.HELD,  # nothing to wait for: booked in the same statement
        inserted_reference=reference,
        static=static,
        calendar_day=booking.date,
    )
    if not hold.held:
        raise _Refused(hold)
    assert hold.starts_at is not None and hold.ends_at is not None
    reservation.starts_at = hold.starts_at
    reservation.ends_at = hold.ends_at
    reservation.duration_minutes = int((hold.ends_at - hold.starts_at).total_seconds() // 60)
    reservation.hold_expires_at = hold.hold_expires_at if status is S.HELD else None
    reservation.cancellation_deadline_at = cancellation_deadline(
        hold.starts_at,
        hours=restaurant.cancellation_deadline_hours,
        timezone=restaurant.timezone,
    )
    if walk_in:
        await live_floor.party_seated(session, reservation_id=reservation.id)
    await stats.note_booking(
        session, guest_id=booking.guest_id, restaurant_id=restaurant.id, at=now
    )
    await session.flush()
    return facts_of(reservation, restaurant, hold, reminder_hours=reminder_hours)


def refused_outcome(exc: BaseException) -> HoldOutcome | None:
    """The refused hold carried by a rolled-back create, if that is what `exc` is."""
    return exc.outcome if isinstance(exc, _Refused) else None


async def record_transition(session: AsyncSession, *, transition: Transition) -> bool:
    """Write one state change (status, its timestamp, guest statistics, table release).

    Returns False only when a hold being confirmed was lost (its tables released
    after expiry). Recording a status the reservation already has is a no-op.
    """
    reservation = await session.get(Reservation, transition.reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFoundError(f"reservation {transition.reservation_id} not found")
    if reservation.status is transition.status and transition.action is not A.GUEST_RECONFIRM:
        return True
    at = transition.at
    action = transition.action
    if action in {A.CONFIRM_DEPOSIT_PAID, A.AWAIT_MANUAL, A.CONFIRM} and (
        reservation.status is S.HELD
    ):
        if not await allocation.confirm_allocations(session, reservation_id=reservation.id, now=at):
            return False
        reservation.hold_expires_at = None
    if action is A.COMPLETE:  # the live floor: the party's tables need cleaning
        await live_floor.party_left(session, reservation_id=reservation.id, at=at)
    if transition.release_tables:
        await allocation.release_allocations(session, reservation_id=reservation.id, now=at)
    if action in {A.CONFIRM_DEPOSIT_PAID, A.CONFIRM}:
        reservation.confirmed_at = at
    elif action is A.CHECK_IN:
        await live_floor.party_seated(session, reservation_id=reservation.id)
        reservation.seated_at = at
        reservation.actual_party_size = transition.actual_party_size or reservation.party_size
    elif action is A.COMPLETE:
        reservation.completed_at = at
        if transition.spend_minor is not None:
            reservation.spend_minor = transition.spend_minor
        await stats.note_visit(session, reservation=reservation, at=at)
    elif action is A.NO_SHOW:
        reservation.no_show_at = at
        await stats.note_no_show(session, reservation=reservation)
    elif action in {A.CANCEL_BY_GUEST, A.CANCEL_BY_RESTAURANT, A.DECLINE, A.EXPIRE}:
        reservation.cancelled_at = at
        reservation.cancellation_reason = transition.reason
        if action is A.CANCEL_BY_GUEST:
            reservation.cancelled_within_deadline = transition.within_deadline
            await stats.note_guest_cancellation(
                session, reservation=reservation, late=transition.within_deadline is False
            )
    elif action is A.GUEST_RECONFIRM:
        reservation.guest_confirmed_at = reservation.guest_confirmed_at or at
    reservation.status = transition.status
    await session.flush()
    return True


async def move_reservation(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    request: ModifyRequest,
    now: datetime,
    reminder_hours: int,
) -> BookingFacts:
    """Move a booking to a new date, time, size or area; on refusal nothing changes."""
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFoundError(f"reservation {reservation_id} not found")
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    assert restaurant is not None
    day = request.date or reservation.reservation_date
    local_time = request.time or reservation.reservation_time
    party_size = request.party_size or reservation.party_size
    area = (
        request.seating_area if request.seating_area is not None else reservation.seating_preference
    )
    if request.date is not None or request.time is not None:
        await check_requested_time(
            session, restaurant_id=restaurant.id, day=day, local_time=local_time, now=now
        )
    # date + time are the calendar date and wall clock of the start, as at creation
    service_day = await service_day_of(
        session, restaurant_id=restaurant.id, day=day, local_time=local_time
    )
    terms = await payment_terms.terms_after_change(
        session, reservation, day=service_day, at=local_time, party_size=party_size
    )
    paid_deposit = reservation.deposit_amount_minor
    if (
        terms.mode is PaymentMode.DEPOSIT
        and terms.amount_minor > paid_deposit
        and not request.staff
    ):
        # the guest's deposit would no longer cover the booking under the terms they agreed
        raise InvalidError(
            f"this change needs a deposit of {terms.amount_minor} minor units and the "
            f"booking's deposit is {paid_deposit}: please contact the restaurant",
            field="party_size",
        )
    if (
        terms.mode is PaymentMode.GUARANTEE
        and reservation.payment_mode is not PaymentMode.GUARANTEE
        and not request.staff
    ):
        # the guest never gave the card this party size is asked for
        raise InvalidError(
            "this change needs a card guarantee the booking does not have: please contact "
            "the restaurant",
            field="party_size",
        )
    hold = await allocation.move_allocations(
        session,
        reservation_id=reservation_id,
        day=service_day,
        local_time=local_time,
        party_size=party_size,
        seating_area=area,
        staff=request.staff,
        now=now,
        # the same party in the same area stays on its tables (staff may have chosen them)
        keep_tables=party_size == reservation.party_size and request.seating_area is None,
        calendar_day=day,
    )
    if not hold.held:
        return BookingFacts(hold=hold)
    assert hold.starts_at is not None and hold.ends_at is not None
    reservation.reservation_date = day
    reservation.reservation_time = local_time
    reservation.party_size = party_size
    reservation.seating_preference = area
    reservation.starts_at = hold.starts_at
    reservation.ends_at = hold.ends_at
    reservation.duration_minutes = int((hold.ends_at - hold.starts_at).total_seconds() // 60)
    deadline = reservation.cancellation_deadline_at
    if deadline is None or deadline > now or request.staff:
        reservation.cancellation_deadline_at = cancellation_deadline(
            hold.starts_at,
            hours=payment_terms.deadline_hours(reservation, restaurant),
            timezone=restaurant.timezone,
        )
    # else the guest's free cancellation is over: moving the booking must not buy a new one
    if reservation.payment_mode is PaymentMode.GUARANTEE:
        # the fee follows the party size by the formula the guest agreed to (none for a
        # party the restaurant no longer asks a guarantee of)
        guaranteed = terms.mode is PaymentMode.GUARANTEE
        reservation.no_show_fee_minor = terms.amount_minor if guaranteed else 0
    reservation.modification_count += 1
    await session.flush()
    hold = hold.model_copy(update={"reference": reservation.reference})
    return facts_of(reservation, restaurant, hold, reminder_hours=reminder_hours)


async def reassign_tables(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    table_ids: list[uuid.UUID],
    now: datetime,
    reminder_hours: int,
    lock: bool = True,
) -> BookingFacts:
    """Put the party on the given tables (staff); on refusal nothing changes.

    ``lock`` marks the tables as the staff's choice, which the optimizer keeps.
    """
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFoundError(f"reservation {reservation_id} not found")
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    assert restaurant is not None
    hold = await allocation.assign_tables(
        session, reservation_id=reservation_id, table_ids=table_ids, now=now
    )
    if not hold.held:
        return BookingFacts(hold=hold)
    reservation.tables_locked = lock
    hold = hold.model_copy(update={"reference": reservation.reference})
    return facts_of(reservation, restaurant, hold, reminder_hours=reminder_hours)


async def exchange_tables(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    parties: list[PartyTables],
    now: datetime,
    reminder_hours: int,
) -> BookingFacts:
    """Parties swap tables at once (the optimizer's moves: never locked); the facts of
    ``reservation_id``, one of them.  On refusal nothing changes.

    A party that has left holds no tables, so it cannot take part (the exchange checks
    each party's tables). The other parties' workflows learn their new tables from
    the caller afterwards.
    """
    refused = BookingFacts(
        hold=HoldOutcome(
            held=False,
            reservation_id=reservation_id,
            reason=UnavailableReason.NO_TABLE_FITS.value,
        )
    )
    if reservation_id not in {p.reservation_id for p in parties}:
        raise InvalidError("the exchange does not include this reservation", field="parties")
    # row locks in one order, so two exchanges cannot deadlock
    locked: dict[uuid.UUID, Reservation] = {}
    for party_id in sorted({p.reservation_id for p in parties}):
        row = await session.get(Reservation, party_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"reservation {party_id} not found")
        locked[party_id] = row
    outcomes = await allocation.exchange_tables(session, parties=parties, now=now)
    if outcomes is None:
        return refused
    for row in locked.values():
        row.tables_locked = False
    reservation = locked[reservation_id]
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    assert restaurant is not None
    hold = outcomes[reservation_id].model_copy(update={"reference": reservation.reference})
    return facts_of(reservation, restaurant, hold, reminder_hours=reminder_hours)


def booking_request_for_walk_in(
    *,
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    party_size: int,
    table_ids: list[uuid.UUID] | None,
    now: datetime,
    timezone: str,
    interval_minutes: int,
) -> BookingRequest:
    """A walk-in books the current slot (rounded down to the slot interval) as staff."""
    local = now.astimezone(ZoneInfo(timezone))
    minute = (local.hour * 60 + local.minute) // interval_minutes * interval_minutes
    slot_time = local.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)
    return BookingRequest(
        reservation_id=reservation_id,
        restaurant_id=restaurant_id,
        guest_id=guest_id,
        party_size=party_size,
        date=slot_time.date(),
        time=slot_time.time(),
        source=ReservationSource.WALK_IN,
        staff=True,
        table_ids=table_ids,
    )
