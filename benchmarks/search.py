"""Search across 1,000 and 10,000 restaurants for one date and party size.

Targets: 1,000 restaurants median < 100 ms and p99 < 200 ms warm; 10,000 < 1 s.
Each size prints the search without the memo (the code before) beside the search
with it, and where the time goes: loading inputs (database or memo), computing
(the engine's ranking and the page's slots), serialising the answer, and garbage
collection inside the search.

Run: python -m benchmarks.search [--restaurants 1000 10000] [--runs 20]
(creates and drops its own PostgreSQL databases; Redis db 14, BENCH_REDIS_URL=
for the in-process cache)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import random
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.routers.availability import _slot
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
from models.schemas.availability import SearchHitOut, SearchOut
from models.schemas.restaurant import RestaurantSummary
from reservations.cache import Cache, MemoryCache, RedisCache
from reservations.db import create_engine, session_factory
from services.availability import SearchHit, invalidate_restaurant, search
from services.availability.memo import _GENERATION_KEY, memo_for
from services.restaurants import RestaurantFilters

# the module, not the function of the same name that services.availability exports
search_module = importlib.import_module("services.availability.search")
TABLES = 10
BOOKINGS = 12  # per restaurant on the searched day
RUNS = 20


async def seed(url: str, count: int) -> None:
    """Bulk-insert the restaurants, their services, tables and bookings."""
    rng = random.Random(3)
    engine = create_engine(url)
    restaurants: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    reservations: list[dict[str, Any]] = []
    allocations: list[dict[str, Any]] = []
    guest_id = uuid.uuid4()
    for i in range(count):
        rid = uuid.uuid4()
        restaurants.append(
            {"id": rid, "name": f"Restaurant {i:04d}", "slug": f"r-{i:05d}", "timezone": ZONE,
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
                {"id": res_id, "reference": f"RES-2031-{i * BOOKINGS + b + 1:07d}",
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


async def _search(
    session: AsyncSession, cache: Cache | None, restaurants: int
) -> tuple[list[SearchHit], int]:
    return await search(
        session,
        filters=RestaurantFilters(city="amsterdam"),
        day=DAY,
        time_from=time(19),
        time_to=time(21),
        party_size=2,
        now=NOW,
        limit=20,
        offset=0,
        cache=cache,
    )


def _serialise(hits: list[SearchHit], total: int) -> bytes:
    """The route's answer body, built as the route builds it."""
    out = SearchOut(
        items=[
            SearchHitOut(
                restaurant=RestaurantSummary.model_validate(hit.restaurant),
                nearest=_slot(hit.nearest),
                slots=[_slot(s) for s in hit.slots],
            )
            for hit in hits
        ],
        total=total,
        limit=20,
        offset=0,
    )
    return out.model_dump_json().encode()


class _Split:
    """Time spent loading inputs (database or memo) and in garbage collection."""

    def __init__(self) -> None:
        self.load = 0.0
        self.gc = 0.0
        self.full_collections = 0
        self._gc_started = 0.0
        original = search_module._inputs

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.load += clock.perf_counter() - started

        setattr(search_module, "_inputs", timed)  # noqa: B010 (time the module function)
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = clock.perf_counter()
        else:
            self.gc += clock.perf_counter() - self._gc_started
            self.full_collections += info["generation"] == 2

    def reset(self) -> None:
        self.load = self.gc = 0.0
        self.full_collections = 0


async def _runs(
    sessions: Any, cache: Cache | None, restaurants: int, runs: int, split: _Split
) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {k: [] for k in ("total", "load", "serialise", "gc")}
    full = 0
    for _ in range(runs):
        async with sessions() as session:
            split.reset()
            started = clock.perf_counter()
            hits, total = await _search(session, cache, restaurants)
            searched = clock.perf_counter()
            _serialise(hits, total)
            done = clock.perf_counter()
        figures["total"].append((done - started) * 1000)
        figures["load"].append(split.load * 1000)
        figures["serialise"].append((done - searched) * 1000)
        figures["gc"].append(split.gc * 1000)
        full += split.full_collections
    figures["full_collections"] = [float(full)]
    figures["hits"] = [float(total)]
    return figures


def _line(label: str, f: dict[str, list[float]]) -> str:
    compute = [t - lo - s for t, lo, s in zip(f["total"], f["load"], f["serialise"], strict=True)]
    return (
        f"  {label:<34} median {median(f['total']):7.1f} ms  p99 {percentile(f['total'], 99):7.1f}"
        f"  | load {median(f['load']):6.1f}  compute {median(compute):6.1f}"
        f"  serialise {median(f['serialise']):5.1f}  gc {median(f['gc']):5.1f} ms"
        f" ({int(f['full_collections'][0])} full in {len(f['total'])})"
    )


async def measure(restaurants: int, runs: int, split: _Split) -> list[str]:
    """Uncached, then remembered (cold, then warm), in one run on one database."""
    lines: list[str] = []
    async with fresh_database("search") as url:
        await seed(url, restaurants)
        engine = create_engine(url)
        sessions = session_factory(engine)
        cache = _cache()
        await cache.delete(_GENERATION_KEY)  # a fresh generation, as after a Redis flush
        try:
            before = await _runs(sessions, None, restaurants, runs, split)
            cold = await _runs(sessions, cache, restaurants, 1, split)
            warm = await _runs(sessions, cache, restaurants, runs, split)
            # a write to one restaurant: the next search reloads that one only
            async with sessions() as session:
                one = await session.scalar(select(Restaurant.id).limit(1))
            assert one is not None
            await invalidate_restaurant(cache, one)
            after_write = await _runs(sessions, cache, restaurants, 1, split)
            reloaded = memo_for(cache).last_static_loads
        finally:
            await cache.close()
            await engine.dispose()
    hits = int(warm["hits"][0])
    lines.append(
        f"search: {restaurants} restaurants x {TABLES} tables, {BOOKINGS} bookings each; "
        f"{hits} with a free slot 19:00-21:00; first page 20; {runs} runs per row"
    )
    lines.append(_line("uncached (the code before)", before))
    lines.append(_line("remembered, cold (first search)", cold))
    lines.append(_line("remembered, warm", warm))
    lines.append(_line(f"after one restaurant's write ({reloaded} reloaded)", after_write))
    ratio = median(warm["total"]) / median(before["total"])
    lines.append(f"  ratio warm / uncached median: {ratio:.2f}")
    return lines


def _cache() -> Cache:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    return RedisCache(url) if url else MemoryCache()


async def main(sizes: list[int], runs: int) -> None:
    split = _Split()
    for restaurants in sizes:
        for line in await measure(
            restaurants, runs if restaurants <= 1_000 else max(3, runs // 4), split
        ):
            print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--restaurants", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    asyncio.run(main(args.restaurants, args.runs))
