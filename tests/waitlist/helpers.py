"""Building blocks for waitlist service tests: a small restaurant, booked tables, entries."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource, ReservationStatus, WaitlistStatus
from models.orm import Reservation, WaitlistEntry
from models.schemas.waitlist import WaitlistKind
from services import allocation
from services.waitlist.entries import create_entry
from tests.allocation.helpers import DAY, NOW, make_reservation, request

DINNER = time(19, 0)


async def book(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    at: time = DINNER,
    party_size: int = 2,
) -> uuid.UUID:
    """A confirmed booking holding a table at `at` on DAY."""
    rid = await make_reservation(
        session, restaurant_id=restaurant_id, guest_id=guest_id, at=at, party_size=party_size
    )
    # references from the counter, as bookings get them (matching takes the next ones)
    reservation = await session.get(Reservation, rid)
    assert reservation is not None
    reservation.reference = await allocation.next_reference(session, year=DAY.year)
    hold = await allocation.hold_tables(
        session,
        request=request(rid, restaurant_id, guest_id, at=at, party_size=party_size),
        now=NOW,
    )
    assert hold.held, hold.reason
    assert await allocation.confirm_allocations(session, reservation_id=rid, now=NOW)
    reservation.status = ReservationStatus.CONFIRMED
    await session.flush()
    return rid


async def cancel(session: AsyncSession, reservation_id: uuid.UUID) -> None:
    """The booking is cancelled: its tables are free again."""
    await allocation.release_allocations(session, reservation_id=reservation_id, now=NOW)
    reservation = await session.get(Reservation, reservation_id)
    assert reservation is not None
    reservation.status = ReservationStatus.CANCELLED_BY_GUEST
    await session.flush()


async def join(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    order: int,
    party_size: int = 2,
    time_from: time = DINNER,
    time_to: time = DINNER,
    day: date = DAY,
) -> WaitlistEntry:
    """A waiting entry that joined `order` seconds after NOW (first come, first served)."""
    entry, created = await create_entry(
        session,
        restaurant_id=restaurant_id,
        guest_id=guest_id,
        kind=WaitlistKind.FUTURE,
        day=day,
        time_from=time_from,
        time_to=time_to,
        party_size=party_size,
        expires_at=NOW + timedelta(days=3),
        now=NOW + timedelta(seconds=order),
    )
    assert created
    return entry


async def offers_per_entry(session: AsyncSession) -> dict[uuid.UUID, int]:
    """Active (held or booked) waitlist reservations per entry that made them."""
    rows = await session.execute(
        select(WaitlistEntry.id, func.count(Reservation.id))
        .join(Reservation, Reservation.guest_id == WaitlistEntry.guest_id)
        .where(
            Reservation.source == ReservationSource.WAITLIST,
            Reservation.status.in_([ReservationStatus.HELD, ReservationStatus.CONFIRMED]),
        )
        .group_by(WaitlistEntry.id)
    )
    return {entry_id: count for entry_id, count in rows}


async def status_of(session: AsyncSession, entry_id: uuid.UUID) -> WaitlistStatus:
    entry = await session.get(WaitlistEntry, entry_id, populate_existing=True)
    assert entry is not None
    return entry.status


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)
