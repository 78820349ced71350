"""Availability push: how soon a booking change reaches the cached answers and listeners.

Target: within 1 s (p99) of the change.

Books (and then cancels) one reservation per service day over HTTP (uvicorn
subprocess, PostgreSQL, Redis db 14, the Temporal dev server, the worker in this
process), while this process listens on the restaurant's live-event channel over
Redis pub/sub (as another API process would) and polls the day's cache version in
Redis. For each change it reports, from the moment the request was sent:

* version bumped: the cached answers of the day are stale (the next read recomputes);
* event heard: a subscriber (the staff console to come) has the ``availability.changed``;

and the event's delay after the hold's own write (its allocation's ``created_at``).

Run: python -m benchmarks.availability_push [--bookings 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import select

from benchmarks import ZONE, fresh_database, median, percentile
from benchmarks.booking_latency import JWT_SECRET, REDIS_URL, start_dev_server
from benchmarks.in_process_workers import InProcessWorkers
from benchmarks.rush import start_api, wait_healthy
from models.orm import TableAllocation
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.cache import RedisCache
from reservations.db import create_engine, session_factory
from reservations.settings import Settings
from services.floor import create_table
from services.live_events import LiveEvent, subscribe
from services.restaurants import create_restaurant
from worker.deps import WorkerDeps

FIRST_DAY = (datetime.now(UTC) + timedelta(days=20)).date()
BASE = "/api/v1/reservations"


async def seed(url: str) -> uuid.UUID:
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name="Push",
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(min_notice_minutes=0, advance_booking_days=730),
                services=[
                    ServiceHours(weekday=d, opens_at=time(17), closes_at=time(23)) for d in range(7)
                ],
            ),
        )
        for i in range(10):
            await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=4),
            )
    await engine.dispose()
    return restaurant.id


class Listener:
    """Records when each day's availability.changed event is heard."""

    def __init__(self) -> None:
        self.heard: dict[date, list[float]] = {}
        self.ready = asyncio.Event()
        self.changed = asyncio.Condition()

    async def run(self, cache: RedisCache, rid: uuid.UUID) -> None:
        async with subscribe(cache, rid) as events:
            self.ready.set()
            async for event in events:
                await self._note(event)

    async def _note(self, event: LiveEvent) -> None:
        if event.day is not None:
            at = clock.time()
            async with self.changed:
                self.heard.setdefault(event.day, []).append(at)
                self.changed.notify_all()

    async def nth(self, day: date, n: int) -> float:
        """When the day's event number ``n`` (from 0) was heard, waiting for it."""
        async with self.changed:
            await self.changed.wait_for(lambda: len(self.heard.get(day, [])) > n)
        return self.heard[day][n]


async def _version_moved(cache: RedisCache, key: str, before: bytes | None) -> float:
    """When the day's cache version changed (polled every millisecond)."""
    while True:
        if await cache.get(key) != before:
            return clock.time()
        await asyncio.sleep(0.001)


async def main(bookings: int) -> None:
    async with fresh_database("push") as url:
        rid = await seed(url)
        env = await start_dev_server()
        queue = f"push-{uuid.uuid4().hex[:8]}"
        settings = cast(Any, Settings)(
            _env_file=None, database_url=url, redis_url=REDIS_URL, jwt_secret=JWT_SECRET,
            temporal_task_queue=queue, log_level="WARNING",
        )  # fmt: skip
        engine = create_engine(url)
        sessions = session_factory(engine)
        worker_cache = RedisCache(REDIS_URL)
        deps = WorkerDeps(settings=settings, engine=engine, sessions=sessions, cache=worker_cache)
        worker = InProcessWorkers(env.client, settings, deps)
        running = asyncio.create_task(worker.run())
        server, port = start_api(url, queue, env, redis_url=REDIS_URL)
        ours = RedisCache(REDIS_URL)  # a listener on its own connection
        listener = Listener()
        listening = asyncio.create_task(listener.run(ours, rid))
        rows: dict[str, list[float]] = {
            k: [] for k in ("book 201", "book version", "book event", "book event-after-write",
                            "cancel 200", "cancel version", "cancel event")
        }  # fmt: skip
        try:
            await listener.ready.wait()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                await wait_healthy(http, server)
                for i in range(bookings):
                    day = FIRST_DAY + timedelta(days=i)
                    key = f"avail:ver:{rid}:{day.isoformat()}"
                    for kind in ("book", "cancel"):
                        before = await ours.get(key)
                        heard_before = len(listener.heard.get(day, []))
                        moved = asyncio.create_task(_version_moved(ours, key, before))
                        sent = clock.time()
                        if kind == "book":
                            response = await http.post(
                                f"{BASE}/reservations",
                                json={
                                    "restaurant_id": str(rid),
                                    "date": day.isoformat(),
                                    "time": "19:00",
                                    "party_size": 2,
                                    "guest": {"email": f"p{i}@example.com", "first_name": "P"},
                                },
                                headers={"Idempotency-Key": f"push-{i}"},
                            )
                            assert response.status_code == 201, response.text
                            booked = response.json()
                        else:
                            response = await http.post(
                                f"{BASE}/reservations/{booked['id']}/cancel",
                                params={"token": booked["manage_token"]},
                                json={"reason": "benchmark"},
                            )
                            assert response.status_code == 200, response.text
                        answered = clock.time()
                        version_at = await asyncio.wait_for(moved, timeout=30)
                        event_at = await asyncio.wait_for(
                            listener.nth(day, heard_before), timeout=30
                        )
                        code = "201" if kind == "book" else "200"
                        rows[f"{kind} {code}"].append((answered - sent) * 1000)
                        rows[f"{kind} version"].append((version_at - sent) * 1000)
                        rows[f"{kind} event"].append((event_at - sent) * 1000)
                        if kind == "book":
                            async with sessions() as session:
                                written = await session.scalar(
                                    select(TableAllocation.created_at).where(
                                        TableAllocation.reservation_id == uuid.UUID(booked["id"])
                                    )
                                )
                            assert written is not None
                            rows["book event-after-write"].append(
                                (event_at - written.timestamp()) * 1000
                            )
        finally:
            listening.cancel()
            server.terminate()
            server.wait(timeout=10)
            await worker.shutdown()
            await running
            await deps.aclose()
            await ours.close()
            await env.shutdown()
    print(
        f"availability push: {bookings} bookings then {bookings} cancels, one per service day; "
        "Redis pub/sub listener in another connection; ms from the request sent"
    )
    labels = {
        "book 201": "booking answered (201)",
        "book version": "booking: cache version bumped",
        "book event": "booking: event heard",
        "book event-after-write": "booking: event after the hold's write",
        "cancel 200": "cancel answered (200)",
        "cancel version": "cancel: cache version bumped",
        "cancel event": "cancel: event heard",
    }
    for name, label in labels.items():
        values = rows[name]
        print(
            f"  {label:<40} p50 {median(values):7.1f}  p99 {percentile(values, 99):7.1f}"
            f"  max {max(values):7.1f} ms"
        )
    # from the change: the hold's write for bookings; the request (an upper bound) for cancels
    worst = max(
        percentile(rows["book event-after-write"], 99), percentile(rows["cancel event"], 99)
    )
    print(f"  ratio event p99 after the change / 1 s target: {worst / 1000:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.bookings))
