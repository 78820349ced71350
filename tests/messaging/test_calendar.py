from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from messaging.calendar import reservation_calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def build(
    *,
    starts_at: datetime = datetime(2026, 7, 12, 18, 0, tzinfo=UTC),
    duration_minutes: int = 120,
    cancelled: bool = False,
    sequence: int = 0,
    timezone: str = "Europe/Amsterdam",
    location: str | None = "Prinsengracht 1, 1015 AA Amsterdam",
    url: str | None = "https://book.example.com/r/abc",
    organizer_email: str | None = "hello@goudenlepel.example",
) -> bytes:
    return reservation_calendar(
        uid="res-2026-000042@reservations.example",
        sequence=sequence,
        cancelled=cancelled,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        timezone=timezone,
        summary="Dinner at De Gouden Lepel",
        location=location,
        description="Booking RES-2026-000042 for 4 people",
        url=url,
        organizer_email=organizer_email,
        stamp=STAMP,
    )


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.events
    assert len(events) == 1
    return calendar, events[0]


def test_request_has_the_calendar_and_event_properties() -> None:
    calendar, event = parse(build(sequence=2))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "res-2026-000042@reservations.example"
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "Dinner at De Gouden Lepel"
    assert str(event["LOCATION"]) == "Prinsengracht 1, 1015 AA Amsterdam"
    assert "RES-2026-000042" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "https://book.example.com/r/abc"
    assert str(event["ORGANIZER"]) == "mailto:hello@goudenlepel.example"


def test_start_is_wall_clock_time_in_the_restaurant_zone() -> None:
    data = build(starts_at=datetime(2026, 7, 12, 18, 0, tzinfo=UTC))
    assert b"DTSTART;TZID=Europe/Amsterdam:20260712T200000" in data
    _, event = parse(data)
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start = event.decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2026, 7, 12, 20, 0)
    assert start.astimezone(UTC) == datetime(2026, 7, 12, 18, 0, tzinfo=UTC)


def test_duration_is_end_minus_start() -> None:
    _, event = parse(build(duration_minutes=105))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=105)
    assert end.replace(tzinfo=None) == datetime(2026, 7, 12, 21, 45)


def test_vtimezone_is_included_for_the_zone() -> None:
    calendar, _ = parse(build())
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert calendar.get_missing_tzids() == set()


def test_other_zones_get_their_own_vtimezone() -> None:
    data = build(starts_at=datetime(2026, 7, 12, 23, 0, tzinfo=UTC), timezone="America/New_York")
    calendar, event = parse(data)
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 7, 12, 19, 0)


def test_dst_end_day_resolves_to_the_right_instant() -> None:
    # 25 October 2026 is the last Sunday of October: Amsterdam is back on CET (+01:00),
    # so a 19:00 dinner is 18:00 UTC, not 17:00 as it would be in summer time
    starts_at = datetime(2026, 10, 25, 19, 0, tzinfo=AMSTERDAM)
    data = build(starts_at=starts_at)
    assert b"DTSTART;TZID=Europe/Amsterdam:20261025T190000" in data
    calendar, event = parse(data)
    start = event.decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)
    # the embedded VTIMEZONE alone (not the system tz database) gives the same instant
    embedded = calendar.timezones[0].to_tz(lookup_tzid=False)
    wall = start.replace(tzinfo=None)
    assert wall.replace(tzinfo=embedded).astimezone(UTC) == datetime(
        2026, 10, 25, 18, 0, tzinfo=UTC
    )


def test_event_spanning_the_clock_change_keeps_its_real_duration() -> None:
    # starts 01:30 CEST, the clocks go from 03:00 back to 02:00 during the meal
    starts_at = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    _, event = parse(build(starts_at=starts_at, duration_minutes=180))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.replace(tzinfo=None) == datetime(2026, 10, 25, 1, 30)
    assert end.replace(tzinfo=None) == datetime(2026, 10, 25, 3, 30)  # only 2 wall hours
    assert start.astimezone(UTC) == starts_at
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=180)


def test_second_occurrence_of_the_repeated_hour_is_written_in_utc() -> None:
    # 01:30 UTC is 02:30 CET, the second 02:30 of the night; a TZID time would mean the first
    starts_at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    data = build(starts_at=starts_at, duration_minutes=60)
    assert b"DTSTART:20261025T013000Z" in data
    _, event = parse(data)
    assert event.decoded("DTSTART") == starts_at
    assert event.decoded("DTEND").astimezone(UTC) == starts_at + timedelta(minutes=60)


def test_cancelled_uses_method_cancel_and_status_cancelled() -> None:
    calendar, event = parse(build(cancelled=True, sequence=3))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3
    assert str(event["UID"]) == "res-2026-000042@reservations.example"


def test_optional_properties_are_left_out() -> None:
    _, event = parse(build(location=None, url=None, organizer_email=None))
    for name in ("LOCATION", "URL", "ORGANIZER"):
        assert name not in event


def test_same_input_gives_the_same_bytes() -> None:
    assert build() == build()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"starts_at": datetime(2026, 7, 12, 18, 0)},
        {"duration_minutes": 0},
        {"sequence": -1},
    ],
)
def test_rejects_bad_input(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build(**kwargs)  # type: ignore[arg-type]
