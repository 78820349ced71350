"""A hold's rows go in whole or not at all when the no-overlap constraint refuses one.

The engine chooses tables from what it read; the database's exclusion constraint
(PostgreSQL) is the last guard, e.g. against a row of the previous service day's
overnight slot, which the day's lock does not cover.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.enums import AllocationStatus
from models.orm import RestaurantTable, TableAllocation
from services.allocation import _insert_rows
from tests.allocation.helpers import DAY, NOW, Db, make_guest, make_reservation, make_restaurant

START = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=18)


async def test_a_combination_with_one_taken_table_holds_none_of_it(pg_db: Db) -> None:
    async with pg_db.sessions.begin() as session:
        restaurant = await make_restaurant(session, tables=2)
        guest = await make_guest(session)
        first = await make_reservation(session, restaurant_id=restaurant.id, guest_id=guest.id)
        second = await make_reservation(session, restaurant_id=restaurant.id, guest_id=guest.id)
        tables = [
            str(t)
            for t in await session.scalars(
                select(RestaurantTable.id)
                .where(RestaurantTable.restaurant_id == restaurant.id)
                .order_by(RestaurantTable.number)
            )
        ]

    async def hold(reservation_id: uuid.UUID, table_ids: list[str], minutes: int) -> bool:
        async with pg_db.sessions.begin() as session:
            return await _insert_rows(
                session,
                reservation_id=reservation_id,
                restaurant_id=restaurant.id,
                table_ids=table_ids,
                starts_at=START,
                ends_at=START + timedelta(minutes=minutes),
                party_size=4,
                status=AllocationStatus.HELD,
                hold_expires_at=NOW + timedelta(minutes=15),
                now=NOW,
            )

    assert await hold(first, [tables[1]], 90)
    # the second table overlaps the first hold: neither table is held for the party
    assert not await hold(second, tables, 60)
    async with pg_db.sessions() as session:
        held = list(
            await session.scalars(
                select(TableAllocation.reservation_id).where(
                    TableAllocation.status == AllocationStatus.HELD
                )
            )
        )
    assert held == [first]
    # with both tables free later on, the same combination goes in whole
    async with pg_db.sessions.begin() as session:
        whole = await _insert_rows(
            session,
            reservation_id=second,
            restaurant_id=restaurant.id,
            table_ids=tables,
            starts_at=START + timedelta(hours=2),
            ends_at=START + timedelta(hours=3),
            party_size=4,
            status=AllocationStatus.HELD,
            hold_expires_at=NOW + timedelta(minutes=15),
            now=NOW,
        )
    assert whole
