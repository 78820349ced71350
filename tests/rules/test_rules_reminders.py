from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from rules.reminders import cancellation_deadline, wall_clock_before


def test_reminder_is_wall_clock_time_the_day_before() -> None:
    at = wall_clock_before(datetime(2026, 6, 12, 19, 0), hours=24, timezone="Europe/Amsterdam")
    assert at == datetime(2026, 6, 11, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local_start", "zone", "expected"),
    [
        # Amsterdam springs forward on 2026-03-29: Monday 19:00 CEST, reminder Sunday 19:00 CEST
        (
            datetime(2026, 3, 30, 19, 0),
            "Europe/Amsterdam",
            datetime(2026, 3, 29, 17, 0, tzinfo=UTC),
        ),
        # the day before the change is still CET: 23 real hours before
        (
            datetime(2026, 3, 29, 19, 0),
            "Europe/Amsterdam",
            datetime(2026, 3, 28, 18, 0, tzinfo=UTC),
        ),
        # New York falls back on 2026-11-01: 25 real hours between the two 19:00s
        (
            datetime(2026, 11, 1, 19, 0),
            "America/New_York",
            datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
        ),
    ],
)
def test_reminder_across_dst(local_start: datetime, zone: str, expected: datetime) -> None:
    assert wall_clock_before(local_start, hours=24, timezone=zone) == expected


def test_reminder_in_a_spring_forward_gap_moves_past_the_gap() -> None:
    # 02:30 on 2026-03-29 does not exist in Amsterdam; the reminder fires at 03:00 CEST
    at = wall_clock_before(datetime(2026, 3, 30, 2, 30), hours=24, timezone="Europe/Amsterdam")
    assert at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "start_utc",
    [datetime(2027, 3, 28, 18, 0, tzinfo=UTC), datetime(2027, 10, 31, 19, 0, tzinfo=UTC)],
)
def test_the_deadline_and_the_reminder_are_the_same_wall_clock_hour(start_utc: datetime) -> None:
    """On a DST weekend 24 h before a 20:00 dinner is 20:00 the day before for both: the
    reminder never comes after the free cancellation it quotes."""
    zone = "Europe/Amsterdam"
    local = start_utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert local.hour == 20
    deadline = cancellation_deadline(start_utc, hours=24, timezone=zone)
    assert deadline == wall_clock_before(local, hours=24, timezone=zone)
    assert deadline.astimezone(ZoneInfo(zone)).hour == 20
