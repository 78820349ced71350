"""Booking references handed out a block at a time stay unique across workers."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from models.orm import ReferenceCounter
from rules.references import parse_reference
from services.references import ReferenceBlocks
from tests.allocation.helpers import Db


async def test_a_worker_takes_the_counter_once_per_block(db: Db) -> None:
    blocks = ReferenceBlocks(db.sessions, block=4)
    first = [await blocks.next(2031) for _ in range(5)]
    assert first == [f"RES-2031-00000{n}" for n in range(1, 6)]
    async with db.sessions() as session:
        taken = await session.scalar(
            select(ReferenceCounter.last_number).where(ReferenceCounter.year == 2031)
        )
    assert taken == 8  # two blocks of 4 for five references
    assert await blocks.next(2032) == "RES-2032-000001"  # each year counts on its own


async def test_concurrent_workers_never_hand_out_a_number_twice(db: Db) -> None:
    workers = [ReferenceBlocks(db.sessions, block=3) for _ in range(3)]

    async def book(worker: ReferenceBlocks) -> str:
        return await worker.next(2031)

    if db.kind == "postgres":
        handed = await asyncio.gather(*(book(workers[i % 3]) for i in range(60)))
    else:  # SQLite serialises writers: the same calls, one after the other
        handed = [await book(workers[i % 3]) for i in range(60)]
    assert len(set(handed)) == 60
    numbers = sorted(parse_reference(reference)[1] for reference in handed)
    async with db.sessions() as session:
        taken = await session.scalar(
            select(ReferenceCounter.last_number).where(ReferenceCounter.year == 2031)
        )
    assert taken is not None
    # every number handed out came from the counter, and a crowd refills once at a
    # time: each worker leaves less than one block unused
    assert numbers[-1] <= taken
    assert taken - len(handed) < 3 * len(workers)
