from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from rules.opening_hours import ServiceHours, SpecialDay, services_for_day
from rules.slots import Slot, is_valid_timezone, service_slots

FRIDAY = date(2026, 6, 12)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def walls(slots: list[Slot]) -> list[str]:
    return [s.local_time.strftime("%m-%d %H:%M") for s in slots]


def test_normal_service_interval_and_last_seating() -> None:
    dinner = ServiceHours("dinner", 4, time(18), time(22), last_seating=time(20, 30))
    slots = service_slots(day=FRIDAY, services=[dinner], timezone="UTC", interval_minutes=45)
    assert walls(slots) == ["06-12 18:00", "06-12 18:45", "06-12 19:30", "06-12 20:15"]
    assert all(s.service == "dinner" for s in slots)


def test_last_seating_defaults_to_closing_and_is_included() -> None:
    lunch = ServiceHours("lunch", 4, time(12), time(13))
    slots = service_slots(day=FRIDAY, services=[lunch], timezone="UTC", interval_minutes=30)
    assert walls(slots) == ["06-12 12:00", "06-12 12:30", "06-12 13:00"]


def test_only_services_of_that_weekday() -> None:
    services = [
        ServiceHours("fri", 4, time(18), time(19)),
        ServiceHours("sat", 5, time(12), time(13)),
    ]
    slots = service_slots(day=FRIDAY, services=services, timezone="UTC", interval_minutes=60)
    assert [s.service for s in slots] == ["fri", "fri"]


def test_overnight_service_belongs_to_the_day_it_starts() -> None:
    late = ServiceHours("late", 4, time(18), time(1))
    fri = service_slots(day=FRIDAY, services=[late], timezone="UTC", interval_minutes=60)
    assert walls(fri) == [
        "06-12 18:00",
        "06-12 19:00",
        "06-12 20:00",
        "06-12 21:00",
        "06-12 22:00",
        "06-12 23:00",
        "06-13 00:00",
        "06-13 01:00",
    ]
    assert fri[-1].start_utc == utc(2026, 6, 13, 1)
    sat = service_slots(day=date(2026, 6, 13), services=[late], timezone="UTC", interval_minutes=60)
    assert sat == []


def test_overnight_last_seating_after_midnight() -> None:
    late = ServiceHours("late", 4, time(22), time(2), last_seating=time(0, 30))
    slots = service_slots(
        day=FRIDAY, services=[late], timezone="Europe/Amsterdam", interval_minutes=30
    )
    assert walls(slots) == ["06-12 22:00", "06-12 22:30", "06-12 23:00", "06-12 23:30",
                            "06-13 00:00", "06-13 00:30"]  # fmt: skip
    assert slots[-1].start_utc == utc(2026, 6, 12, 22, 30)


def test_overlapping_services_do_not_duplicate() -> None:
    services = [
        ServiceHours("lunch", 4, time(12), time(15)),
        ServiceHours("afternoon", 4, time(14), time(16)),
    ]
    slots = service_slots(day=FRIDAY, services=services, timezone="UTC", interval_minutes=60)
    assert walls(slots) == ["06-12 12:00", "06-12 13:00", "06-12 14:00", "06-12 15:00",
                            "06-12 16:00"]  # fmt: skip
    assert [s.service for s in slots] == ["lunch"] * 4 + ["afternoon"]


@pytest.mark.parametrize("kind", ["closed", "private_event"])
def test_special_day_closes(kind: str) -> None:
    dinner = ServiceHours("dinner", 4, time(18), time(22))
    special = SpecialDay(kind)  # type: ignore[arg-type]
    assert special.closes_day
    assert (
        service_slots(
            day=FRIDAY, services=[dinner], timezone="UTC", interval_minutes=30, special_day=special
        )
        == []
    )


def test_custom_hours_replace_the_day_and_weather_changes_nothing() -> None:
    dinner = ServiceHours("dinner", 4, time(18), time(22))
    custom = SpecialDay("custom_hours", services=(ServiceHours("brunch", 0, time(10), time(11)),))
    slots = service_slots(
        day=FRIDAY, services=[dinner], timezone="UTC", interval_minutes=30, special_day=custom
    )
    assert walls(slots) == ["06-12 10:00", "06-12 10:30", "06-12 11:00"]
    weather = SpecialDay("weather", note="storm")
    assert services_for_day(FRIDAY, [dinner], weather) == (dinner,)
    assert services_for_day(FRIDAY, [dinner], SpecialDay("custom_hours")) == ()


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        ServiceHours("x", 7, time(18), time(22))
    with pytest.raises(ValueError):
        service_slots(day=FRIDAY, services=[], timezone="UTC", interval_minutes=0)


def test_is_valid_timezone() -> None:
    assert is_valid_timezone("Europe/Amsterdam")
    assert is_valid_timezone("America/New_York")
    assert is_valid_timezone("UTC")
    assert is_valid_timezone("US/Eastern")  # a link kept for old names is still a place
    for bad in ["", "Mars/Olympus", "Europe", "../etc/passwd", "/etc/passwd", "Europe/Amsterdam "]:
        assert not is_valid_timezone(bad)
    # files the zone loader can open that are no IANA place: leap-second clocks, the
    # host's own clock, tzdata's placeholder
    for loadable in ["right/Europe/Paris", "posix/Europe/Paris", "localtime", "Factory"]:
        assert not is_valid_timezone(loadable), loadable


# --- Daylight-saving transitions: a small-hours service and a dinner service ---

EARLY_AND_DINNER = [
    ServiceHours("early", 6, time(0), time(4)),  # 6 = Sunday
    ServiceHours("dinner", 6, time(18), time(22), last_seating=time(19)),
]


def day_slots(day: date, zone: str) -> list[Slot]:
    return service_slots(day=day, services=EARLY_AND_DINNER, timezone=zone, interval_minutes=30)


def pairs(slots: list[Slot]) -> list[tuple[str, datetime]]:
    return [(s.local_time.strftime("%H:%M"), s.start_utc) for s in slots]


def test_amsterdam_spring_forward_skips_the_gap() -> None:
    # 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    slots = day_slots(date(2026, 3, 29), "Europe/Amsterdam")
    assert pairs(slots) == [
        ("00:00", utc(2026, 3, 28, 23)),
        ("00:30", utc(2026, 3, 28, 23, 30)),
        ("01:00", utc(2026, 3, 29, 0)),
        ("01:30", utc(2026, 3, 29, 0, 30)),
        ("03:00", utc(2026, 3, 29, 1)),
        ("03:30", utc(2026, 3, 29, 1, 30)),
        ("04:00", utc(2026, 3, 29, 2)),
        ("18:00", utc(2026, 3, 29, 16)),
        ("18:30", utc(2026, 3, 29, 16, 30)),
        ("19:00", utc(2026, 3, 29, 17)),
    ]


def test_amsterdam_fall_back_offers_first_occurrence_once() -> None:
    # 2026-10-25 03:00 CEST falls back to 02:00 CET (01:00 UTC).
    slots = day_slots(date(2026, 10, 25), "Europe/Amsterdam")
    assert pairs(slots) == [
        ("00:00", utc(2026, 10, 24, 22)),
        ("00:30", utc(2026, 10, 24, 22, 30)),
        ("01:00", utc(2026, 10, 24, 23)),
        ("01:30", utc(2026, 10, 24, 23, 30)),
        ("02:00", utc(2026, 10, 25, 0)),
        ("02:30", utc(2026, 10, 25, 0, 30)),
        ("03:00", utc(2026, 10, 25, 2)),
        ("03:30", utc(2026, 10, 25, 2, 30)),
        ("04:00", utc(2026, 10, 25, 3)),
        ("18:00", utc(2026, 10, 25, 17)),
        ("18:30", utc(2026, 10, 25, 17, 30)),
        ("19:00", utc(2026, 10, 25, 18)),
    ]


def test_new_york_spring_forward_skips_the_gap() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    slots = day_slots(date(2026, 3, 8), "America/New_York")
    assert pairs(slots) == [
        ("00:00", utc(2026, 3, 8, 5)),
        ("00:30", utc(2026, 3, 8, 5, 30)),
        ("01:00", utc(2026, 3, 8, 6)),
        ("01:30", utc(2026, 3, 8, 6, 30)),
        ("03:00", utc(2026, 3, 8, 7)),
        ("03:30", utc(2026, 3, 8, 7, 30)),
        ("04:00", utc(2026, 3, 8, 8)),
        ("18:00", utc(2026, 3, 8, 22)),
        ("18:30", utc(2026, 3, 8, 22, 30)),
        ("19:00", utc(2026, 3, 8, 23)),
    ]


def test_new_york_fall_back_offers_first_occurrence_once() -> None:
    # 2026-11-01 02:00 EDT falls back to 01:00 EST (06:00 UTC).
    slots = day_slots(date(2026, 11, 1), "America/New_York")
    assert pairs(slots) == [
        ("00:00", utc(2026, 11, 1, 4)),
        ("00:30", utc(2026, 11, 1, 4, 30)),
        ("01:00", utc(2026, 11, 1, 5)),
        ("01:30", utc(2026, 11, 1, 5, 30)),
        ("02:00", utc(2026, 11, 1, 7)),
        ("02:30", utc(2026, 11, 1, 7, 30)),
        ("03:00", utc(2026, 11, 1, 8)),
        ("03:30", utc(2026, 11, 1, 8, 30)),
        ("04:00", utc(2026, 11, 1, 9)),
        ("18:00", utc(2026, 11, 1, 23)),
        ("18:30", utc(2026, 11, 1, 23, 30)),
        ("19:00", utc(2026, 11, 2, 0)),
    ]


def test_overnight_service_into_spring_forward() -> None:
    late = ServiceHours("late", 5, time(23), time(3, 30))  # Saturday night
    slots = service_slots(
        day=date(2026, 3, 28), services=[late], timezone="Europe/Amsterdam", interval_minutes=30
    )
    assert [(s.local_time, s.start_utc) for s in slots] == [
        (datetime(2026, 3, 28, 23), utc(2026, 3, 28, 22)),
        (datetime(2026, 3, 28, 23, 30), utc(2026, 3, 28, 22, 30)),
        (datetime(2026, 3, 29, 0), utc(2026, 3, 28, 23)),
        (datetime(2026, 3, 29, 0, 30), utc(2026, 3, 28, 23, 30)),
        (datetime(2026, 3, 29, 1), utc(2026, 3, 29, 0)),
        (datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 0, 30)),
        (datetime(2026, 3, 29, 3), utc(2026, 3, 29, 1)),
        (datetime(2026, 3, 29, 3, 30), utc(2026, 3, 29, 1, 30)),
    ]


@pytest.mark.parametrize(
    ("day", "zone"),
    [
        (date(2026, 3, 29), "Europe/Amsterdam"),
        (date(2026, 10, 25), "Europe/Amsterdam"),
        (date(2026, 3, 8), "America/New_York"),
        (date(2026, 11, 1), "America/New_York"),
    ],
)
@pytest.mark.parametrize("interval", [5, 15, 20, 30, 45])
def test_sorted_unique_and_round_trip(day: date, zone: str, interval: int) -> None:
    slots = service_slots(
        day=day, services=EARLY_AND_DINNER, timezone=zone, interval_minutes=interval
    )
    instants = [s.start_utc for s in slots]
    assert instants == sorted(set(instants))
    assert [s.local_time for s in slots] == sorted({s.local_time for s in slots})
    for s in slots:
        assert s.start_utc.tzinfo is UTC
        assert s.start_utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == s.local_time
