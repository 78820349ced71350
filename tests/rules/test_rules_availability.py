import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from rules.availability import (
    BookingPolicy,
    PartySizeOverride,
    SlotAvailability,
    UnavailableReason,
    check_time,
    day_availability,
    day_closed_reason,
    party_bounds,
)
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours, SpecialDay
from rules.pacing import PacingLimits
from rules.table_fit import TableSpec
from rules.turn_time import DEFAULT_TURN_TIMES

R = UnavailableReason
ZONE = "Europe/Amsterdam"  # UTC+2 in June
FRIDAY = date(2026, 6, 12)
DINNER = ServiceHours("dinner", 4, time(18), time(22), last_seating=time(21))
TABLES = (
    TableSpec("t1", "1", 1, 2),
    TableSpec("t2", "2", 2, 4),
    TableSpec("t3", "3", 4, 6),
)
POLICY = BookingPolicy(interval_minutes=30)
NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


def utc(d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2026, 6, d, h, mi, tzinfo=UTC)


def day(
    party: int = 2,
    *,
    policy: BookingPolicy = POLICY,
    tables: tuple[TableSpec, ...] = TABLES,
    bookings: tuple[Booking, ...] = (),
    now: datetime = NOW,
    special: SpecialDay | None = None,
    services: tuple[ServiceHours, ...] = (DINNER,),
    when: date = FRIDAY,
    zone: str = ZONE,
    **kw: object,
) -> list[SlotAvailability]:
    return day_availability(
        day=when,
        party_size=party,
        timezone=zone,
        services=services,
        special_day=special,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        **kw,  # type: ignore[arg-type]
    )


def summary(slots: list[SlotAvailability]) -> list[tuple[str, R | None]]:
    return [(s.local_time.strftime("%H:%M"), s.reason) for s in slots]


def test_all_free_day() -> None:
    slots = day(2)
    assert [s.local_time.strftime("%H:%M") for s in slots] == [
        "18:00", "18:30", "19:00", "19:30", "20:00", "20:30", "21:00"
    ]  # fmt: skip
    first = slots[0]
    assert first.available and first.reason is None
    assert first.start_utc == utc(12, 16)
    assert first.end_utc == utc(12, 18)  # default turn 120 minutes
    assert first.tables is not None and first.tables.table_ids == ("t1",)
    assert first.service == "dinner"


def test_turn_time_rules_set_the_end() -> None:
    slots = day(4, policy=replace(POLICY, turn_times=DEFAULT_TURN_TIMES))
    assert slots[0].end_utc - slots[0].start_utc == timedelta(minutes=105)
    assert slots[0].tables is not None and slots[0].tables.table_ids == ("t2",)


def test_no_table_fits_and_fallback_to_next_best_table() -> None:
    busy_t1 = Booking(("t1",), utc(12, 16), utc(12, 18), 2)
    slots = day(2, bookings=(busy_t1,))
    chosen = [s.tables.table_ids if s.tables else None for s in slots]
    assert chosen == [("t2",)] * 4 + [("t1",)] * 3
    busy_both = Booking(("t1", "t2"), utc(12, 16), utc(12, 18), 4)
    assert summary(day(2, bookings=(busy_both,))) == [
        ("18:00", R.NO_TABLE_FITS),
        ("18:30", R.NO_TABLE_FITS),
        ("19:00", R.NO_TABLE_FITS),
        ("19:30", R.NO_TABLE_FITS),
        ("20:00", None),
        ("20:30", None),
        ("21:00", None),
    ]
    assert summary(day(7))[0] == ("18:00", R.NO_TABLE_FITS)


def test_buffer_extends_both_the_new_stay_and_existing_bookings() -> None:
    policy = replace(POLICY, default_turn_minutes=60, buffer_minutes=15)
    bookings = (
        Booking(("t1",), utc(12, 16), utc(12, 17), 2),  # 18:00-19:00 local
        Booking(("t1",), utc(12, 19), utc(12, 20), 2),  # 21:00-22:00 local
    )
    slots = day(2, policy=policy, tables=TABLES[:1], bookings=bookings)
    assert [s.local_time.strftime("%H:%M") for s in slots if s.available] == ["19:30"]
    assert slots[3].end_utc == utc(12, 18, 30)  # the guest's end, without buffer


def test_booking_window_uses_the_local_date_of_now() -> None:
    policy = replace(POLICY, advance_booking_days=1)
    assert {s.reason for s in day(2, policy=policy)} == {R.BEYOND_BOOKING_WINDOW}
    # 22:30 UTC on the 10th is already the 11th in Amsterdam.
    late_now = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)
    assert {s.reason for s in day(2, policy=policy, now=late_now)} == {None}


def test_past_and_short_notice() -> None:
    now = utc(12, 16, 30)  # 18:30 local
    assert summary(day(2, now=now))[:4] == [
        ("18:00", R.IN_THE_PAST),
        ("18:30", R.IN_THE_PAST),
        ("19:00", R.TOO_SHORT_NOTICE),
        ("19:30", None),
    ]


def test_party_bounds_and_overrides() -> None:
    assert {s.reason for s in day(21)} == {R.PARTY_TOO_LARGE}
    assert {s.reason for s in day(1, policy=replace(POLICY, min_party_size=2))} == {
        R.PARTY_TOO_SMALL
    }
    overrides = (
        PartySizeOverride(FRIDAY, time(19), time(20), max_party_size=4, min_party_size=None),
        PartySizeOverride(FRIDAY, time(20), time(21, 30), max_party_size=None, min_party_size=4),
        PartySizeOverride(date(2026, 6, 13), time(0), time(23), max_party_size=1),
    )
    policy = replace(POLICY, party_size_overrides=overrides)
    assert [r for _, r in summary(day(6, policy=policy))] == [
        None, None, R.PARTY_TOO_LARGE, R.PARTY_TOO_LARGE, None, None, None
    ]  # fmt: skip
    assert [r for _, r in summary(day(2, policy=policy))] == [
        None, None, None, None, R.PARTY_TOO_SMALL, R.PARTY_TOO_SMALL, R.PARTY_TOO_SMALL
    ]  # fmt: skip
    # Overrides only narrow: a larger max does not widen the policy.
    wide = PartySizeOverride(FRIDAY, time(0), time(23, 59), max_party_size=50, min_party_size=0)
    assert party_bounds(
        replace(POLICY, party_size_overrides=(wide,)), datetime(2026, 6, 12, 19)
    ) == (
        1,
        20,
    )


def test_pacing_limit() -> None:
    policy = replace(POLICY, pacing=PacingLimits(max_covers=4, window_minutes=30))
    existing = (Booking(("t3",), utc(12, 16, 10), utc(12, 18), 3),)
    assert summary(day(2, policy=policy, bookings=existing))[:2] == [
        ("18:00", R.PACING_LIMIT_REACHED),
        ("18:30", None),
    ]
    assert day(1, policy=policy, bookings=existing)[0].available
    parties = replace(POLICY, pacing=PacingLimits(max_parties=1, window_minutes=15))
    assert day(1, policy=parties, bookings=existing)[0].reason is R.PACING_LIMIT_REACHED


def test_reason_order() -> None:
    policy = replace(POLICY, advance_booking_days=0, min_party_size=3)
    assert {s.reason for s in day(30, policy=policy)} == {R.BEYOND_BOOKING_WINDOW}
    now = utc(12, 20)
    assert {s.reason for s in day(30, now=now)} == {R.IN_THE_PAST}
    pacing = replace(POLICY, pacing=PacingLimits(max_parties=0))
    assert {s.reason for s in day(30, policy=pacing)} == {R.PARTY_TOO_LARGE}
    assert {s.reason for s in day(2, policy=pacing)} == {R.PACING_LIMIT_REACHED}


def test_closed_days() -> None:
    closed = SpecialDay("private_event", note="wedding")
    assert day(2, special=closed) == []
    assert day_closed_reason(day=FRIDAY, services=[DINNER], special_day=closed) is (
        R.SPECIAL_DAY_CLOSED
    )
    answer = check_one(time(19), special=closed)
    assert answer.reason is R.SPECIAL_DAY_CLOSED and not answer.available
    monday = date(2026, 6, 15)
    assert day(2, when=monday) == []
    assert day_closed_reason(day=monday, services=[DINNER], special_day=None) is (
        R.OUTSIDE_OPENING_HOURS
    )
    assert day_closed_reason(day=FRIDAY, services=[DINNER], special_day=None) is None
    assert check_one(time(19), when=monday).reason is R.OUTSIDE_OPENING_HOURS


def test_custom_hours_and_weather() -> None:
    brunch = SpecialDay("custom_hours", services=(ServiceHours("brunch", 4, time(11), time(12)),))
    assert [s.service for s in day(2, special=brunch)] == ["brunch"] * 3
    assert len(day(2, special=SpecialDay("weather", note="heat"))) == 7


def check_one(
    at: time,
    party: int = 2,
    *,
    special: SpecialDay | None = None,
    when: date = FRIDAY,
    services: tuple[ServiceHours, ...] = (DINNER,),
    bookings: tuple[Booking, ...] = (),
) -> SlotAvailability:
    return check_time(
        day=when,
        local_time=at,
        party_size=party,
        timezone=ZONE,
        services=services,
        special_day=special,
        policy=POLICY,
        tables=TABLES,
        bookings=bookings,
        now=NOW,
    )


def test_check_time_matches_day_view() -> None:
    busy = (Booking(("t1", "t2"), utc(12, 16), utc(12, 18), 4),)
    slots = day(2, bookings=busy)
    for slot in slots:
        assert check_one(slot.local_time.time(), bookings=busy) == slot
    off = check_one(time(19, 10))
    assert off.reason is R.OUTSIDE_OPENING_HOURS and not off.available and off.tables is None
    assert off.local_time == datetime(2026, 6, 12, 19, 10)
    assert off.start_utc == utc(12, 17, 10)
    assert check_one(time(23)).reason is R.OUTSIDE_OPENING_HOURS


def test_check_time_after_midnight_is_the_overnight_slot() -> None:
    late = ServiceHours("late", 4, time(22), time(1))
    answer = check_one(time(0, 30), services=(late,))
    assert answer.available
    assert answer.local_time == datetime(2026, 6, 13, 0, 30)
    assert answer.start_utc == utc(12, 22, 30)


def test_staff_area_and_features_pass_through() -> None:
    tables = (
        TableSpec("a", "1", 1, 4, online_bookable=False),
        TableSpec("b", "2", 1, 4, area="terrace"),
        TableSpec("c", "3", 1, 4, features=frozenset({"window"})),
    )
    pick = [
        day(4, tables=tables)[0].tables,
        day(4, tables=tables, staff=True)[0].tables,
        day(4, tables=tables, seating_area="terrace")[0].tables,
        day(4, tables=tables, features=frozenset({"window"}))[0].tables,
    ]
    assert [p.table_ids if p else None for p in pick] == [("b",), ("a",), ("b",), ("c",)]


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError):
        day(2, now=datetime(2026, 6, 10, 12))


def test_dst_stay_is_elapsed_time() -> None:
    early = ServiceHours("early", 6, time(1), time(3), last_seating=time(3))
    slots = day(2, services=(early,), when=date(2026, 3, 29), now=datetime(2026, 3, 1, tzinfo=UTC))
    assert [s.local_time.strftime("%H:%M") for s in slots] == ["01:00", "01:30", "03:00"]
    assert all(s.end_utc - s.start_utc == timedelta(minutes=120) for s in slots)


def test_busy_day_forty_tables_three_hundred_bookings() -> None:
    # speed is measured in benchmarks/, not here; this checks the answer's shape
    rng = random.Random(7)
    tables = [
        TableSpec(
            f"t{i}",
            str(i + 1),
            1,
            rng.choice([2, 2, 4, 4, 6]),
            area=rng.choice(["hall", "terrace"]),
            combinable_with=frozenset({f"t{i + 1}"}) if i % 8 == 0 else frozenset(),
        )
        for i in range(40)
    ]
    bookings = []
    for _ in range(300):
        start = utc(12, 8) + timedelta(minutes=15 * rng.randrange(48))
        bookings.append(
            Booking((f"t{rng.randrange(40)}",), start, start + timedelta(minutes=90), 2)
        )
    services = (
        ServiceHours("lunch", 4, time(12), time(15)),
        ServiceHours("dinner", 4, time(17), time(23)),
    )
    policy = BookingPolicy(pacing=PacingLimits(max_covers=40))
    result = day(
        4, policy=policy, tables=tuple(tables), bookings=tuple(bookings), services=services
    )
    assert len(result) == 38
    assert all(s.tables is not None for s in result if s.available)
