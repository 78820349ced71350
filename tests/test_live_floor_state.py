"""The live floor (services/live_floor.py) at a fixed instant, on both databases.

The HTTP tests (tests/api/test_live_floor.py) book "soon" on the real clock; these pin
the clock, so an edge that depends on the time of day is checked at every run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from models.enums import ReservationStatus
from models.orm import Reservation
from services import allocation
from services.live_floor import live_floor
from tests.allocation.helpers import (
    DAY,
    NOW,
    ZONE,
    Db,
    make_guest,
    make_reservation,
    make_restaurant,
    request,
)

AFTER_MIDNIGHT = time(0, 15)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(ZONE))


async def test_a_party_checked_in_early_for_a_slot_after_midnight_is_seated_now(db: Db) -> None:
    # 22:10 on Wednesday; the booking is Thursday 00:15 (check-in opens 12 hours before)
    evening = _local(DAY, time(22, 10))
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(
            session, tables=1, opens=time(0, 0), closes=time(23, 59), last_seating=time(23, 45)
        )
        guest = await make_guest(session)
        thursday = DAY + timedelta(days=1)
        reservation_id = await make_reservation(
            session, restaurant_id=restaurant.id, guest_id=guest.id, day=thursday,
            at=AFTER_MIDNIGHT,
        )  # fmt: skip
        held = await allocation.hold_tables(
            session,
            request=request(
                reservation_id, restaurant.id, guest.id, day=thursday, at=AFTER_MIDNIGHT
            ),
            now=NOW,
        )
        assert held.held
        assert await allocation.confirm_allocations(session, reservation_id=reservation_id, now=NOW)
        await session.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id)
            .values(status=ReservationStatus.CONFIRMED)
        )

    async with db.sessions() as session:
        before = await live_floor(session, restaurant_id=restaurant.id, at=evening, now=evening)
    # not yet arrived: the booking is tomorrow's, so tonight's floor shows the table free
    assert before.tables[0].status == "free"

    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id)
            .values(status=ReservationStatus.SEATED, seated_at=evening - timedelta(minutes=5))
        )
    async with db.sessions() as session:
        after = await live_floor(session, restaurant_id=restaurant.id, at=evening, now=evening)
    table = after.tables[0]
    assert table.status == "seated"
    assert table.reservation is not None and table.reservation.id == reservation_id
    assert table.minutes_seated == 5
