"""Concurrent matching, releases and accepts on PostgreSQL: no overlap, no entry with two offers.

Matching takes its holds through `allocation.hold_tables`, whose guards (the
restaurant-day lock, the exclusion constraint) have their negative control in
tests/allocation/test_races.py; here many matchers, declines and accepts race on
few tables and the end state is checked by SQL.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models.enums import ReservationSource, ReservationStatus, WaitlistStatus
from models.orm import Reservation, WaitlistEntry
from reservations.db import transaction
from services.errors import ConflictError
from services.waitlist import matching, offers
from tests.allocation.helpers import DAY, NOW, Db, make_guest, make_restaurant, overlapping_pairs
from tests.waitlist.helpers import book, cancel, join

TABLES = 4
ENTRIES = 24
ROUNDS = 40


@pytest.mark.long_running
async def test_concurrent_matches_releases_and_accepts_never_overlap(pg_db: Db) -> None:
    async with transaction(pg_db.sessions) as session:
        restaurant = await make_restaurant(session, tables=TABLES, capacity=2)
        rid = restaurant.id
        for i in range(ENTRIES):
            await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id, order=i)
    rng = random.Random(7)

    async def match() -> None:
        async with transaction(pg_db.sessions) as session:
            await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)

    async def answer() -> None:
        """Some guest with an open offer declines or accepts it (racing the matchers)."""
        async with transaction(pg_db.sessions) as session:
            open_ = list(
                await session.scalars(
                    select(WaitlistEntry).where(WaitlistEntry.status == WaitlistStatus.OFFERED)
                )
            )
        if not open_:
            return
        entry = rng.choice(open_)
        assert entry.offer_reservation_id is not None
        try:
            async with transaction(pg_db.sessions) as session:
                if rng.random() < 0.5:
                    await offers.accept_offer(
                        session,
                        entry_id=entry.id,
                        reservation_id=entry.offer_reservation_id,
                        now=NOW + timedelta(minutes=1),
                        hold_minutes=15,
                    )
                else:
                    await offers.release_offer(
                        session,
                        reservation_id=entry.offer_reservation_id,
                        reason="declined",
                        now=NOW,
                    )
                    await offers.record_status(
                        session, entry_id=entry.id, status=WaitlistStatus.CANCELLED, at=NOW
                    )
        except ConflictError:
            pass  # another task answered this offer first

    tasks = [match() if rng.random() < 0.6 else answer() for _ in range(ROUNDS)]
    await asyncio.gather(*tasks)
    await match()

    async with transaction(pg_db.sessions) as session:
        assert await overlapping_pairs(session) == 0
        per_entry: dict[uuid.UUID, int] = dict(
            (
                await session.execute(
                    select(WaitlistEntry.id, func.count(Reservation.id))
                    .join(Reservation, Reservation.guest_id == WaitlistEntry.guest_id)
                    .where(
                        Reservation.source == ReservationSource.WAITLIST,
                        Reservation.status.in_(
                            [ReservationStatus.HELD, ReservationStatus.CONFIRMED]
                        ),
                    )
                    .group_by(WaitlistEntry.id)
                )
            ).all()
        )
        assert per_entry and max(per_entry.values()) == 1
        # every table is either offered or booked: nothing free is left unoffered
        active = sum(per_entry.values())
        assert active == TABLES
        offered = await session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.OFFERED)
        )
        accepted = await session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.ACCEPTED)
        )
        assert (offered or 0) + (accepted or 0) == TABLES


async def test_a_table_freed_during_a_round_goes_to_the_first_in_line(
    pg_db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with transaction(pg_db.sessions) as session:
        restaurant = await make_restaurant(session, tables=1, capacity=2)
        rid = restaurant.id
        booked = await book(session, restaurant_id=rid, guest_id=(await make_guest(session)).id)
        first = await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id,
                           order=1)  # fmt: skip
        second = await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id,
                            order=2)  # fmt: skip

    async def cancelled() -> None:
        async with transaction(pg_db.sessions) as session:
            await cancel(session, booked)

    judged = matching._try_offer
    freeing: list[asyncio.Task[None]] = []

    async def judge_then_free(session: Any, **kwargs: Any) -> Any:
        """The first entry is judged (nothing is free); then a guest cancels, mid-round."""
        offer = await judged(session, **kwargs)
        if not freeing:
            freeing.append(asyncio.create_task(cancelled()))
            # the cancel waits for the round's lock; without it, it commits at once
            await asyncio.wait([freeing[0]], timeout=1.0)
        return offer

    monkeypatch.setattr(matching, "_try_offer", judge_then_free)
    async with transaction(pg_db.sessions) as session:
        made = await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)
    assert made == []  # the later entry did not take the table freed after the first was judged
    await freeing[0]
    monkeypatch.setattr(matching, "_try_offer", judged)
    async with transaction(pg_db.sessions) as session:
        made = await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)
    assert [m.entry_id for m in made] == [first.id]
    async with transaction(pg_db.sessions) as session:
        later = await session.get(WaitlistEntry, second.id)
        assert later is not None and later.status is WaitlistStatus.WAITING
