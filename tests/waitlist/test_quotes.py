"""Walk-in quotes from a live timeline with seated parties and upcoming bookings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ReservationStatus, WaitlistStatus
from models.orm import Reservation, RestaurantTable, TableAllocation, WaitlistEntry
from models.schemas.waitlist import WaitQuote
from rules.table_fit import TableSpec
from rules.wait_quotes import Busy, earliest_fit
from services.waitlist.quotes import quote_wait
from tests.allocation.helpers import ZONE, Db, make_guest, make_reservation, make_restaurant

DAY = date(2031, 3, 5)
NOW = datetime(2031, 3, 5, 18, 0, tzinfo=UTC)  # 19:00 in Amsterdam


async def _occupy(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    table_id: uuid.UUID,
    starts: datetime,
    status: ReservationStatus,
    party_size: int = 2,
) -> None:
    rid = await make_reservation(
        session, restaurant_id=restaurant_id, guest_id=guest_id, party_size=party_size
    )
    reservation = await session.get(Reservation, rid)
    assert reservation is not None
    reservation.status = status
    reservation.starts_at, reservation.ends_at = starts, starts + timedelta(minutes=120)
    if status is ReservationStatus.SEATED:
        reservation.seated_at = starts
    session.add(
        TableAllocation(
            reservation_id=rid,
            restaurant_id=restaurant_id,
            table_id=table_id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=120),
            covers=party_size,
            status=AllocationStatus.BOOKED,
            created_at=starts,
        )
    )
    await session.flush()


async def _table_ids(session: AsyncSession, restaurant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The restaurant's table ids by table number."""
    rows = await session.scalars(
        select(RestaurantTable).where(RestaurantTable.restaurant_id == restaurant_id)
    )
    return {t.number: t.id for t in rows}


async def test_the_quote_waits_for_the_seated_party_not_the_booked_table(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=2, capacity=2)
        tables = await _table_ids(session, restaurant.id)
        guest = await make_guest(session)
        # table 1: a party seated an hour ago (120-minute turn: it leaves in an hour)
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["1"], starts=NOW - timedelta(minutes=60),
                      status=ReservationStatus.SEATED)  # fmt: skip
        # table 2: free now, but booked from half an hour on (too short for a 2-hour meal)
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["2"], starts=NOW + timedelta(minutes=30),
                      status=ReservationStatus.CONFIRMED)  # fmt: skip
        quote = await quote_wait(
            session, restaurant_id=restaurant.id, party_size=2, timezone=ZONE, now=NOW
        )
        assert quote.wait_minutes == 60
        assert quote.table_numbers == ["1"]
        assert quote.at == NOW + timedelta(minutes=60)
        # nobody fits a party of five on two-seat tables that cannot be combined
        none = await quote_wait(
            session, restaurant_id=restaurant.id, party_size=5, timezone=ZONE, now=NOW
        )
        assert none.wait_minutes is None


async def test_a_late_quote_looks_past_midnight_and_sees_the_next_days_bookings(db: Db) -> None:
    late = datetime(2031, 3, 5, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=2, capacity=2)
        tables = await _table_ids(session, restaurant.id)
        guest = await make_guest(session)
        # table 1: seated half an hour ago, leaves at 00:30 on the next calendar day
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["1"], starts=late - timedelta(minutes=30),
                      status=ReservationStatus.SEATED)  # fmt: skip
        # table 2: free now, but booked from 00:15 tomorrow (too soon for a 2-hour meal)
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["2"], starts=late + timedelta(minutes=75),
                      status=ReservationStatus.CONFIRMED)  # fmt: skip
        quote = await quote_wait(
            session, restaurant_id=restaurant.id, party_size=2, timezone=ZONE, now=late
        )
        assert quote.wait_minutes == 90
        assert quote.table_numbers == ["1"]


def test_an_overdue_party_is_taken_to_leave_now_and_a_combination_may_fit() -> None:
    now = datetime(2031, 3, 5, 18, 0, tzinfo=UTC)
    a = TableSpec("a", "1", 1, 2, combinable_with=frozenset({"b"}))
    b = TableSpec("b", "2", 1, 2, combinable_with=frozenset({"a"}))
    busy = {
        "a": [Busy(now - timedelta(minutes=150), now)],
        "b": [Busy(now, now + timedelta(minutes=45))],
    }
    fit = earliest_fit(
        party_size=4, tables=[a, b], busy=busy, turn_minutes=120, now=now,
        until=now + timedelta(hours=6),
    )  # fmt: skip
    assert fit is not None
    assert fit.at == now + timedelta(minutes=45)
    assert set(fit.option.table_ids) == {"a", "b"}
    assert earliest_fit(
        party_size=4, tables=[a, b], busy=busy, turn_minutes=120, now=now,
        until=now + timedelta(minutes=30),
    ) is None  # fmt: skip


async def test_parties_already_in_line_are_seated_first(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=2, capacity=2)
        tables = await _table_ids(session, restaurant.id)
        guest = await make_guest(session)
        # both tables seated: table 1 frees in an hour, table 2 in an hour and a half
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["1"], starts=NOW - timedelta(minutes=60),
                      status=ReservationStatus.SEATED)  # fmt: skip
        await _occupy(session, restaurant_id=restaurant.id, guest_id=guest.id,
                      table_id=tables["2"], starts=NOW - timedelta(minutes=30),
                      status=ReservationStatus.SEATED)  # fmt: skip

        async def quote() -> WaitQuote:
            return await quote_wait(
                session, restaurant_id=restaurant.id, party_size=2, timezone=ZONE, now=NOW
            )

        alone = await quote()
        assert (alone.wait_minutes, alone.table_numbers, alone.parties_ahead) == (60, ["1"], 0)

        def entry(kind: str, day: date, status: WaitlistStatus, minutes_ago: int) -> None:
            session.add(
                WaitlistEntry(
                    restaurant_id=restaurant.id, guest_id=guest.id, kind=kind, party_size=2,
                    desired_date=day, status=status,
                    created_at=NOW - timedelta(minutes=minutes_ago),
                )
            )  # fmt: skip

        # not in today's line: a future waitlist, yesterday's queue, a party that left
        entry("future", DAY, WaitlistStatus.WAITING, 20)
        entry("walk_in", DAY - timedelta(days=1), WaitlistStatus.WAITING, 20)
        entry("walk_in", DAY, WaitlistStatus.CANCELLED, 20)
        await session.flush()
        assert (await quote()).wait_minutes == 60
        # one party of two already waiting at the door gets table 1 first
        entry("walk_in", DAY, WaitlistStatus.WAITING, 10)
        await session.flush()
        behind = await quote()
        assert (behind.wait_minutes, behind.table_numbers, behind.parties_ahead) == (90, ["2"], 1)
        # a second one in line takes table 2: the new party waits until the first of
        # them has had its meal at table 1
        entry("walk_in", DAY, WaitlistStatus.WAITING, 5)
        await session.flush()
        third = await quote()
        assert third.parties_ahead == 2
        assert third.wait_minutes == 60 + 120 and third.table_numbers == ["1"]
