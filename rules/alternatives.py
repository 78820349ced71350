"""Alternatives to offer when the wanted time is not available."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from rules.availability import SlotAvailability


def nearest_alternatives(
    slots: Sequence[SlotAvailability],
    *,
    wanted: datetime,
    window_minutes: int = 90,
    limit: int = 6,
) -> list[SlotAvailability]:
    """Return available slots within ±``window_minutes`` of ``wanted``, nearest first.

    ``wanted`` is a naive local wall-clock time; distance is wall-clock distance.
    Ties go to the earlier slot.  The wanted slot itself is included if available.
    """
    window = timedelta(minutes=window_minutes)
    near = [s for s in slots if s.available and abs(s.local_time - wanted) <= window]
    near.sort(key=lambda s: (abs(s.local_time - wanted), s.local_time, s.start_utc))
    return near[: max(0, limit)]


def next_days(day: date, count: int) -> list[date]:
    """Return the ``count`` dates after ``day``, for "same time on another day"."""
    return [day + timedelta(days=i) for i in range(1, count + 1)]
