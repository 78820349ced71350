"""The availability engine: which slots of a day can take a party, and on which tables.

For every slot the first failing check gives the reason, in this order:

1. ``beyond_booking_window``: slot's local date > today (local) + advance_booking_days;
2. ``in_the_past``: the slot starts at or before ``now``;
3. ``too_short_notice``: it starts less than ``min_notice_minutes`` after ``now``;
4. ``party_too_large`` / ``party_too_small``: policy bounds, narrowed by overrides;
5. ``pacing_limit_reached``: the slot's pacing window is full;
6. ``no_table_fits``: no table or combination is free for the whole stay.

A closed day (special day ``closed``/``private_event``, or no services) has no
slots: ``day_availability`` returns ``[]`` and ``day_closed_reason`` says why;
``check_time`` answers ``special_day_closed`` or ``outside_opening_hours``.

A stay blocks its tables for ``[start, start + turn + buffer)``; existing
bookings block ``[start, end + buffer)``.  ``SlotAvailability.end_utc`` is the
guest's end, ``start + turn``, which is what should be stored as the booking's end.
Turn and buffer are elapsed time, so a stay across a DST change lasts as long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from rules.occupancy import Booking, TableOccupancy
from rules.opening_hours import ServiceHours, SpecialDay, services_for_day
from rules.pacing import PacingBook, PacingLimits
from rules.slots import Slot, service_slots
from rules.table_fit import TableOption, TableSpec, table_options
from rules.turn_time import TurnTimeRule, turn_time_minutes


@dataclass(frozen=True, slots=True)
class PartySizeOverride:
    """Narrows party-size bounds for slots on ``day`` with wall-clock time in [start, end)."""

    day: date
    start: time
    end: time
    max_party_size: int | None = None
    min_party_size: int | None = None


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """The restaurant's booking settings."""

    interval_minutes: int = 15
    min_party_size: int = 1
    max_party_size: int = 20
    advance_booking_days: int = 60
    min_notice_minutes: int = 60
    default_turn_minutes: int = 120
    turn_times: tuple[TurnTimeRule, ...] = ()
    buffer_minutes: int = 0
    pacing: PacingLimits = field(default_factory=PacingLimits)
    party_size_overrides: tuple[PartySizeOverride, ...] = ()


class UnavailableReason(StrEnum):
    """Why a slot cannot be booked."""

    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    TOO_SHORT_NOTICE = "too_short_notice"
    BEYOND_BOOKING_WINDOW = "beyond_booking_window"
    PARTY_TOO_LARGE = "party_too_large"
    PARTY_TOO_SMALL = "party_too_small"
    PACING_LIMIT_REACHED = "pacing_limit_reached"
    NO_TABLE_FITS = "no_table_fits"
    SPECIAL_DAY_CLOSED = "special_day_closed"
    IN_THE_PAST = "in_the_past"


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    """The answer for one slot; ``tables`` is the best free option when available."""

    local_time: datetime
    start_utc: datetime
    end_utc: datetime
    available: bool
    reason: UnavailableReason | None
    tables: TableOption | None
    service: str


def party_bounds(policy: BookingPolicy, local_time: datetime) -> tuple[int, int]:
    """Return ``(min, max)`` party size for a slot, with overrides narrowing the policy."""
    low, high = policy.min_party_size, policy.max_party_size
    wall_day, wall_time = local_time.date(), local_time.time()
    for override in policy.party_size_overrides:
        if override.day == wall_day and override.start <= wall_time < override.end:
            if override.min_party_size is not None:
                low = max(low, override.min_party_size)
            if override.max_party_size is not None:
                high = min(high, override.max_party_size)
    return low, high


def day_closed_reason(
    *, day: date, services: Sequence[ServiceHours], special_day: SpecialDay | None
) -> UnavailableReason | None:
    """Why a whole day has no service, or ``None`` when it has one."""
    if special_day is not None and special_day.closes_day:
        return UnavailableReason.SPECIAL_DAY_CLOSED
    if not services_for_day(day, services, special_day):
        return UnavailableReason.OUTSIDE_OPENING_HOURS
    return None


class _Day:
    """Everything precomputed once per request, so each slot is cheap to judge."""

    def __init__(
        self,
        *,
        party_size: int,
        timezone: str,
        policy: BookingPolicy,
        tables: Sequence[TableSpec],
        bookings: Sequence[Booking],
        now: datetime,
        seating_area: str | None,
        features: frozenset[str],
        staff: bool,
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.party_size = party_size
        self.policy = policy
        turn = turn_time_minutes(party_size, policy.turn_times, policy.default_turn_minutes)
        self.stay = timedelta(minutes=turn)
        buffer = timedelta(minutes=policy.buffer_minutes)
        self.blocked = self.stay + buffer
        self.now = now
        self.earliest = now + timedelta(minutes=policy.min_notice_minutes)
        today = now.astimezone(ZoneInfo(timezone)).date()
        self.last_day = today + timedelta(days=policy.advance_booking_days)
        self.options = table_options(
            party_size=party_size,
            tables=tables,
            seating_area=seating_area,
            features=features,
            staff=staff,
        )
        self.occupancy = TableOccupancy(bookings, buffer=buffer)
        self.pacing = PacingBook(((b.start_utc, b.covers) for b in bookings), policy.pacing)

    def judge(self, slot: Slot) -> SlotAvailability:
        reason: UnavailableReason | None = None
        chosen: TableOption | None = None
        start = slot.start_utc
        low, high = party_bounds(self.policy, slot.local_time)
        if slot.local_time.date() > self.last_day:
            reason = UnavailableReason.BEYOND_BOOKING_WINDOW
        elif start <= self.now:
            reason = UnavailableReason.IN_THE_PAST
        elif start < self.earliest:
            reason = UnavailableReason.TOO_SHORT_NOTICE
        elif self.party_size > high:
            reason = UnavailableReason.PARTY_TOO_LARGE
        elif self.party_size < low:
            reason = UnavailableReason.PARTY_TOO_SMALL
        elif not self.pacing.allows(start, self.party_size):
            reason = UnavailableReason.PACING_LIMIT_REACHED
        else:
            end = start + self.blocked
            chosen = next(
                (o for o in self.options if self.occupancy.all_free(o.table_ids, start, end)),
                None,
            )
            if chosen is None:
                reason = UnavailableReason.NO_TABLE_FITS
        return SlotAvailability(
            local_time=slot.local_time,
            start_utc=start,
            end_utc=start + self.stay,
            available=reason is None,
            reason=reason,
            tables=chosen,
            service=slot.service,
        )


def day_availability(
    *,
    day: date,
    party_size: int,
    timezone: str,
    services: Sequence[ServiceHours],
    special_day: SpecialDay | None,
    policy: BookingPolicy,
    tables: Sequence[TableSpec],
    bookings: Sequence[Booking],
    now: datetime,
    seating_area: str | None = None,
    features: frozenset[str] = frozenset(),
    staff: bool = False,
) -> list[SlotAvailability]:
    """Return every slot of ``day`` with its availability (``[]`` on a closed day).

    ``bookings`` must be the active bookings only; ``now`` is aware UTC.
    """
    slots = service_slots(
        day=day,
        services=services,
        timezone=timezone,
        interval_minutes=policy.interval_minutes,
        special_day=special_day,
    )
    if not slots:
        return []
    judge = _Day(
        party_size=party_size,
        timezone=timezone,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
    )
    return [judge.judge(slot) for slot in slots]


def check_time(
    *,
    day: date,
    local_time: time,
    party_size: int,
    timezone: str,
    services: Sequence[ServiceHours],
    special_day: SpecialDay | None,
    policy: BookingPolicy,
    tables: Sequence[TableSpec],
    bookings: Sequence[Booking],
    now: datetime,
    seating_area: str | None = None,
    features: frozenset[str] = frozenset(),
    staff: bool = False,
) -> SlotAvailability:
    """Answer for one wall-clock time of ``day``'s services.

    A time after midnight matches the overnight slot of ``day``'s service (dated
    the next day).  A time that is not a slot answers ``outside_opening_hours``
    (``special_day_closed`` on a closed special day).
    """
    slots = service_slots(
        day=day,
        services=services,
        timezone=timezone,
        interval_minutes=policy.interval_minutes,
        special_day=special_day,
    )
    wanted = local_time.replace(tzinfo=None, fold=0)
    slot = next((s for s in slots if s.local_time.time() == wanted), None)
    if slot is None:
        wall = datetime.combine(day, wanted)
        start_utc = wall.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        closed = day_closed_reason(day=day, services=services, special_day=special_day)
        return SlotAvailability(
            local_time=wall,
            start_utc=start_utc,
            end_utc=start_utc,
            available=False,
            reason=closed or UnavailableReason.OUTSIDE_OPENING_HOURS,
            tables=None,
            service="",
        )
    judge = _Day(
        party_size=party_size,
        timezone=timezone,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
    )
    return judge.judge(slot)
