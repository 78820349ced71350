"""Building blocks for allocation tests: restaurants through the services, reservations by ORM."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.enums import ReservationStatus
from models.orm import Guest, Reservation, Restaurant
from models.schemas.booking import BookingRequest
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from services.floor import create_table
from services.restaurants import create_restaurant


class Db(Protocol):
    """What tests use of conftest's `db`/`pg_db` fixtures (structural: mypy sees no conftest)."""

    kind: str
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


class ApiLike(Protocol):
    """What tests use of conftest's `api` fixture."""

    client: httpx.AsyncClient
    db: Db

    async def token_for(
        self, role: Any, restaurant_ids: list[uuid.UUID] | list[str] | None = None
    ) -> dict[str, str]: ...


_NUMBERS = itertools.count(1)  # unique references within a test run (each test has its own db)
ZONE = "Europe/Amsterdam"
NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning
DAY = date(2031, 3, 5)  # the Wednesday after: CET, UTC+1
DINNER = time(19, 0)

OVERLAPS_SQL = text(
    "SELECT count(*) FROM table_allocations a JOIN table_allocations b "
    "ON a.table_id = b.table_id AND a.id < b.id "
    "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
    "WHERE a.status IN ('held', 'booked') AND b.status IN ('held', 'booked')"
)


async def make_restaurant(
    session: AsyncSession,
    *,
    name: str = "Test Kitchen",
    tables: int = 20,
    capacity: int = 2,
    settings: dict[str, Any] | None = None,
    opens: time = time(17, 0),
    closes: time = time(23, 0),
    last_seating: time | None = time(21, 0),
    **fields: Any,
) -> Restaurant:
    """A restaurant open every day with `tables` identical tables numbered 1..n."""
    data = RestaurantCreate(
        name=name,
        timezone=ZONE,
        currency="EUR",
        settings=BookingSettings(**(settings or {})),
        services=[
            ServiceHours(
                weekday=d, name="dinner", opens_at=opens, closes_at=closes,
                last_seating_at=last_seating,
            )
            for d in range(7)
        ],
        **fields,
    )  # fmt: skip
    restaurant = await create_restaurant(session, data=data)
    for i in range(tables):
        await create_table(
            session,
            restaurant_id=restaurant.id,
            data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=capacity),
        )
    return restaurant


async def make_guest(session: AsyncSession) -> Guest:
    guest = Guest(email=f"guest-{uuid.uuid4().hex[:10]}@example.com", first_name="Ada")
    session.add(guest)
    await session.flush()
    return guest


async def make_reservation(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    party_size: int = 2,
    day: date = DAY,
    at: time = DINNER,
) -> uuid.UUID:
    """A held reservation row as the booking service would insert before holding tables."""
    starts = datetime.combine(day, at, UTC)  # provisional; allocations carry the real instants
    reservation = Reservation(
        reference=f"RES-{day.year}-{next(_NUMBERS) % 999_999 + 1:06d}",
        restaurant_id=restaurant_id,
        guest_id=guest_id,
        party_size=party_size,
        reservation_date=day,
        reservation_time=at,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=120),
        duration_minutes=120,
        status=ReservationStatus.HELD,
        currency="EUR",
    )
    session.add(reservation)
    await session.flush()
    return reservation.id


def request(
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    *,
    party_size: int = 2,
    day: date = DAY,
    at: time = DINNER,
    **fields: Any,
) -> BookingRequest:
    return BookingRequest(
        reservation_id=reservation_id,
        restaurant_id=restaurant_id,
        guest_id=guest_id,
        party_size=party_size,
        date=day,
        time=at,
        **fields,
    )


async def overlapping_pairs(session: AsyncSession) -> int:
    """Pairs of blocking allocations that overlap on one table, counted by SQL."""
    return int((await session.execute(OVERLAPS_SQL)).scalar_one())
