"""The iCalendar (.ics) file attached to reservation emails and served at the calendar link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

PRODID = "-//reservations//Restaurant reservations//EN"


def reservation_calendar(
    *,
    uid: str,
    sequence: int,
    cancelled: bool,
    starts_at: datetime,
    duration_minutes: int,
    timezone: str,
    summary: str,
    location: str | None,
    description: str,
    url: str | None,
    organizer_email: str | None,
    stamp: datetime,
) -> bytes:
    """One reservation as an iTIP calendar object (RFC 5545/5546), serialised.

    `uid` must stay the same for the life of the booking and `sequence` must grow
    with every change, so calendar apps update or cancel the event they already
    hold instead of adding another. Start and end are written as wall-clock time
    in the restaurant's zone with a VTIMEZONE, so the event shows at the right
    local time on any device. `description` should carry the booking reference.
    `stamp` (DTSTAMP) is when this version was produced; the caller passes it.
    """
    if starts_at.utcoffset() is None or stamp.utcoffset() is None:
        raise ValueError("starts_at and stamp must be timezone-aware")
    if duration_minutes <= 0:
        raise ValueError("duration_minutes must be positive")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    zone = ZoneInfo(timezone)
    start = starts_at.astimezone(UTC)
    # add the duration to the instant, not to the wall clock: a dinner across the
    # October DST change still lasts exactly duration_minutes
    end = start + timedelta(minutes=duration_minutes)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", _wall_clock(start, zone))
    event.add("dtend", _wall_clock(end, zone))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    if url:
        event.add("url", url)
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        event.add("organizer", organizer)
    calendar.add_component(event)

    # Only the years around the booking: the full 1970-2038 history of a zone
    # makes the attachment several kilobytes for nothing.
    local_start = start.astimezone(zone)
    calendar.add_component(
        _vtimezone(timezone, local_start.year - 1, end.astimezone(zone).year + 2)
    )
    ical: bytes = calendar.to_ical()
    return ical


@lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE for those years; built from its transitions once, then reused
    (building it is most of the cost of a calendar file, and nothing mutates it)."""
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The instant as local time in `zone`, or in UTC when local time cannot name it.

    In the hour repeated when clocks go back, a TZID time means its first
    occurrence (RFC 5545, 3.3.5); the second occurrence is written in UTC instead.
    """
    local = instant.astimezone(zone)
    if local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset():
        return instant
    return local
