"""Benchmarks of the availability engine, the HTTP read path, search and hold contention.

Each module prints its figures; shared set-up lives here: a fresh, migrated
PostgreSQL database that is dropped afterwards, and builders for a busy day.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from rules.occupancy import Booking
from rules.table_fit import TableSpec

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
ZONE = "Europe/Amsterdam"
NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
DAY = date(2031, 3, 5)


def pg_url(database: str) -> str:
    """The asyncpg URL of a database on the benchmark server."""
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def migrate(url: str) -> None:
    """Run the Alembic migrations (blocking; call from a thread inside an event loop)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    """A new migrated PostgreSQL database for one run, dropped afterwards."""
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = pg_url(name)
        await asyncio.to_thread(migrate, url)
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def busy_floor(tables: int = 40, seed: int = 7) -> list[TableSpec]:
    """A floor of 2-, 4- and 6-tops where neighbouring 2-tops and 4-tops can be combined."""
    rng = random.Random(seed)
    specs = []
    for i in range(tables):
        high = (2, 2, 4, 4, 6)[i % 5]
        specs.append((str(uuid.UUID(int=rng.getrandbits(128))), str(i + 1), high))
    result = []
    for i, (tid, number, high) in enumerate(specs):
        partners: set[str] = set()
        if high < 6:
            for j in (i - 1, i + 1):
                if 0 <= j < len(specs) and specs[j][2] == high:
                    partners.add(specs[j][0])
        result.append(
            TableSpec(
                id=tid,
                number=number,
                min_capacity=1 if high == 2 else high // 2,
                max_capacity=high,
                area="terrace" if i % 4 == 0 else "main",
                combinable_with=frozenset(partners),
            )
        )
    return result


def busy_bookings(
    tables: Sequence[TableSpec], *, count: int = 300, day: date = DAY, seed: int = 11
) -> list[Booking]:
    """`count` non-overlapping bookings spread over the day's tables (12:00-24:00 UTC)."""
    rng = random.Random(seed)
    taken: dict[str, list[tuple[datetime, datetime]]] = {t.id: [] for t in tables}
    bookings: list[Booking] = []
    base = datetime.combine(day, time(10), UTC)
    attempts = 0
    while len(bookings) < count and attempts < count * 50:
        attempts += 1
        table = rng.choice(tables)
        start = base + timedelta(minutes=15 * rng.randrange(0, 48))
        end = start + timedelta(minutes=rng.choice((60, 75, 90)))
        if any(s < end and start < e for s, e in taken[table.id]):
            continue
        taken[table.id].append((start, end))
        bookings.append(Booking((table.id,), start, end, rng.randint(1, table.max_capacity)))
    return bookings
