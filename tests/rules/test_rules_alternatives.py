from datetime import UTC, date, datetime, timedelta

from rules.alternatives import nearest_alternatives, next_days
from rules.availability import SlotAvailability, UnavailableReason

BASE = datetime(2026, 6, 12, 17, 0)


def slot(minutes: int, available: bool = True) -> SlotAvailability:
    local = BASE + timedelta(minutes=minutes)
    start = local.replace(tzinfo=UTC)
    return SlotAvailability(
        local_time=local,
        start_utc=start,
        end_utc=start + timedelta(minutes=90),
        available=available,
        reason=None if available else UnavailableReason.NO_TABLE_FITS,
        tables=None,
        service="dinner",
    )


def test_nearest_first_ties_earlier_first() -> None:
    slots = [slot(m) for m in range(0, 300, 15)]
    got = nearest_alternatives(slots, wanted=BASE + timedelta(minutes=120), limit=5)
    offsets = [int((s.local_time - BASE).total_seconds() // 60) for s in got]
    assert offsets == [120, 105, 135, 90, 150]


def test_window_and_unavailable_are_excluded() -> None:
    slots = [slot(0), slot(15, available=False), slot(30), slot(200)]
    got = nearest_alternatives(slots, wanted=BASE + timedelta(minutes=15), window_minutes=15)
    assert [s.local_time for s in got] == [BASE, BASE + timedelta(minutes=30)]
    assert nearest_alternatives(slots, wanted=BASE, window_minutes=90, limit=0) == []


def test_next_days() -> None:
    assert next_days(date(2026, 12, 30), 3) == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    assert next_days(date(2026, 1, 1), 0) == []
