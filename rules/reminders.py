"""When a reminder or deadline falls, computed in the restaurant's wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def wall_clock_before(local_start: datetime, *, hours: int, timezone: str) -> datetime:
    """The UTC instant `hours` of wall-clock time before `local_start` (naive, restaurant time).

    "24 hours before a 19:00 dinner" is 19:00 the day before on the restaurant's
    clock, also across a DST change (then 23 or 25 real hours earlier). A wall time
    that falls in a spring-forward gap resolves to the instant after the gap.
    """
    if local_start.tzinfo is not None:
        raise ValueError("local_start must be naive wall-clock time")
    zone = ZoneInfo(timezone)
    wall = (local_start - timedelta(hours=hours)).replace(tzinfo=zone)
    as_utc = wall.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return as_utc
    # a wall time in a spring-forward gap: the gap ends at the first instant whose
    # wall time is at or after it (gaps are at most a few hours; step by minutes)
    candidate = min(as_utc, wall.replace(fold=1).astimezone(UTC))
    target = wall.replace(tzinfo=None)
    while candidate.astimezone(zone).replace(tzinfo=None) < target:
        candidate += timedelta(minutes=1)
    return candidate


def cancellation_deadline(starts_at: datetime, *, hours: int, timezone: str) -> datetime:
    """The last instant a guest may cancel free of charge: `hours` of wall-clock time
    before the start, as the reminder is (on a DST weekend both move with the clock, so
    the reminder never comes after the deadline it quotes)."""
    local_start = starts_at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return wall_clock_before(local_start, hours=hours, timezone=timezone)
