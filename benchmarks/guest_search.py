"""Staff guest search over 100,000 guests, and a profile with 200 reservations of history.

Run: python -m benchmarks.guest_search   (creates and drops its own PostgreSQL database)

Every guest is known to the searching restaurant (the worst case for the circle filter).
Queries are drawn from the stored guests: a 4-6 letter piece of a name, the first 5
characters of an email, and the first 8 digits of a phone number. The plans are printed
so the trigram and phone indexes can be seen at work.
"""

from __future__ import annotations

import asyncio
import random
import re
import time as clock
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks import DAY, fresh_database, median, percentile
from models.enums import ReservationStatus
from models.orm import Guest, GuestRelationship, Reservation, Restaurant
from reservations.db import create_engine, session_factory
from services.crm.profiles import get_profile, history, viewpoint
from services.crm.search import known_matches, search_guests

GUESTS = 100_000
HISTORY = 200
RUNS = 200
CHUNK = 5_000
SYLLABLES = [
    "an", "be", "ko", "ri", "sa", "mu", "el", "to", "va", "de", "lin", "jo", "ha", "ne",
    "ma", "ter", "sen", "berg", "ström", "ié", "da", "wu", "li", "ng", "ok", "us",
]  # fmt: skip


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).title()


async def seed(url: str) -> tuple[uuid.UUID, uuid.UUID, list[dict[str, Any]]]:
    """The restaurant, 100,000 guests it knows, and one regular with 200 reservations."""
    rng = random.Random(13)
    restaurant = uuid.uuid4()
    guests: list[dict[str, Any]] = []
    for n in range(GUESTS):
        first, last = _name(rng, 2), _name(rng, rng.choice((2, 3)))
        guests.append(
            {"id": uuid.uuid4(), "email": f"{first.lower()}.{last.lower()}{n}@example.com",
             "first_name": first, "last_name": last, "search_name": f"{first} {last}".lower(),
             "phone": f"+31{rng.choice((6, 20, 10))}{rng.randrange(10**7, 10**8)}"}
        )  # fmt: skip
    regular = guests[0]["id"]
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        session.add(
            Restaurant(id=restaurant, name="Bench", slug="bench", timezone="UTC", currency="EUR")
        )
        await session.flush()
        for chunk in range(0, GUESTS, CHUNK):
            rows = guests[chunk : chunk + CHUNK]
            await session.execute(insert(Guest), rows)
            await session.execute(
                insert(GuestRelationship),
                [
                    {"id": uuid.uuid4(), "guest_id": g["id"], "restaurant_id": restaurant,
                     "visits": 1, "covers": 2}
                    for g in rows
                ],
            )  # fmt: skip
        start = datetime.combine(DAY, time(18), UTC)
        await session.execute(
            insert(Reservation),
            [
                {"id": uuid.uuid4(), "reference": f"RES-2031-{n + 1:06d}",
                 "restaurant_id": restaurant, "guest_id": regular, "party_size": 2,
                 "reservation_date": (start - timedelta(days=n)).date(),
                 "reservation_time": time(18), "starts_at": start - timedelta(days=n),
                 "ends_at": start - timedelta(days=n) + timedelta(minutes=90),
                 "duration_minutes": 90, "status": ReservationStatus.COMPLETED,
                 "currency": "EUR"}
                for n in range(HISTORY)
            ],
        )  # fmt: skip
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    await engine.dispose()
    return restaurant, regular, guests


def queries(guests: list[dict[str, Any]]) -> dict[str, list[str]]:
    """RUNS queries of each kind, drawn from the stored guests."""
    rng = random.Random(29)
    drawn: dict[str, list[str]] = {"name piece": [], "email prefix": [], "phone digits": []}
    for _ in range(RUNS):
        name = rng.choice(guests)["search_name"]
        size = rng.randint(4, 6)
        start = rng.randrange(0, max(1, len(name) - size))
        drawn["name piece"].append(name[start : start + size])
        drawn["email prefix"].append(rng.choice(guests)["email"][:5])
        drawn["phone digits"].append(rng.choice(guests)["phone"][:9])
    return drawn


async def timed(
    sessions: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[int]]
) -> tuple[float, int]:
    async with sessions() as session:
        started = clock.perf_counter()
        found = await work(session)
        return (clock.perf_counter() - started) * 1000, found


async def plan_of(sessions: async_sessionmaker[AsyncSession], restaurant: uuid.UUID, q: str) -> str:
    """The scans in PostgreSQL's plan for the search `q` (tables read whole, indexes used)."""
    async with sessions() as session:
        conn = await session.connection()
        query = select(Guest.id).where(*known_matches(frozenset({restaurant}), q))
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        assert compiled.positiontup is not None
        params = tuple(compiled.params[name] for name in compiled.positiontup)
        rows = await conn.exec_driver_sql("EXPLAIN " + str(compiled), params)
        plan = "\n".join(str(row[0]) for row in rows)
    return ", ".join(re.findall(r"(?:Seq Scan on|Index Scan on|Index Scan using) \w+", plan))


async def main() -> None:
    async with fresh_database("guest_search") as url:
        started = clock.perf_counter()
        restaurant, regular, guests = await seed(url)
        print(f"guest search: seeded {GUESTS} guests in {clock.perf_counter() - started:.0f} s")
        engine = create_engine(url)
        sessions = session_factory(engine)
        for kind, qs in queries(guests).items():
            timings: list[float] = []
            hits: list[int] = []
            for q in qs:

                async def search(session: AsyncSession, q: str = q) -> int:
                    _, total = await search_guests(
                        session, restaurant_id=restaurant, q=q, limit=20, offset=0
                    )
                    return total

                elapsed, total = await timed(sessions, search)
                timings.append(elapsed)
                hits.append(total)
            print(
                f"  {kind:13} {RUNS} queries: p50 {median(timings):6.1f} ms  "
                f"p99 {percentile(timings, 99):6.1f} ms  (matches: median {median(hits):.0f}, "
                f"max {max(hits)}; e.g. {qs[0]!r})"
            )
            print(f"  {'':13} plan for {qs[0]!r}: {await plan_of(sessions, restaurant, qs[0])}")

        profile_timings: list[float] = []
        for _ in range(RUNS):

            async def read(session: AsyncSession) -> int:
                view = await viewpoint(session, guest_id=regular, restaurant_id=restaurant)
                await get_profile(session, view=view)
                items, total = await history(session, view=view, limit=50, offset=0)
                assert len(items) == 50
                return total

            elapsed, total = await timed(sessions, read)
            profile_timings.append(elapsed)
        print(
            f"  profile + first history page of 50 ({total} reservations), {RUNS} reads: "
            f"p50 {median(profile_timings):.1f} ms  p99 {percentile(profile_timings, 99):.1f} ms"
        )
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
