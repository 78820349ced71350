"""Measured turn times suggest a table; accepting it changes the restaurant's settings
through the settings' own path, so cached availability sees the new times at once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models.enums import AllocationStatus, StaffRole
from models.enums import ReservationStatus as S
from models.orm import Guest, Reservation, RestaurantTable, TableAllocation
from tests.analytics.helpers import BASE, get
from tests.analytics.history import TZ, History, a_booking, a_restaurant, local, write
from tests.conftest import Api

ROOT = "/api/v1/reservations"


async def _book_the_only_table(api: Api, rid: uuid.UUID, day: date, at: time) -> None:
    """A confirmed party of two on the restaurant's only table, 120 minutes from `at`."""
    async with api.db.sessions() as session:
        guest = Guest(email=f"t-{uuid.uuid4().hex[:8]}@example.com", first_name="T")
        session.add(guest)
        table_id = await session.scalar(
            select(RestaurantTable.id).where(RestaurantTable.restaurant_id == rid)
        )
        await session.flush()
        starts = local(day, at)
        reservation = Reservation(
            reference=f"RES-{uuid.uuid4().hex[:16]}",
            restaurant_id=rid,
            guest_id=guest.id,
            party_size=2,
            reservation_date=day,
            reservation_time=at,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=120),
            duration_minutes=120,
            status=S.CONFIRMED,
            currency="EUR",
        )
        session.add(reservation)
        await session.flush()
        session.add(
            TableAllocation(
                reservation_id=reservation.id,
                restaurant_id=rid,
                table_id=table_id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=120),
                covers=2,
                status=AllocationStatus.BOOKED,
                created_at=datetime.now(UTC),
            )
        )
        await session.commit()


async def test_accepting_suggested_turn_times_reaches_availability(api: Api) -> None:
    dinner = (("dinner", range(7), time(18), time(23)),)
    rid = await a_restaurant(api.db, tables=(2,), services=dinner)
    # last month: parties of two stayed 38 minutes (planned 120), parties of six 80
    past = datetime.now(ZoneInfo(TZ)).date() - timedelta(days=30)
    visits = [a_booking(past + timedelta(days=i), time(19), turn_minutes=38) for i in range(5)]
    visits += [
        a_booking(past + timedelta(days=i), time(19), party=6, turn_minutes=80) for i in range(4)
    ]
    await write(api.db, History(0, visits, [], []), into=rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    window = {"date_from": past.isoformat(), "date_to": (past + timedelta(days=10)).isoformat()}

    found = await get(api, rid, "turn-times", manager, past, past + timedelta(days=10))
    sizes = {r["party_size"]: r for r in found["by_party_size"]}
    assert sizes[2]["completed"] == 5 and sizes[2]["actual_minutes"] == 38.0
    assert sizes[2]["planned_minutes"] == 120.0 and sizes[2]["difference_minutes"] == -82.0
    # the sixes have only 4 visits, fewer than the 5 a suggestion needs
    assert found["suggested"] == [{"min_party_size": 2, "minutes": 40}]
    assert found["current"] == []

    # a booking at 20:00 on the only table: with 120 minutes, no two can sit at 18:30
    day = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=7)
    await _book_the_only_table(api, rid, day, time(20))
    url = f"{ROOT}/restaurants/{rid}/availability"

    async def free_before_eight() -> int:
        r = await api.client.get(url, params={"date": day.isoformat(), "party_size": 2})
        assert r.status_code == 200, r.text
        return sum(1 for s in r.json()["slots"] if s["available"] and s["time"] < "20:00")

    assert await free_before_eight() == 1  # 18:00 only; and the answer is now cached

    r = await api.client.put(f"{BASE}/{rid}/turn-times", json=window, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["turn_times"] == [{"min_party_size": 2, "minutes": 40}]
    settings = await api.client.get(f"{ROOT}/restaurants/{rid}/settings", headers=manager)
    assert settings.json()["turn_times"] == [{"min_party_size": 2, "minutes": 40}]
    assert settings.json()["default_seating_minutes"] == 120  # the rest is kept
    # 40 minutes: 18:00 .. 19:15 all end by 20:00
    assert await free_before_eight() == 6
