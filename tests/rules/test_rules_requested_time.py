"""A listed slot, booked as listed (its calendar date and wall clock), starts at the instant listed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rules.availability import BookingPolicy, check_time, day_availability
from rules.opening_hours import ServiceHours, SpecialDay
from rules.requested_time import (
    IN_THE_PAST,
    NOT_ON_SLOT_GRID,
    on_slot_grid,
    requested_time_problem,
    slot_service_day,
)
from rules.table_fit import TableSpec

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
TABLES = (TableSpec(id="t1", number="1", min_capacity=1, max_capacity=8),)
# around both DST changes of 2026 in the northern and southern hemispheres
DAYS = st.sampled_from(
    [
        date(2026, 3, 7),
        date(2026, 3, 28),
        date(2026, 4, 4),
        date(2026, 10, 3),
        date(2026, 10, 24),
        date(2026, 10, 31),
        date(2026, 12, 3),
    ]
).flatmap(lambda d: st.integers(0, 2).map(lambda k: d + timedelta(days=k)))
QUARTERS = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))


def _span(service: ServiceHours) -> tuple[int, int]:
    start = service.weekday * 1440 + service.opens.hour * 60 + service.opens.minute
    length = (service.closes.hour * 60 + service.closes.minute) - (start % 1440)
    return start, length % 1440


def _overlap(a: ServiceHours, b: ServiceHours) -> bool:
    (sa, la), (sb, lb) = _span(a), _span(b)
    week = 7 * 1440
    return (sb - sa) % week < la or (sa - sb) % week < lb


@st.composite
def services(draw: st.DrawFn) -> tuple[ServiceHours, ...]:
    """Up to two services a weekday, some past midnight, none overlapping (as the API allows)."""
    result: list[ServiceHours] = []
    for weekday in range(7):
        for n in range(draw(st.integers(0, 2))):
            opens = draw(QUARTERS)
            hours = draw(st.integers(1, 12 * 4)) * 15
            closes = (datetime.combine(date.min, opens) + timedelta(minutes=hours)).time()
            candidate = ServiceHours(f"s{weekday}{n}", weekday, opens, closes)
            if not any(_overlap(candidate, other) for other in result):
                result.append(candidate)
    return tuple(result)


def _none(day: date) -> SpecialDay | None:
    return None


@settings(max_examples=150, deadline=None)
@given(
    day=DAYS,
    zone=st.sampled_from(ZONES),
    hours=services(),
    interval=st.sampled_from([15, 30, 45]),
)
def test_every_listed_slot_booked_as_listed_starts_at_the_listed_instant(
    day: date, zone: str, hours: tuple[ServiceHours, ...], interval: int
) -> None:
    policy = BookingPolicy(interval_minutes=interval, min_notice_minutes=0)
    now = datetime.combine(day - timedelta(days=5), time(12), tzinfo=UTC)
    common = {
        "party_size": 2,
        "timezone": zone,
        "services": hours,
        "special_day": None,
        "policy": policy,
        "tables": TABLES,
        "bookings": (),
        "now": now,
    }
    listing = day_availability(day=day, **common)  # type: ignore[arg-type]
    for listed in listing:
        # what availability shows: the calendar date and wall clock of the start
        shown_date, shown_time = listed.local_time.date(), listed.local_time.time()
        service_day = slot_service_day(
            day=shown_date,
            local_time=shown_time,
            timezone=zone,
            interval_minutes=interval,
            services=hours,
            special_day_of=_none,
        )
        assert service_day in (day, shown_date), (listed, service_day)
        assert on_slot_grid(
            shown_time, interval_minutes=interval, openings=[s.opens for s in hours]
        )
        # a service day whose seatings span a full 24 hours lists one wall-clock time twice
        # (opening and closing seating); the time alone cannot tell those apart
        own = day_availability(day=service_day, **common)  # type: ignore[arg-type]
        assume(len({a.local_time.time() for a in own}) == len(own))
        booked = check_time(day=service_day, local_time=shown_time, **common)  # type: ignore[arg-type]
        assert booked.reason is None, (listed, booked)
        assert booked.start_utc == listed.start_utc


def test_a_slot_after_midnight_belongs_to_the_previous_days_service() -> None:
    late = tuple(ServiceHours("late", w, time(18), time(2)) for w in range(3, 4))  # Thursdays
    found = slot_service_day(
        day=date(2026, 12, 4),  # a Friday, closed
        local_time=time(0, 30),
        timezone="Europe/Amsterdam",
        interval_minutes=15,
        services=late,
        special_day_of=_none,
    )
    assert found == date(2026, 12, 3)
    assert (
        slot_service_day(
            day=date(2026, 12, 4),
            local_time=time(19),
            timezone="Europe/Amsterdam",
            interval_minutes=15,
            services=late,
            special_day_of=_none,
        )
        is None
    )


def test_past_dates_and_off_grid_times_are_problems() -> None:
    today = date(2026, 12, 3)
    past = requested_time_problem(
        day=today - timedelta(days=1), local_time=time(19), today=today, interval_minutes=15
    )
    assert past is not None and (past.field, past.reason) == ("date", IN_THE_PAST)
    off = requested_time_problem(
        day=today, local_time=time(19, 7), today=today, interval_minutes=15
    )
    assert off is not None and (off.field, off.reason) == ("time", NOT_ON_SLOT_GRID)
    assert (
        requested_time_problem(day=today, local_time=time(19), today=today, interval_minutes=15)
        is None
    )
    # a service opening at 17:10 steps from there
    assert on_slot_grid(time(17, 25), interval_minutes=15, openings=[time(17, 10)])
    assert not on_slot_grid(time(17, 25), interval_minutes=15)
    assert not on_slot_grid(time(19, 0, 30), interval_minutes=15)
