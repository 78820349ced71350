"""Contention: holds per second with 200 concurrent clients on PostgreSQL, beside the floor.

The floor is a bare single-row INSERT transaction through the same engine, pool
and concurrency.  All holds target one restaurant-day, so they queue on its
advisory lock: the worst case.  The server allows 100 connections, so the 200
client tasks share a pool of 80.

Run: python -m benchmarks.contention   (creates and drops its own PostgreSQL database)
"""

from __future__ import annotations

import asyncio
import random
import time as clock
import uuid
from datetime import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks import DAY, NOW, ZONE, fresh_database
from models.enums import ReservationStatus
from models.orm import Guest, Reservation
from models.schemas.booking import BookingRequest
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.db import create_engine, session_factory
from services.allocation import hold_tables
from services.floor import create_table
from services.restaurants import create_restaurant

CLIENTS = 200
OPERATIONS = 2_000
POOL = 80
TABLES = 100


async def seed(sessions: async_sessionmaker[AsyncSession]) -> tuple[uuid.UUID, uuid.UUID]:
    """A restaurant where every table can take every 15-minute slot (15-minute stays)."""
    async with sessions() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name="Contention",
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(default_seating_minutes=15),
                services=[
                    ServiceHours(
                        weekday=d, opens_at=time(17), closes_at=time(23), last_seating_at=time(21)
                    )
                    for d in range(7)
                ],
            ),
        )
        for i in range(TABLES):
            await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), max_capacity=4),
            )
        guest = Guest(email="contention@example.com", first_name="Bench")
        session.add(guest)
        await session.flush()
        await session.execute(text("CREATE TABLE bench_floor (id uuid PRIMARY KEY, n int)"))
    return restaurant.id, guest.id


async def run(
    sessions: async_sessionmaker[AsyncSession], operation: object, count: int
) -> tuple[float, list[bool]]:
    """Run `count` operations from CLIENTS concurrent tasks; returns (seconds, results)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    results: list[bool] = []

    async def client() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            results.append(await operation(i))  # type: ignore[operator]

    started = clock.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return clock.perf_counter() - started, results


async def main() -> None:
    async with fresh_database("contention") as url:
        engine = create_engine(url, pool_size=POOL, max_overflow=0, pool_timeout=120)
        sessions = session_factory(engine)
        rid, gid = await seed(sessions)
        rng = random.Random(5)
        slots = [time(17 + m // 60, m % 60) for m in range(0, 241, 15)]

        async def floor(i: int) -> bool:
            async with sessions() as session, session.begin():
                await session.execute(
                    text("INSERT INTO bench_floor (id, n) VALUES (:id, :n)"),
                    {"id": uuid.uuid4(), "n": i},
                )
            return True

        async def hold(i: int) -> bool:
            at = rng.choice(slots)
            async with sessions() as session, session.begin():
                reservation = Reservation(
                    reference=f"RES-2031-{i + 1:06d}", restaurant_id=rid, guest_id=gid,
                    party_size=2, reservation_date=DAY, reservation_time=at, starts_at=NOW,
                    ends_at=NOW.replace(hour=10), duration_minutes=15,
                    status=ReservationStatus.HELD, currency="EUR",
                )  # fmt: skip
                session.add(reservation)
                await session.flush()
                outcome = await hold_tables(
                    session,
                    request=BookingRequest(
                        reservation_id=reservation.id,
                        restaurant_id=rid,
                        guest_id=gid,
                        party_size=2,
                        date=DAY,
                        time=at,
                    ),
                    now=NOW,
                )
            return outcome.held

        await run(sessions, floor, 200)  # warm the pool
        floor_seconds, _ = await run(sessions, floor, OPERATIONS)
        hold_seconds, held = await run(sessions, hold, OPERATIONS)
        async with sessions() as session:
            overlaps = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM table_allocations a JOIN table_allocations b "
                        "ON a.table_id = b.table_id AND a.id < b.id "
                        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                        "WHERE a.status <> 'released' AND b.status <> 'released'"
                    )
                )
            ).scalar_one()
        await engine.dispose()
    floor_rate = OPERATIONS / floor_seconds
    hold_rate = OPERATIONS / hold_seconds
    print(f"contention: {CLIENTS} concurrent clients, pool {POOL}, {OPERATIONS} operations each")
    print(f"  floor (bare 1-row INSERT txn): {floor_rate:8.0f} txn/s")
    print(
        f"  holds (one restaurant-day):    {hold_rate:8.0f} holds/s  "
        f"({sum(held)} held, {len(held) - sum(held)} refused, {overlaps} overlaps)"
    )
    print(f"  ratio holds/floor: {hold_rate / floor_rate:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
