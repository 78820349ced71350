"""Google's BatchAvailabilityLookup: 100 slots over 10 restaurants, p50/p99 per round.

A round is what Google asks of a group of 10 restaurants: one lookup per merchant
(Google sends one merchant per request), 10 slots each (19:00-21:15 for a party of 2),
all 10 requests at once. The API runs under uvicorn on loopback on PostgreSQL with
Redis as the cache; each restaurant has 40 tables and 300 bookings that day. "Cold"
bumps every day's cache version before each round, so each one recomputes.

Run: python -m benchmarks.google_lookup   (own PostgreSQL database, Redis db 14)
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time as clock
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text

from benchmarks import ROOT, ZONE, fresh_database, median, percentile
from benchmarks.http_availability import DAY, REDIS_URL, free_port, seed
from reservations.cache import RedisCache
from reservations.db import create_engine
from services.availability import invalidate_day

ROUNDS = 200
RESTAURANTS = 10
AUTH = "Basic " + base64.b64encode(b"google:bench-secret").decode()


async def seed_group(url: str) -> list[uuid.UUID]:
    ids = []
    engine = create_engine(url)
    for n in range(RESTAURANTS):
        rid = await seed(url, floor_seed=100 + n)  # its own table ids
        async with engine.begin() as conn:  # the seed's slug is fixed; make it unique
            await conn.execute(
                text("UPDATE restaurants SET slug = :slug WHERE id = :id"),
                {"slug": f"bench-{rid.hex[:8]}", "id": rid},
            )
            await conn.execute(
                text("UPDATE guests SET email = :email WHERE email = 'http@example.com'"),
                {"email": f"http{n}@example.com"},
            )
            await conn.execute(
                text(
                    "UPDATE reservations SET reference = :p || reference WHERE restaurant_id = :id"
                ),
                {"p": f"G{n}", "id": rid},
            )
        ids.append(rid)
    await engine.dispose()
    return ids


def body(rid: uuid.UUID) -> dict[str, object]:
    zone = ZoneInfo(ZONE)
    first = datetime(DAY.year, DAY.month, DAY.day, 19, tzinfo=zone)
    return {
        "merchant_id": str(rid),
        "slot_time": [
            {
                "service_id": "reservation",
                "start_sec": str(int((first + timedelta(minutes=15 * i)).timestamp())),
                "resource_ids": {"party_size": 2},
            }
            for i in range(10)
        ],
    }


async def measure(
    client: httpx.AsyncClient, ids: list[uuid.UUID], cache: RedisCache | None
) -> list[float]:
    bodies = [body(rid) for rid in ids]
    timings = []
    for _ in range(ROUNDS):
        if cache is not None:
            for rid in ids:  # outside the timed part
                await invalidate_day(cache, rid, DAY)
        started = clock.perf_counter()
        answers = await asyncio.gather(
            *(client.post("/google/v3/BatchAvailabilityLookup", json=b) for b in bodies)
        )
        timings.append((clock.perf_counter() - started) * 1000)
        for a in answers:
            assert a.status_code == 200, a.text
            assert len(a.json()["slot_time_availability"]) == 10
    return timings


async def main() -> None:
    async with fresh_database("google") as url:
        ids = await seed_group(url)
        port = free_port()
        env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, JWT_SECRET="b" * 48,
                   LOG_LEVEL="WARNING",
                   GOOGLE_BOOKING_CREDENTIALS="google:bench-secret")  # fmt: skip
        server = subprocess.Popen(  # noqa: ASYNC220 - started once, before timing
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
             "--no-access-log"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        cache = RedisCache(REDIS_URL)
        try:
            headers = {"Authorization": AUTH}
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=10, headers=headers) as client:
                for _ in range(100):
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                results = {
                    "warm": await measure(client, ids, None),
                    "cold": await measure(client, ids, cache),
                }
        finally:
            await cache.close()
            server.terminate()
            server.wait(timeout=10)
    print(
        f"google BatchAvailabilityLookup: {ROUNDS} rounds of {RESTAURANTS} concurrent lookups "
        "x 10 slots (100 slots), uvicorn, PostgreSQL, Redis"
    )
    for name, values in results.items():
        print(f"  {name:5s} p50 {median(values):7.2f} ms  p99 {percentile(values, 99):7.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
