"""A hold reads the restaurant's static inputs once, and reading them once changes no answer.

The hold's transaction used to read the hours three times (the slot-grid check, the
service day, the engine) and the floor twice; now one read serves all three.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import Counter
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import event

from models.enums import SpecialDayKind
from models.orm import Reservation, ServicePeriod, SpecialDay
from models.schemas.lifecycle import ReservationInput
from services import booking
from services.availability import (
    check_requested_time,
    service_day_in,
    service_day_of,
    static_of_restaurant,
)
from services.errors import InvalidError
from tests.allocation.helpers import DAY, NOW, Db, make_guest, make_restaurant, request

STATIC_TABLES = (
    "restaurants",
    "service_periods",
    "special_days",
    "party_size_overrides",
    "restaurant_tables",
)


async def test_a_hold_reads_each_static_input_once(db: Db) -> None:
    async with db.sessions.begin() as session:
        restaurant = await make_restaurant(session, tables=4)
        guest = await make_guest(session)
    reads: Counter[str] = Counter()
    updates: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            for table in set(re.findall(r"\bFROM (\w+)", statement)):
                reads[table] += 1
        if found := re.match(r"\s*UPDATE (\w+)", statement):
            updates[found[1]] += 1

    inp = ReservationInput(booking=request(uuid.uuid4(), restaurant.id, guest.id))
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.sessions.begin() as session:
            facts = await booking.create_held_reservation(
                session, inp=inp, reference="RES-2031-000001", now=NOW, reminder_hours=24
            )
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert facts.hold.held
    assert {table: reads[table] for table in STATIC_TABLES} == dict.fromkeys(STATIC_TABLES, 1)
    # the reservation row goes in with the hold's expiry and the cancellation deadline
    assert updates["reservations"] == 0
    async with db.sessions() as session:
        row = await session.get(Reservation, inp.booking.reservation_id)
    assert row is not None and row.hold_expires_at is None  # confirmed: nothing held
    assert row.cancellation_deadline_at == row.starts_at - timedelta(
        hours=restaurant.cancellation_deadline_hours
    )


async def test_the_time_checks_from_one_read_agree_with_their_own_reads(db: Db) -> None:
    """Grid, past-date and service-day answers are those of the reads they replace.

    Tuesdays have a late service on a grid of their own that runs past midnight, and
    one Thursday has custom hours: slots that are on the grid only on some days.
    """
    async with db.sessions.begin() as session:
        restaurant = await make_restaurant(session, tables=2)
        session.add(
            ServicePeriod(
                restaurant_id=restaurant.id, weekday=1, name="late",
                opens_at=time(22, 10), closes_at=time(1, 40), last_seating_at=time(1, 10),
            )
        )  # fmt: skip
        thursday = DAY + timedelta(days=1)
        session.add(
            SpecialDay(
                restaurant_id=restaurant.id, starts_on=thursday, ends_on=thursday,
                kind=SpecialDayKind.CUSTOM_HOURS,
                custom_services=[
                    {"name": "lunch", "opens_at": "12:05", "closes_at": "14:00"},
                ],
            )
        )  # fmt: skip
    days = [DAY + timedelta(days=n) for n in range(-3, 7)]  # from before NOW's date
    times = [time(h, m) for h, m in itertools.product((0, 1, 12, 13, 17, 22), (0, 5, 10, 40))]
    async with db.sessions() as session:
        for day in days:
            static = await static_of_restaurant(
                session, restaurant, days=(day - timedelta(days=1), day)
            )
            for at in [*times, None]:
                read = await _problem(session, restaurant.id, day, at, static=None)
                shared = await _problem(session, restaurant.id, day, at, static=static)
                assert shared == read, (day, at)
                if at is not None:
                    own = await service_day_of(
                        session, restaurant_id=restaurant.id, day=day, local_time=at
                    )
                    assert service_day_in(static, day=day, local_time=at) == own, (day, at)
        # the cases that make the comparison bite (DAY is a Wednesday)
        tuesday = DAY - timedelta(days=1)
        assert await _problem(session, restaurant.id, tuesday, time(22, 10)) is None
        assert await _problem(session, restaurant.id, DAY, time(22, 10)) is None  # any day's grid
        late = ("time", "not_on_slot_grid")
        assert await _problem(session, restaurant.id, DAY, time(22, 5)) == late
        assert await _problem(session, restaurant.id, thursday, time(12, 5)) is None
        after_midnight = await service_day_of(
            session, restaurant_id=restaurant.id, day=DAY, local_time=time(0, 40)
        )
        assert after_midnight == tuesday


async def _problem(
    session: Any,
    restaurant_id: uuid.UUID,
    day: date,
    at: time | None,
    *,
    static: Any = None,
) -> tuple[str | None, str | None] | None:
    try:
        await check_requested_time(
            session, restaurant_id=restaurant_id, day=day, local_time=at, now=NOW, static=static
        )
    except InvalidError as exc:
        return exc.field, exc.reason
    return None
