"""Offer a restaurant-day's free capacity to waiting entries, with real holds.

One transaction under the restaurant-day's writer lock (the lock every hold
takes): entries are judged first come, first served (by when they joined), each
against the day's CURRENT availability as the engine answers it (pacing, turn
times, table combinations, seating area). The first that fits gets a reservation
row of source ``waitlist`` in status ``held``, holding its tables through the same
allocation path as a booking (so the exclusion constraint and pacing apply), until
``now + offer minutes``; the entry becomes ``offered``. Availability is judged again
after every hold, so one freed capacity is offered once: the hold itself blocks it.

An entry whose guest already has an active booking (or another open offer) that
day at this restaurant is skipped: a guest who just cancelled is offered nothing
until the cancellation is recorded, and no guest holds two tables on one day
through the waitlist.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import (
    DepositStatus,
    PaymentMode,
    ReservationSource,
    ReservationStatus,
    WaitlistStatus,
)
from models.orm import Reservation, Restaurant, WaitlistEntry
from models.schemas.booking import BookingRequest
from models.schemas.waitlist import OfferFacts, OfferMade, WaitlistKind
from rules.slots import local_to_utc
from services import allocation
from services.availability import answer_day, restaurant_inputs, service_day_of
from services.booking import booking_request_for_walk_in
from services.errors import NotFoundError
from services.waitlist.entries import allocation_hold, window_of

ACTIVE = (
    ReservationStatus.HELD,
    ReservationStatus.PENDING_CONFIRMATION,
    ReservationStatus.CONFIRMED,
    ReservationStatus.SEATED,
)


class _NoOffer(Exception):
    """Rolls back one entry's attempt (its savepoint)."""


async def match_waitlist(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    now: datetime,
    entry_id: uuid.UUID | None = None,
    limit: int = 50,
) -> list[OfferMade]:
    """Hold tables for the waiting entries that fit now; the offers made, then the day's open ones.

    Open offers made earlier are listed again (after the new ones) so a caller that
    lost an answer (a retried activity) still tells every entry; entries ignore an
    offer they already have. With ``entry_id`` only that entry is considered.
    """
    restaurant = await session.get(Restaurant, restaurant_id)
    if restaurant is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    await allocation.lock_restaurant_day(session, restaurant_id=restaurant_id, day=day)
    conditions = [
        WaitlistEntry.restaurant_id == restaurant_id,
        WaitlistEntry.desired_date == day,
        WaitlistEntry.status == WaitlistStatus.WAITING,
    ]
    if entry_id is not None:
        conditions.append(WaitlistEntry.id == entry_id)
    waiting = list(
        await session.scalars(
            select(WaitlistEntry)
            .where(*conditions)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
    )
    busy = set(
        await session.scalars(
            select(Reservation.guest_id).where(
                Reservation.restaurant_id == restaurant_id,
                Reservation.reservation_date.in_([day, day + timedelta(days=1)]),
                Reservation.status.in_(ACTIVE),
            )
        )
    )
    made: list[OfferMade] = []
    for entry in waiting:
        if len(made) >= limit:
            break
        if entry.guest_id in busy or (entry.expires_at is not None and entry.expires_at <= now):
            continue
        offer = await _try_offer(session, restaurant=restaurant, entry=entry, day=day, now=now)
        if offer is not None:
            made.append(offer)
            busy.add(entry.guest_id)
    new = {offer.entry_id for offer in made}
    return made + [
        o
        for o in await open_offers(session, conditions=conditions[:2])
        if o.entry_id not in new and (entry_id is None or o.entry_id == entry_id)
    ]


async def open_offers(
    session: AsyncSession, *, conditions: list[ColumnElement[bool]]
) -> list[OfferMade]:
    """The offers still holding tables among the entries the conditions select.

    Expired ones too: an offer whose answer was lost may expire before a retry lists
    it, and only its entry, once told, puts itself back in the queue and lets go of it.
    """
    rows = await session.scalars(
        select(WaitlistEntry)
        .where(
            *conditions,
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_reservation_id.is_not(None),
        )
        .order_by(WaitlistEntry.offered_at)
    )
    offers: list[OfferMade] = []
    for entry in rows:
        assert entry.offer_reservation_id is not None and entry.offer_expires_at is not None
        reservation = await session.get(Reservation, entry.offer_reservation_id)
        if reservation is None or reservation.status is not ReservationStatus.HELD:
            continue
        numbers = await allocation_hold(session, reservation.id)
        offers.append(_made(entry, reservation, numbers, entry.offer_expires_at))
    return offers


def _made(
    entry: WaitlistEntry, reservation: Reservation, numbers: list[str], expires_at: datetime
) -> OfferMade:
    return OfferMade(
        entry_id=entry.id,
        facts=OfferFacts(
            offer_id=str(reservation.id),
            reservation_id=reservation.id,
            table_numbers=numbers,
            starts_at=reservation.starts_at,
            expires_at=expires_at,
        ),
    )


async def _request_for(
    session: AsyncSession,
    *,
    restaurant: Restaurant,
    entry: WaitlistEntry,
    reservation_id: uuid.UUID,
    day: date,
    now: datetime,
) -> tuple[BookingRequest, date | None] | None:
    """The booking the entry would get now: its window's first free slot, or (walk-in) now;
    with the calendar date of its start, which after midnight is a day later than the
    service day it is held on."""
    common: dict[str, Any] = {
        "reservation_id": reservation_id,
        "restaurant_id": restaurant.id,
        "guest_id": entry.guest_id,
        "party_size": entry.party_size,
    }
    if entry.kind == WaitlistKind.WALK_IN.value:
        walk_in = booking_request_for_walk_in(
            table_ids=None,
            now=now,
            timezone=restaurant.timezone,
            interval_minutes=restaurant.slot_interval_minutes,
            **common,
        )
        # the current slot after midnight belongs to the evening's service
        service_day = await service_day_of(
            session, restaurant_id=restaurant.id, day=walk_in.date, local_time=walk_in.time
        )
        return walk_in.model_copy(
            update={
                "source": ReservationSource.WAITLIST,
                "seating_area": entry.seating_area,
                "hold_minutes": entry.offer_minutes,
                "date": service_day,
            }
        ), walk_in.date
    if entry.desired_time_from is None or entry.desired_time_to is None:
        return None
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant.id, first_day=day, last_day=day, now=now
    )
    answer = answer_day(
        inputs,
        day=day,
        party_size=entry.party_size,
        now=now,
        seating_area=entry.seating_area,
        between=window_of(inputs, day, entry.desired_time_from, entry.desired_time_to),
    )
    slot = next((s for s in answer.slots if s.available), None)
    if slot is None:
        return None
    window = BookingRequest(
        date=day,
        time=slot.local_time.time(),
        seating_area=entry.seating_area,
        source=ReservationSource.WAITLIST,
        language=entry.language,
        hold_minutes=entry.offer_minutes,
        **common,
    )
    return window, slot.local_time.date()


async def _try_offer(
    session: AsyncSession,
    *,
    restaurant: Restaurant,
    entry: WaitlistEntry,
    day: date,
    now: datetime,
) -> OfferMade | None:
    """Hold tables for one entry in a savepoint; None (nothing written) when nothing fits."""
    reservation_id = uuid.uuid5(entry.id, f"offer-{entry.offers_made + 1}")
    asked = await _request_for(
        session, restaurant=restaurant, entry=entry, reservation_id=reservation_id, day=day, now=now
    )
    if asked is None:
        return None
    request, calendar_day = asked
    try:
        async with session.begin_nested():
            # the row lock makes a concurrent leave or skip wait (or win) cleanly
            fresh = await session.get(
                WaitlistEntry, entry.id, with_for_update=True, populate_existing=True
            )
            if fresh is None or fresh.status is not WaitlistStatus.WAITING:
                raise _NoOffer
            offer = await _hold(
                session,
                restaurant=restaurant,
                entry=fresh,
                request=request,
                now=now,
                calendar_day=calendar_day,
            )
            if offer is None:
                raise _NoOffer
            return offer
    except _NoOffer:
        return None


async def _hold(
    session: AsyncSession,
    *,
    restaurant: Restaurant,
    entry: WaitlistEntry,
    request: BookingRequest,
    now: datetime,
    calendar_day: date | None = None,
) -> OfferMade | None:
    zone = ZoneInfo(restaurant.timezone)
    wall = datetime.combine(calendar_day or request.date, request.time)
    start = local_to_utc(wall, zone) or wall.replace(tzinfo=zone)
    minutes = restaurant.default_seating_minutes
    reservation = Reservation(
        id=request.reservation_id,
        reference=await allocation.next_reference(session, year=request.date.year),
        restaurant_id=restaurant.id,
        guest_id=entry.guest_id,
        party_size=entry.party_size,
        reservation_date=request.date,
        reservation_time=request.time,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        duration_minutes=minutes,
        status=ReservationStatus.HELD,
        source=ReservationSource.WAITLIST,
        seating_preference=entry.seating_area,
        language=entry.language,
        currency=restaurant.currency,
        # the booking's payment terms are decided when the guest accepts
        payment_mode=PaymentMode.NONE,
        deposit_status=DepositStatus.NOT_REQUIRED,
        created_at=now,
    )
    session.add(reservation)
    await session.flush()
    hold = await allocation.hold_tables(
        session, request=request, now=now, calendar_day=calendar_day
    )
    if not hold.held:
        return None
    assert hold.starts_at is not None and hold.ends_at is not None
    assert hold.hold_expires_at is not None
    # the calendar date of the start (a slot after midnight is dated the next day)
    local_start = hold.starts_at.astimezone(zone)
    reservation.reservation_date = local_start.date()
    reservation.reservation_time = local_start.time().replace(tzinfo=None)
    reservation.starts_at = hold.starts_at
    reservation.ends_at = hold.ends_at
    reservation.duration_minutes = int((hold.ends_at - hold.starts_at).total_seconds() // 60)
    reservation.hold_expires_at = hold.hold_expires_at
    entry.status = WaitlistStatus.OFFERED
    entry.offer_reservation_id = reservation.id
    entry.offered_at = now
    entry.offer_expires_at = hold.hold_expires_at
    entry.offers_made += 1
    await session.flush()
    return _made(entry, reservation, list(hold.table_numbers), hold.hold_expires_at)
