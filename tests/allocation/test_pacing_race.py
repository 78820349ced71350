"""Pacing under concurrency on PostgreSQL, with a negative control.

Pacing (a restaurant's per-slot cover limit) has no database constraint behind it:
only the advisory lock of ``services.allocation`` (per restaurant and service day)
makes the read-count-write of a hold exact.  Here 20 tables of two could seat 40
covers in one slot, the pacing limit is 10, and 60 holds for that slot race at once,
each in its own session, connection and transaction.

Two hold paths race:

* guests, where the engine picks the table (so most racers also contend for the
  same first free table, and the exclusion constraint sorts some of them out);
* staff pinning a different table each (20 racers, one per table), so no two
  racers ever want one table and only pacing stands between them and the limit.

The negative control runs the pinned path with ``lock=False`` (the documented
switch of ``hold_tables`` for race tests): the limit is overrun, which shows the
race is real and that the guarded runs are not passing by luck of timing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.orm import RestaurantTable
from models.schemas.booking import HoldOutcome
from services import allocation
from tests.allocation.helpers import (
    NOW,
    make_guest,
    make_reservation,
    make_restaurant,
    overlapping_pairs,
    request,
)

# each race opens a 40-connection pool (PostgreSQL allows 100, shared): under
# pytest-xdist these run on one worker, one at a time
pytestmark = pytest.mark.xdist_group("pg_race_pools")

ATTEMPTS = 60
TABLES = 20
PARTY = 2
LIMIT = 10  # covers per pacing window: five parties of two, where the tables seat 20
PACED = "pacing_limit_reached"

Sessions = async_sessionmaker[AsyncSession]

COVERS_SQL = text(
    "SELECT coalesce(sum(covers), 0) FROM table_allocations WHERE status IN ('held', 'booked')"
)


async def _prepare(sessions: Sessions) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    async with sessions() as session, session.begin():
        restaurant = await make_restaurant(
            session, tables=TABLES, capacity=PARTY, settings={"pacing_max_covers": LIMIT}
        )
        guest = await make_guest(session)
        reservations = [
            await make_reservation(
                session, restaurant_id=restaurant.id, guest_id=guest.id, party_size=PARTY
            )
            for _ in range(ATTEMPTS)
        ]
    return restaurant.id, guest.id, reservations


async def _table_ids(sessions: Sessions, rid: uuid.UUID) -> list[uuid.UUID]:
    async with sessions() as session:
        rows = await session.scalars(
            select(RestaurantTable.id).where(RestaurantTable.restaurant_id == rid)
        )
        return list(rows)


async def _race(
    sessions: Sessions,
    rid: uuid.UUID,
    gid: uuid.UUID,
    reservations: Sequence[uuid.UUID],
    *,
    pinned: Sequence[uuid.UUID] | None = None,
    lock: bool = True,
) -> list[HoldOutcome]:
    """Every reservation asks for the one slot at once; `pinned` gives each its own table."""
    if pinned is not None:
        reservations = reservations[: len(pinned)]  # one racer per table, no table shared

    async def attempt(i: int, res_id: uuid.UUID) -> HoldOutcome:
        extra: dict[str, Any] = {}
        if pinned is not None:
            extra = {"staff": True, "table_ids": [pinned[i]]}
        async with sessions() as session, session.begin():
            return await allocation.hold_tables(
                session,
                request=request(res_id, rid, gid, party_size=PARTY, **extra),
                now=NOW,
                lock=lock,
            )

    return list(await asyncio.gather(*(attempt(i, r) for i, r in enumerate(reservations))))


async def _covers(sessions: Sessions) -> int:
    async with sessions() as session:
        return int((await session.execute(COVERS_SQL)).scalar_one())


async def _clear(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text("DELETE FROM table_allocations"))


async def _check_guarded(sessions: Sessions, outcomes: list[HoldOutcome]) -> None:
    held = [o for o in outcomes if o.held]
    refused = [o for o in outcomes if not o.held]
    # serialized by the lock, the first five fill the window and everyone after sees it full
    assert len(held) == LIMIT // PARTY, [o.reason for o in refused]
    assert all(o.reason == PACED for o in refused), {o.reason for o in refused}
    assert all(o.alternatives for o in refused)
    assert await _covers(sessions) == LIMIT
    async with sessions() as session:
        assert await overlapping_pairs(session) == 0


@pytest.mark.parametrize("path", ["guest", "pinned"])
async def test_concurrent_holds_never_exceed_the_pacing_limit(
    pg_sessions: Sessions, path: str
) -> None:
    rid, gid, reservations = await _prepare(pg_sessions)
    pinned = await _table_ids(pg_sessions, rid) if path == "pinned" else None
    assert len(reservations) * PARTY > TABLES * PARTY > LIMIT  # demand > seats > limit
    outcomes = await _race(pg_sessions, rid, gid, reservations, pinned=pinned)
    await _check_guarded(pg_sessions, outcomes)


async def test_pacing_negative_control_on_postgres(pg_sessions: Sessions) -> None:
    rid, gid, reservations = await _prepare(pg_sessions)
    pinned = await _table_ids(pg_sessions, rid)

    # 1. without the advisory lock, racers all count the window before any commits,
    #    each on its own table: the exclusion constraint has nothing to refuse, and
    #    the cover limit is overrun (up to every table in the room)
    unguarded = await _race(pg_sessions, rid, gid, reservations, pinned=pinned, lock=False)
    covers = await _covers(pg_sessions)
    assert covers > LIMIT, f"no overrun without the lock: {covers} covers"
    assert sum(o.held for o in unguarded) * PARTY == covers
    async with pg_sessions() as session:
        assert await overlapping_pairs(session) == 0  # tables stayed exclusive: only pacing broke

    await _clear(pg_sessions)

    # 2. the same racers through the same path with the lock: exactly the limit
    guarded = await _race(pg_sessions, rid, gid, reservations, pinned=pinned)
    await _check_guarded(pg_sessions, guarded)
