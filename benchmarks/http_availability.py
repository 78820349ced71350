"""HTTP: GET availability p50/p99 over 2,000 sequential requests, cache warm and cold.

The API runs under uvicorn in its own process on loopback, on PostgreSQL with Redis
as the cache; the restaurant has 40 tables and 300 bookings that day.  "Cold"
bumps the day's cache version before every request, so each one recomputes.

Run: python -m benchmarks.http_availability   (own PostgreSQL database, Redis db 14)
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from benchmarks import ROOT, ZONE, busy_bookings, busy_floor, fresh_database, median, percentile
from models.enums import AllocationStatus, ReservationStatus
from models.orm import (
    Guest,
    Reservation,
    Restaurant,
    RestaurantTable,
    ServicePeriod,
    TableAllocation,
)
from reservations.cache import RedisCache
from reservations.db import create_engine, session_factory
from services.availability import invalidate_day

REQUESTS = 2_000
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DAY = datetime.now(UTC).date() + timedelta(days=7)  # the API uses the real clock


async def seed(url: str, *, floor_seed: int = 7) -> uuid.UUID:
    """One restaurant, 40 tables, 300 booked allocations on DAY (another floor per seed)."""
    engine = create_engine(url)
    rid, guest_id = uuid.uuid4(), uuid.uuid4()
    tables = busy_floor(40, seed=floor_seed)
    bookings = busy_bookings(tables, count=300, day=DAY)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(
            insert(Restaurant),
            [{"id": rid, "name": "Bench", "slug": "bench", "timezone": ZONE, "currency": "EUR"}],
        )
        await session.execute(
            insert(ServicePeriod),
            [
                {"id": uuid.uuid4(), "restaurant_id": rid, "weekday": d, "name": name,
                 "opens_at": opens, "closes_at": closes, "last_seating_at": last}
                for d in range(7)
                for name, opens, closes, last in (
                    ("lunch", time(12), time(15), time(14)),
                    ("dinner", time(17), time(23, 30), time(22)),
                )
            ],
        )  # fmt: skip
        await session.execute(
            insert(RestaurantTable),
            [
                {"id": uuid.UUID(t.id), "restaurant_id": rid, "number": t.number,
                 "min_capacity": t.min_capacity, "max_capacity": t.max_capacity,
                 "features": [], "combinable_with": sorted(t.combinable_with)}
                for t in tables
            ],
        )  # fmt: skip
        session.add(Guest(id=guest_id, email="http@example.com", first_name="Bench"))
        await session.flush()
        reservations, allocations = [], []
        for n, b in enumerate(bookings):
            res_id = uuid.uuid4()
            reservations.append(
                {"id": res_id, "reference": f"RES-2031-{n + 1:06d}", "restaurant_id": rid,
                 "guest_id": guest_id, "party_size": b.covers, "reservation_date": DAY,
                 "reservation_time": time(19), "starts_at": b.start_utc, "ends_at": b.end_utc,
                 "duration_minutes": 90, "status": ReservationStatus.CONFIRMED, "currency": "EUR"}
            )  # fmt: skip
            allocations.append(
                {"id": uuid.uuid4(), "reservation_id": res_id, "restaurant_id": rid,
                 "table_id": uuid.UUID(b.table_ids[0]), "starts_at": b.start_utc,
                 "ends_at": b.end_utc, "covers": b.covers, "status": AllocationStatus.BOOKED,
                 "created_at": datetime.now(UTC)}
            )  # fmt: skip
        await session.execute(insert(Reservation), reservations)
        await session.execute(insert(TableAllocation), allocations)
    await engine.dispose()
    return rid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def measure(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    cache: RedisCache | None,
    rid: uuid.UUID,
) -> list[float]:
    timings = []
    for _ in range(REQUESTS):
        if cache is not None:
            await invalidate_day(cache, rid, DAY)  # outside the timed part
        started = clock.perf_counter()
        response = await client.get(url, params=params)
        timings.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return timings


async def main() -> None:
    async with fresh_database("http") as url:
        rid = await seed(url)
        port = free_port()
        env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, JWT_SECRET="b" * 48,
                   LOG_LEVEL="WARNING")  # fmt: skip
        server = subprocess.Popen(  # noqa: ASYNC220 - started once, before timing
            # as operators run it: `reservations api` configures logging at LOG_LEVEL
            [str(Path(sys.executable).parent / "reservations"), "api",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env,
        )  # fmt: skip
        cache = RedisCache(REDIS_URL)
        try:
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                for _ in range(100):
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                path = f"/api/v1/reservations/restaurants/{rid}/availability"
                day = {"date": DAY.isoformat(), "party_size": "2"}
                timed = {**day, "time": "19:00"}
                results = {
                    "warm, day": await measure(client, path, day, None, rid),
                    "cold, day": await measure(client, path, day, cache, rid),
                    "warm, time + alternatives": await measure(client, path, timed, None, rid),
                    "cold, time + alternatives": await measure(client, path, timed, cache, rid),
                }
        finally:
            await cache.close()
            server.terminate()
            server.wait(timeout=10)
    print(f"http availability: {REQUESTS} sequential GETs per row, uvicorn, PostgreSQL, Redis")
    for name, values in results.items():
        print(f"  {name:28s} p50 {median(values):6.2f} ms  p99 {percentile(values, 99):6.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
