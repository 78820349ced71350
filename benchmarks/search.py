"""Search across 1,000 restaurants for one date and party size (target < 100 ms).

Run: python -m benchmarks.search   (creates and drops its own PostgreSQL database)
"""

from __future__ import annotations

import asyncio
import random
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from benchmarks import DAY, NOW, ZONE, fresh_database, median, percentile
from models.enums import AllocationStatus, ReservationStatus
from models.orm import (
    Guest,
    Reservation,
    Restaurant,
    RestaurantTable,
    ServicePeriod,
    TableAllocation,
)
from reservations.db import create_engine, session_factory
from services.availability import search
from services.restaurants import RestaurantFilters

RESTAURANTS = 1_000
TABLES = 10
BOOKINGS = 12  # per restaurant on the searched day
RUNS = 20


async def seed(url: str) -> None:
    """Bulk-insert the restaurants, their services, tables and bookings."""
    rng = random.Random(3)
    engine = create_engine(url)
    restaurants: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    reservations: list[dict[str, Any]] = []
    allocations: list[dict[str, Any]] = []
    guest_id = uuid.uuid4()
    for i in range(RESTAURANTS):
        rid = uuid.uuid4()
        restaurants.append(
            {"id": rid, "name": f"Restaurant {i:04d}", "slug": f"r-{i:04d}", "timezone": ZONE,
             "currency": "EUR", "city": "Amsterdam",
             "cuisine_type": rng.choice(("Dutch", "French")),
             "price_range": rng.randint(1, 4), "features": ["terrace"] if i % 3 == 0 else []}
        )  # fmt: skip
        opens = time(rng.choice((17, 18, 19)))
        for weekday in range(7):
            services.append(
                {"id": uuid.uuid4(), "restaurant_id": rid, "weekday": weekday, "name": "dinner",
                 "opens_at": opens, "closes_at": time(23), "last_seating_at": time(21, 30)}
            )  # fmt: skip
        table_ids = [uuid.uuid4() for _ in range(TABLES)]
        for n, tid in enumerate(table_ids):
            tables.append(
                {"id": tid, "restaurant_id": rid, "number": str(n + 1), "min_capacity": 1,
                 "max_capacity": (2, 4, 6)[n % 3], "features": [], "combinable_with": []}
            )  # fmt: skip
        for b in range(BOOKINGS):
            res_id = uuid.uuid4()
            # first round ends by 20:00 UTC, the second starts at 20:00 or later: no overlap
            first_round = b < TABLES
            start = datetime.combine(DAY, time(16 if first_round else 20), UTC) + timedelta(
                minutes=15 * rng.randrange(9 if first_round else 5)
            )
            end = start + timedelta(minutes=120 if first_round else 90)
            tid = table_ids[b % TABLES]
            reservations.append(
                {"id": res_id, "reference": f"RES-2031-{i * BOOKINGS + b + 1:06d}",
                 "restaurant_id": rid, "guest_id": guest_id, "party_size": 2,
                 "reservation_date": DAY, "reservation_time": time(19), "starts_at": start,
                 "ends_at": end, "duration_minutes": 120, "status": ReservationStatus.CONFIRMED,
                 "currency": "EUR"}
            )  # fmt: skip
            allocations.append(
                {"id": uuid.uuid4(), "reservation_id": res_id, "restaurant_id": rid,
                 "table_id": tid, "starts_at": start, "ends_at": end, "covers": 2,
                 "status": AllocationStatus.BOOKED, "created_at": NOW}
            )  # fmt: skip
    async with session_factory(engine)() as session, session.begin():
        session.add(Guest(id=guest_id, email="bench@example.com", first_name="Bench"))
        await session.flush()
        for model, rows in (
            (Restaurant, restaurants),
            (ServicePeriod, services),
            (RestaurantTable, tables),
            (Reservation, reservations),
            (TableAllocation, allocations),
        ):
            for chunk in range(0, len(rows), 2_000):
                await session.execute(insert(model), rows[chunk : chunk + 2_000])
    await engine.dispose()


async def main() -> None:
    async with fresh_database("search") as url:
        await seed(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        timings: list[float] = []
        total = 0
        for _ in range(RUNS):
            async with sessions() as session:
                started = clock.perf_counter()
                hits, total = await search(
                    session,
                    filters=RestaurantFilters(city="amsterdam"),
                    day=DAY,
                    time_from=time(19),
                    time_to=time(21),
                    party_size=2,
                    now=NOW,
                    limit=20,
                    offset=0,
                )
                timings.append((clock.perf_counter() - started) * 1000)
        await engine.dispose()
    print(
        f"search: {RESTAURANTS} restaurants x {TABLES} tables, {BOOKINGS} bookings each; "
        f"{total} with a free slot 19:00-21:00; first page {len(hits)}"
    )
    print(
        f"  {RUNS} runs: median {median(timings):.1f} ms  p99 {percentile(timings, 99):.1f} ms  "
        f"(first, cold {timings[0]:.1f} ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
