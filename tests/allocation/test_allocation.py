"""Holding, confirming, releasing, moving and reassigning tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.enums import AllocationStatus
from models.orm import TableAllocation
from models.schemas.booking import HoldOutcome
from models.schemas.restaurant import SpecialDayIn
from services import allocation
from services.availability import day_slots
from services.errors import ConflictError, InvalidError
from services.restaurants import add_special_day
from tests.allocation.helpers import (
    DAY,
    DINNER,
    NOW,
    Db,
    make_guest,
    make_reservation,
    make_restaurant,
    overlapping_pairs,
    request,
)


async def _statuses(db: Db, reservation_id: uuid.UUID) -> list[AllocationStatus]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(TableAllocation.status).where(TableAllocation.reservation_id == reservation_id)
        )
        return sorted(rows)


async def _setup(db: Db, **kw: Any) -> tuple[uuid.UUID, uuid.UUID]:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, **kw)
        guest = await make_guest(session)
    return restaurant.id, guest.id


async def _hold(
    db: Db,
    rid: uuid.UUID,
    gid: uuid.UUID,
    *,
    now: datetime = NOW,
    party_size: int = 2,
    day: date = DAY,
    at: time = DINNER,
    **kw: Any,
) -> HoldOutcome:
    async with db.sessions() as session, session.begin():
        res_id = await make_reservation(
            session, restaurant_id=rid, guest_id=gid, party_size=party_size, day=day, at=at
        )
        req = request(res_id, rid, gid, party_size=party_size, day=day, at=at, **kw)
        return await allocation.hold_tables(session, request=req, now=now)


async def test_hold_confirm_release(db: Db) -> None:
    rid, gid = await _setup(db, tables=1)
    held = await _hold(db, rid, gid)
    assert held.held and held.table_numbers == ["1"]
    assert held.hold_expires_at == NOW + timedelta(minutes=15)
    assert held.reference and held.reference.startswith("RES-")
    assert held.starts_at is not None and held.starts_at.hour == 18  # 19:00 CET
    assert await _statuses(db, held.reservation_id) == [AllocationStatus.HELD]

    second = await _hold(db, rid, gid)
    assert not second.held and second.reason == "no_table_fits"
    assert second.alternatives, "a full slot offers alternatives"
    for alt in second.alternatives:
        assert not (alt.date == DAY and alt.time == DINNER)

    async with db.sessions() as session, session.begin():
        assert await allocation.confirm_allocations(
            session, reservation_id=held.reservation_id, now=NOW + timedelta(minutes=5)
        )
        # confirming again is a no-op that still answers True
        assert await allocation.confirm_allocations(
            session, reservation_id=held.reservation_id, now=NOW + timedelta(minutes=6)
        )
    assert await _statuses(db, held.reservation_id) == [AllocationStatus.BOOKED]

    async with db.sessions() as session, session.begin():
        assert (
            await allocation.release_allocations(
                session, reservation_id=held.reservation_id, now=NOW
            )
            == 1
        )
        assert (
            await allocation.release_allocations(
                session, reservation_id=held.reservation_id, now=NOW
            )
            == 0
        )
    assert (await _hold(db, rid, gid)).held  # the table is free again


async def test_expired_hold_frees_the_table_without_any_release_job(db: Db) -> None:
    rid, gid = await _setup(db, tables=1)
    first = await _hold(db, rid, gid)
    assert first.held
    async with db.sessions() as session:
        slots = await day_slots(session, restaurant_id=rid, day=DAY, party_size=2,
                                now=NOW + timedelta(minutes=1))  # fmt: skip
        at_dinner = next(s for s in slots if s.local_time.time() == DINNER)
        assert not at_dinner.available
        slots = await day_slots(session, restaurant_id=rid, day=DAY, party_size=2,
                                now=NOW + timedelta(minutes=15))  # fmt: skip
        assert next(s for s in slots if s.local_time.time() == DINNER).available
    later = NOW + timedelta(minutes=16)
    second = await _hold(db, rid, gid, now=later)
    assert second.held and second.table_numbers == ["1"]
    assert await _statuses(db, first.reservation_id) == [AllocationStatus.RELEASED]
    async with db.sessions() as session, session.begin():
        assert not await allocation.confirm_allocations(
            session, reservation_id=first.reservation_id, now=later
        )
        assert await overlapping_pairs(session) == 0


async def test_confirm_after_expiry_fails_even_if_nobody_took_the_table(db: Db) -> None:
    rid, gid = await _setup(db, tables=1)
    first = await _hold(db, rid, gid)
    async with db.sessions() as session, session.begin():
        assert not await allocation.confirm_allocations(
            session, reservation_id=first.reservation_id, now=NOW + timedelta(minutes=15)
        )
    assert await _statuses(db, first.reservation_id) == [AllocationStatus.RELEASED]


async def test_pacing_limit_is_enforced(db: Db) -> None:
    rid, gid = await _setup(db, tables=10, settings={"pacing_max_covers": 4})
    assert (await _hold(db, rid, gid)).held
    assert (await _hold(db, rid, gid)).held
    third = await _hold(db, rid, gid)
    assert not third.held and third.reason == "pacing_limit_reached"
    assert third.alternatives
    assert all(alt.time != DINNER or alt.date != DAY for alt in third.alternatives)
    assert (await _hold(db, rid, gid, at=time(19, 15))).held  # the next window is free


async def test_hold_is_idempotent_for_one_reservation(db: Db) -> None:
    rid, gid = await _setup(db, tables=3)
    async with db.sessions() as session, session.begin():
        res_id = await make_reservation(session, restaurant_id=rid, guest_id=gid)
        first = await allocation.hold_tables(session, request=request(res_id, rid, gid), now=NOW)
        again = await allocation.hold_tables(session, request=request(res_id, rid, gid), now=NOW)
    assert first.held and again.held
    assert again.table_ids == first.table_ids
    assert len(await _statuses(db, res_id)) == 1


async def test_a_booking_with_nothing_to_wait_for_is_booked_in_one_step(db: Db) -> None:
    rid, gid = await _setup(db, tables=1)
    async with db.sessions() as session, session.begin():
        res_id = await make_reservation(session, restaurant_id=rid, guest_id=gid)
        req = request(res_id, rid, gid)
        booked = await allocation.hold_tables(session, request=req, now=NOW, booked=True)
        again = await allocation.hold_tables(session, request=req, now=NOW, booked=True)
    assert booked.held and booked.hold_expires_at is None
    assert again.table_ids == booked.table_ids  # a retried activity finds its tables
    assert await _statuses(db, res_id) == [AllocationStatus.BOOKED]
    # booked, not held: long after a hold would have expired, the table is still taken
    later = await _hold(db, rid, gid, now=NOW + timedelta(hours=1))
    assert not later.held


async def test_closed_special_day_and_staff_pinned_tables(db: Db) -> None:
    rid, gid = await _setup(db, tables=3)
    async with db.sessions() as session, session.begin():
        await add_special_day(
            session,
            restaurant_id=rid,
            data=SpecialDayIn(starts_on=DAY + timedelta(days=1), kind="closed"),
        )
    closed = await _hold(db, rid, gid, day=DAY + timedelta(days=1))
    assert not closed.held and closed.reason == "special_day_closed"
    assert [a.date for a in closed.alternatives] == [DAY + timedelta(days=i) for i in (2, 3, 4)]

    async with db.sessions() as session:
        tables = await session.scalars(
            select(TableAllocation.table_id)  # no rows yet; fetch table ids via the floor service
        )
        assert list(tables) == []
    from services.floor import list_tables

    async with db.sessions() as session:
        rows, _ = await list_tables(session, restaurant_id=rid, limit=10, offset=0)
    by_number = {t.number: t.id for t in rows}
    with pytest.raises(InvalidError):
        await _hold(db, rid, gid, table_ids=[by_number["3"]])  # guests cannot pin
    pinned = await _hold(db, rid, gid, staff=True, party_size=4,
                         table_ids=[by_number["2"], by_number["3"]])  # fmt: skip
    assert pinned.held and pinned.table_numbers == ["2", "3"]
    with pytest.raises(InvalidError):
        await _hold(db, rid, gid, staff=True, party_size=4, table_ids=[by_number["1"]])
    taken = await _hold(db, rid, gid, staff=True, table_ids=[by_number["3"]])
    assert not taken.held and taken.reason == "no_table_fits"
    # staff may book inside the minimum notice; guests may not
    soon = NOW.replace(hour=17, minute=30)
    assert (await _hold(db, rid, gid, day=date(2031, 3, 3), at=time(19, 0), now=soon)).reason == (
        "too_short_notice"
    )
    assert (await _hold(db, rid, gid, day=date(2031, 3, 3), at=time(19, 0), now=soon,
                        staff=True)).held  # fmt: skip


async def test_move_keeps_status_and_changes_nothing_when_full(db: Db) -> None:
    rid, gid = await _setup(db, tables=1)
    first = await _hold(db, rid, gid)
    blocker = await _hold(db, rid, gid, at=time(21, 0))
    assert first.held and blocker.held
    async with db.sessions() as session, session.begin():
        # 19:30 overlaps its own 19:00 stay, which must not count against it
        moved = await allocation.move_allocations(
            session, reservation_id=first.reservation_id, day=DAY, local_time=time(19, 0),
            party_size=2, seating_area=None, staff=False, now=NOW + timedelta(minutes=1),
        )  # fmt: skip
        assert moved.held and moved.hold_expires_at == first.hold_expires_at
        refused = await allocation.move_allocations(
            session, reservation_id=first.reservation_id, day=DAY, local_time=time(20, 0),
            party_size=2, seating_area=None, staff=False, now=NOW + timedelta(minutes=1),
        )  # fmt: skip
        assert not refused.held and refused.reason == "no_table_fits" and refused.alternatives
        assert await overlapping_pairs(session) == 0
    assert AllocationStatus.HELD in await _statuses(db, first.reservation_id)

    async with db.sessions() as session, session.begin():
        assert await allocation.confirm_allocations(
            session, reservation_id=first.reservation_id, now=NOW
        )
        moved = await allocation.move_allocations(
            session, reservation_id=first.reservation_id, day=DAY + timedelta(days=1),
            local_time=time(20, 0), party_size=2, seating_area=None, staff=False, now=NOW,
        )  # fmt: skip
        assert moved.held and moved.hold_expires_at is None
    statuses = await _statuses(db, first.reservation_id)
    assert statuses.count(AllocationStatus.BOOKED) == 1
    # the old slot is free again
    assert (await _hold(db, rid, gid)).held


async def test_assign_tables(db: Db) -> None:
    rid, gid = await _setup(db, tables=3, capacity=4)
    first = await _hold(db, rid, gid, party_size=3)
    other = await _hold(db, rid, gid, party_size=3)
    assert first.held and other.held and first.table_ids != other.table_ids
    free = next(t for t in ("1", "2", "3") if t not in first.table_numbers + other.table_numbers)
    from services.floor import list_tables

    async with db.sessions() as session:
        rows, _ = await list_tables(session, restaurant_id=rid, limit=10, offset=0)
    by_number = {t.number: t.id for t in rows}
    async with db.sessions() as session, session.begin():
        busy = await allocation.assign_tables(
            session, reservation_id=first.reservation_id,
            table_ids=[other.table_ids[0]], now=NOW,
        )  # fmt: skip
        assert not busy.held and busy.reason == "no_table_fits"
        moved = await allocation.assign_tables(
            session, reservation_id=first.reservation_id, table_ids=[by_number[free]], now=NOW
        )
        assert moved.held and moved.table_numbers == [free]
        assert moved.starts_at == first.starts_at
        with pytest.raises(InvalidError):
            await allocation.assign_tables(
                session, reservation_id=first.reservation_id, table_ids=[], now=NOW
            )
        assert await overlapping_pairs(session) == 0
    async with db.sessions() as session, session.begin():
        await allocation.release_allocations(session, reservation_id=first.reservation_id, now=NOW)
        with pytest.raises(ConflictError):
            await allocation.assign_tables(
                session, reservation_id=first.reservation_id, table_ids=[by_number[free]], now=NOW
            )


async def test_next_reference_is_unique_under_concurrency(db: Db) -> None:
    async def one() -> str:
        async with db.sessions() as session, session.begin():
            return await allocation.next_reference(session, year=2031)

    refs = await asyncio.gather(*(one() for _ in range(25)))
    assert sorted(refs) == [f"RES-2031-{n:06d}" for n in range(1, 26)]


async def test_a_time_change_keeps_the_table_staff_assigned_when_it_still_fits(db: Db) -> None:
    rid, gid = await _setup(db, tables=3, capacity=4)
    booking = await _hold(db, rid, gid, party_size=2)
    from services.floor import list_tables

    async with db.sessions() as session:
        rows, _ = await list_tables(session, restaurant_id=rid, limit=10, offset=0)
    by_number = {t.number: t.id for t in rows}
    chosen = next(n for n in ("3", "2", "1") if n not in booking.table_numbers)
    async with db.sessions() as session, session.begin():
        assigned = await allocation.assign_tables(
            session, reservation_id=booking.reservation_id, table_ids=[by_number[chosen]], now=NOW
        )
        assert assigned.table_numbers == [chosen]

    async def move(at: time, keep: bool) -> HoldOutcome:
        async with db.sessions() as session, session.begin():
            return await allocation.move_allocations(
                session, reservation_id=booking.reservation_id, day=DAY, local_time=at,
                party_size=2, seating_area=None, staff=False, now=NOW, keep_tables=keep,
            )  # fmt: skip

    # without keeping, the engine picks its own first fit (a negative control)
    assert (await move(time(20, 0), keep=False)).table_numbers != [chosen]
    await move(time(19, 0), keep=True)  # back on an engine-chosen table...
    async with db.sessions() as session, session.begin():
        await allocation.assign_tables(
            session, reservation_id=booking.reservation_id, table_ids=[by_number[chosen]], now=NOW
        )
    # ...and the staff's table stays when only the time changes
    assert (await move(time(20, 0), keep=True)).table_numbers == [chosen]
    # the table is taken at the new time: the engine's choice, not a refusal
    taken = await _hold(
        db, rid, gid, party_size=4, at=time(17, 30), table_ids=[by_number[chosen]], staff=True
    )
    assert taken.held and taken.table_numbers == [chosen]
    moved = await move(time(17, 30), keep=True)
    assert moved.held and moved.table_numbers != [chosen]
    async with db.sessions() as session:
        assert await overlapping_pairs(session) == 0
