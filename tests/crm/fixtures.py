"""Rows the CRM tests need without going through routes other engineers own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from secrets import randbelow

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus
from models.orm import Guest, Reservation, Restaurant, RestaurantGroup
from services.guests import search_name_of


async def bare_restaurant(session: AsyncSession, *, group_id: uuid.UUID | None = None) -> uuid.UUID:
    """A restaurant row with only what the schema requires (no tables, no services)."""
    restaurant = Restaurant(
        name=f"Bistro {uuid.uuid4().hex[:6]}",
        slug=f"bistro-{uuid.uuid4().hex[:10]}",
        timezone="Europe/Amsterdam",
        currency="EUR",
        group_id=group_id,
    )
    session.add(restaurant)
    await session.flush()
    return restaurant.id


async def bare_guest(
    session: AsyncSession, *, email: str | None = None, phone: str | None = None, name: str = "Ann"
) -> uuid.UUID:
    """A guest row (a unique email unless one is given)."""
    guest = Guest(
        email=email or f"g-{uuid.uuid4().hex[:12]}@example.com",
        first_name=name,
        last_name="Smit",
        search_name=search_name_of(name, "Smit"),
        phone=phone,
    )
    session.add(guest)
    await session.flush()
    return guest.id


async def bare_reservation(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    status: ReservationStatus = ReservationStatus.CONFIRMED,
    party_size: int = 2,
) -> uuid.UUID:
    """A reservation row as a finished workflow would have left it (no tables)."""
    starts = datetime(2030, 5, 1, 18, 0, tzinfo=UTC) + timedelta(minutes=randbelow(10**6))
    reservation_id = uuid.uuid4()
    session.add(
        Reservation(
            id=reservation_id,
            reference=f"T{uuid.uuid4().hex[:12].upper()}",
            restaurant_id=restaurant_id,
            guest_id=guest_id,
            party_size=party_size,
            reservation_date=starts.date(),
            reservation_time=starts.time().replace(tzinfo=None),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            duration_minutes=90,
            status=status,
            currency="EUR",
            workflow_id=f"reservation-{reservation_id}",
        )
    )
    await session.flush()
    return reservation_id


async def group_of(session: AsyncSession, *restaurant_ids: uuid.UUID, shares: bool) -> uuid.UUID:
    """Put restaurants in a new group that shares guest profiles or not."""
    group = RestaurantGroup(name=f"group {uuid.uuid4().hex[:6]}", shares_guest_profiles=shares)
    session.add(group)
    await session.flush()
    for rid in restaurant_ids:
        restaurant = await session.get(Restaurant, rid)
        assert restaurant is not None
        restaurant.group_id = group.id
    await session.flush()
    return group.id
