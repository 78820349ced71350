"""Local days across DST changes (Europe/Amsterdam, last Sundays of March and October
2026): an instant at 23:30 local on the change day belongs to that day, 00:30 the next
day to the next, and a service spanning the change lasts its real elapsed hours."""

from __future__ import annotations

from datetime import date, time, timedelta

from models.enums import NotificationStatus, ReservationSource, StaffRole
from models.enums import ReservationStatus as S
from tests.analytics.helpers import get
from tests.analytics.history import History, Message, a_booking, a_restaurant, local, write
from tests.conftest import Api

SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)


def _made_at(day: date, at: time, on: date) -> dict[str, object]:
    """A booking for `on` 19:00, made at local `day` `at` (lead time from the two)."""
    lead = local(on, time(19)) - local(day, at)
    return {"lead_minutes": int(lead.total_seconds() // 60)}


async def test_instants_near_midnight_land_on_their_local_day(api: Api) -> None:
    later = SPRING + timedelta(days=3)
    history = History(
        average_spend=0,
        bookings=[
            # starts at 23:30 on the change days: the stored local date already says so
            a_booking(SPRING, time(23, 30), lead_minutes=0),
            a_booking(AUTUMN, time(23, 30), lead_minutes=0),
            # made at 23:30 and at 00:30 around the spring change, for a later dinner
            a_booking(later, time(19), **_made_at(SPRING, time(23, 30), later)),
            a_booking(later, time(19), **_made_at(SPRING + timedelta(days=1), time(0, 30), later)),
            a_booking(
                AUTUMN,
                time(19),
                status=S.NO_SHOW,
                source=ReservationSource.PHONE,
                **_made_at(AUTUMN - timedelta(days=1), time(23, 30), AUTUMN),
            ),
        ],
        waitlist=[],
        messages=[
            Message(AUTUMN, time(23, 30), NotificationStatus.SENT, 0),
            Message(AUTUMN + timedelta(days=1), time(0, 30), NotificationStatus.FAILED, 0),
        ],
    )
    rid = await write(api.db, history)
    manager = await api.token_for(StaffRole.MANAGER, [rid])

    spring = await get(
        api, rid, "volume", manager, SPRING - timedelta(days=1), SPRING + timedelta(days=1)
    )
    by_day = {d["day"]: d for d in spring["daily"]}
    assert by_day["2026-03-29"]["parties_booked"] == 1
    assert by_day["2026-03-29"]["bookings_made"] == 2  # the 23:30 start, and made at 23:30
    # made at 00:30 CEST = 22:30 UTC on the 29th: UTC dates, or the +01:00 the window
    # starts with, would put it on the 29th
    assert by_day["2026-03-30"]["bookings_made"] == 1
    assert by_day["2026-03-28"]["bookings_made"] == 0

    autumn = await get(
        api, rid, "volume", manager, AUTUMN - timedelta(days=1), AUTUMN + timedelta(days=1)
    )
    by_day = {d["day"]: d for d in autumn["daily"]}
    assert by_day["2026-10-25"]["parties_booked"] == 2
    # made at 23:30 CET = 22:30 UTC: the +02:00 the window starts with would say the 26th
    assert by_day["2026-10-25"]["bookings_made"] == 1
    assert by_day["2026-10-24"]["bookings_made"] == 1

    # a message at 23:30 on the change day is that day's; 00:30 belongs to the next
    on_day = await get(api, rid, "dashboard", manager, AUTUMN, AUTUMN)
    assert on_day["notifications"] == {
        "attempted": 1,
        "delivered": 1,
        "failed": 0,
        "delivery_rate": 1.0,
    }
    next_day = await get(
        api, rid, "dashboard", manager, AUTUMN + timedelta(days=1), AUTUMN + timedelta(days=1)
    )
    assert next_day["notifications"]["failed"] == 1
    assert next_day["notifications"]["attempted"] == 1


async def test_seat_hours_follow_the_clock_change(api: Api) -> None:
    # Saturday 22:00 to 03:00: 4 hours into the spring change, 6 into the autumn one
    late_night = (("late", range(5, 6), time(22), time(3)),)
    rid = await a_restaurant(api.db, tables=(4,), services=late_night)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    for saturday, hours in ((date(2026, 3, 28), 4), (date(2026, 10, 24), 6), (date(2026, 6, 6), 5)):
        answer = await get(api, rid, "revenue", manager, saturday, saturday)
        assert answer["daily"][0]["seat_hours"] == 4 * hours, saturday
        assert answer["seat_hours"] == 4 * hours
        assert answer["basis"] == "none" and answer["revpash_minor"] == 0
