"""Bookable start times ("slots") of a day, correct across daylight-saving changes.

Slots step through *wall-clock* time.  On a spring-forward day the wall-clock
times that do not exist are skipped (never shifted onto another slot).  On a
fall-back day a repeated wall-clock time yields one slot, mapped to its *first*
occurrence (``fold=0``): guests book by the clock on the wall, and the first
occurrence is the earlier, safer instant for the kitchen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rules.opening_hours import ServiceHours, SpecialDay, services_for_day


@dataclass(frozen=True, slots=True)
class Slot:
    """A start time guests can book.

    ``local_time`` is the naive wall-clock time in the restaurant's zone including
    the date (slots after midnight carry the next date); ``start_utc`` is aware UTC.
    """

    local_time: datetime
    start_utc: datetime
    service: str


# files a zone lookup can load that name no place: the host's own clock and tzdata's
# placeholder; "right/" and "posix/" variants are absent from the IANA list itself
_NOT_PLACES = frozenset({"localtime", "Factory"})


@cache
def _iana_zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def is_valid_timezone(name: str) -> bool:
    """Return True when ``name`` is an IANA time zone (a place, or a link to one).

    Membership in the IANA list, not "ZoneInfo can load it": ``right/Europe/Paris``
    loads too but counts leap seconds, which puts bookings off the wall clock, and
    ``localtime`` follows whatever host the process runs on."""
    if not name or name not in _iana_zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def local_to_utc(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """Map a naive wall-clock time to aware UTC; ``None`` if it does not exist.

    Ambiguous (repeated) times map to their first occurrence (``fold=0``).
    """
    start_utc = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # A time in the spring-forward gap does not survive the round trip.
    if start_utc.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return start_utc


def service_slots(
    *,
    day: date,
    services: Sequence[ServiceHours],
    timezone: str,
    interval_minutes: int,
    special_day: SpecialDay | None = None,
) -> list[Slot]:
    """Return the day's slots, sorted by ``start_utc`` and without duplicates.

    Each service of ``day`` steps ``interval_minutes`` of wall-clock time from
    opening up to and including its last seating.  Where services overlap, the
    first service listed keeps the shared slot.
    """
    if interval_minutes <= 0:
        raise ValueError(f"interval_minutes must be positive, got {interval_minutes}")
    todays = services_for_day(day, services, special_day)
    return list(_day_slots(day, todays, timezone, interval_minutes))


@lru_cache(maxsize=4096)
def _day_slots(
    day: date, services: tuple[ServiceHours, ...], timezone: str, interval_minutes: int
) -> tuple[Slot, ...]:
    """The slots of ``services`` (already chosen for ``day``); cached, as they never change."""
    zone = ZoneInfo(timezone)
    step = timedelta(minutes=interval_minutes)
    by_instant: dict[datetime, Slot] = {}
    for service in services:
        wall, last = service.seating_window(day)
        while wall <= last:
            start_utc = local_to_utc(wall, zone)
            if start_utc is not None and start_utc not in by_instant:
                by_instant[start_utc] = Slot(wall, start_utc, service.name)
            wall += step
    return tuple(by_instant[instant] for instant in sorted(by_instant))
