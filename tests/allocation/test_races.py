"""Races: 200 concurrent holds for one slot, with a negative control on PostgreSQL.

Every attempt runs in its own session, connection and transaction.  PostgreSQL here
allows 100 connections, so at most 40 attempts are in flight at once; the rest queue
for a pooled connection and race the ones still running.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.schemas.booking import HoldOutcome
from services import allocation
from tests.allocation.helpers import (
    NOW,
    Db,
    make_guest,
    make_reservation,
    make_restaurant,
    overlapping_pairs,
    request,
)

# each race opens a 40-connection pool (PostgreSQL allows 100, shared): under
# pytest-xdist these run on one worker, one at a time
pytestmark = pytest.mark.xdist_group("pg_race_pools")

ATTEMPTS = 200
TABLES = 20
UNGUARDED = 60
CONSTRAINT_SQL = (
    "ALTER TABLE table_allocations ADD CONSTRAINT ex_table_allocations_no_overlap "
    "EXCLUDE USING gist (table_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status IN ('held', 'booked'))"
)


async def _prepare(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    async with sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=TABLES, capacity=2)
        guest = await make_guest(session)
        reservations = [
            await make_reservation(session, restaurant_id=restaurant.id, guest_id=guest.id)
            for _ in range(ATTEMPTS)
        ]
    return restaurant.id, guest.id, reservations


async def _race(
    sessions: async_sessionmaker[AsyncSession],
    rid: uuid.UUID,
    gid: uuid.UUID,
    reservations: list[uuid.UUID],
    *,
    lock: bool = True,
) -> list[HoldOutcome]:
    async def attempt(res_id: uuid.UUID) -> HoldOutcome:
        async with sessions() as session, session.begin():
            return await allocation.hold_tables(
                session, request=request(res_id, rid, gid), now=NOW, lock=lock
            )

    return list(await asyncio.gather(*(attempt(r) for r in reservations)))


async def _overlaps(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await overlapping_pairs(session)


def _check_guarded(outcomes: list[HoldOutcome]) -> None:
    held = [o for o in outcomes if o.held]
    refused = [o for o in outcomes if not o.held]
    assert len(held) == TABLES
    assert len({o.table_ids[0] for o in held}) == TABLES
    assert all(o.reason == "no_table_fits" and o.alternatives for o in refused)


async def test_200_concurrent_holds_on_postgres(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    rid, gid, reservations = await _prepare(pg_sessions)
    outcomes = await _race(pg_sessions, rid, gid, reservations)
    _check_guarded(outcomes)
    assert await _overlaps(pg_sessions) == 0


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_200_concurrent_holds_on_sqlite(db: Db) -> None:
    rid, gid, reservations = await _prepare(db.sessions)
    outcomes = await _race(db.sessions, rid, gid, reservations)
    _check_guarded(outcomes)
    assert await _overlaps(db.sessions) == 0


async def test_negative_control_on_postgres(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    rid, gid, reservations = await _prepare(pg_sessions)

    # 1. no guard at all: no exclusion constraint and no advisory lock -> overlaps appear
    async with pg_sessions() as session, session.begin():
        await session.execute(
            text("ALTER TABLE table_allocations DROP CONSTRAINT ex_table_allocations_no_overlap")
        )
    # the unguarded phases race fewer attempts: without the lock, conflicts queue on the
    # constraint one commit at a time, and 200 of them can outwait the pool on a busy box
    unguarded = await _race(pg_sessions, rid, gid, reservations[:UNGUARDED], lock=False)
    assert sum(o.held for o in unguarded) > TABLES
    assert await _overlaps(pg_sessions) > 0

    async with pg_sessions() as session, session.begin():
        await session.execute(text("DELETE FROM table_allocations"))
        await session.execute(text(CONSTRAINT_SQL))

    # 2. the database guard alone (still no lock): never an overlap, some lose to conflicts
    constraint_only = await _race(pg_sessions, rid, gid, reservations[:UNGUARDED], lock=False)
    assert 0 < sum(o.held for o in constraint_only) <= TABLES
    assert await _overlaps(pg_sessions) == 0
    assert all(o.alternatives for o in constraint_only if not o.held)

    async with pg_sessions() as session, session.begin():
        await session.execute(text("DELETE FROM table_allocations"))

    # 3. both guards: exactly one hold per table, everyone else gets alternatives
    _check_guarded(await _race(pg_sessions, rid, gid, reservations))
    assert await _overlaps(pg_sessions) == 0
