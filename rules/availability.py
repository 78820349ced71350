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
from functools import lru_cache
from zoneinfo import ZoneInfo

from rules.occupancy import Booking, busy_masks
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


@dataclass(frozen=True, slots=True)
class _Seating:
    """The table options for a party, with each option's tables as a bit mask."""

    options: tuple[TableOption, ...]
    masks: tuple[int, ...]  # parallel to ``options``
    bits: dict[str, int]  # one bit per table used by any option


@lru_cache(maxsize=8192)
def _seating(
    party_size: int,
    tables: tuple[TableSpec, ...],
    seating_area: str | None,
    features: frozenset[str],
    staff: bool,
) -> _Seating:
    """Memoised ``table_options`` and their masks: a floor changes far less than bookings."""
    options = tuple(
        table_options(
            party_size=party_size,
            tables=tables,
            seating_area=seating_area,
            features=features,
            staff=staff,
        )
    )
    bits: dict[str, int] = {}
    for option in options:
        for table_id in option.table_ids:
            bits.setdefault(table_id, 1 << len(bits))
    masks = tuple(sum(bits[t] for t in set(o.table_ids)) for o in options)
    return _Seating(options, masks, bits)


class _Day:
    """Everything precomputed once per request, so each slot is cheap to judge."""

    def __init__(
        self,
        *,
        slots: Sequence[Slot],
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
        self.slots = slots
        self.party_size = party_size
        self.policy = policy
        turn = turn_time_minutes(party_size, policy.turn_times, policy.default_turn_minutes)
        self.stay = timedelta(minutes=turn)
        buffer = timedelta(minutes=policy.buffer_minutes)
        self.now = now
        self.earliest = now + timedelta(minutes=policy.min_notice_minutes)
        today = now.astimezone(ZoneInfo(timezone)).date()
        self.last_day = today + timedelta(days=policy.advance_booking_days)
        seating = _seating(party_size, tuple(tables), seating_area, features, staff)
        self.choices = tuple(zip(seating.masks, seating.options, strict=True))
        self.busy = busy_masks(
            bookings if seating.options else (),
            bits=seating.bits,
            starts=[slot.start_utc for slot in slots],
            length=self.stay + buffer,
            buffer=buffer,
        )
        self.pacing = (
            None
            if policy.pacing.unlimited
            else PacingBook(((b.start_utc, b.covers) for b in bookings), policy.pacing)
        )

    def answers(self) -> list[SlotAvailability]:
        """Judge every slot, in order."""
        return [self.judge(slot, busy) for slot, busy in zip(self.slots, self.busy, strict=True)]

    def nearest_available(self, wanted: datetime) -> SlotAvailability | None:
        """Judge slots nearest to ``wanted`` (wall clock) first; the first available one."""
        if not self.choices:
            return None  # no table or combination can seat the party at all
        order = sorted(
            range(len(self.slots)),
            key=lambda i: (abs(self.slots[i].local_time - wanted), self.slots[i].local_time),
        )
        for i in order:
            answer = self.judge(self.slots[i], self.busy[i])
            if answer.available:
                return answer
        return None

    def judge(self, slot: Slot, busy: int) -> SlotAvailability:
        """The answer for ``slot``, given the mask of tables busy during its stay."""
        reason: UnavailableReason | None = None
        chosen: TableOption | None = None
        start = slot.start_utc
        if self.policy.party_size_overrides:
            low, high = party_bounds(self.policy, slot.local_time)
        else:
            low, high = self.policy.min_party_size, self.policy.max_party_size
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
        elif self.pacing is not None and not self.pacing.allows(start, self.party_size):
            reason = UnavailableReason.PACING_LIMIT_REACHED
        else:
            chosen = next((option for mask, option in self.choices if not mask & busy), None)
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


def _slots_between(
    day: date,
    services: Sequence[ServiceHours],
    timezone: str,
    policy: BookingPolicy,
    special_day: SpecialDay | None,
    between: tuple[datetime, datetime] | None,
) -> list[Slot]:
    """The day's slots, only those with local time in ``between`` (both included) if given."""
    slots = service_slots(
        day=day,
        services=services,
        timezone=timezone,
        interval_minutes=policy.interval_minutes,
        special_day=special_day,
    )
    if between is None:
        return slots
    low, high = between
    return [slot for slot in slots if low <= slot.local_time <= high]


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
    between: tuple[datetime, datetime] | None = None,
) -> list[SlotAvailability]:
    """Return every slot of ``day`` with its availability (``[]`` on a closed day).

    ``bookings`` must be the active bookings only; ``now`` is aware UTC.  With
    ``between`` (naive local wall-clock bounds, both included) only the slots in
    it are judged and returned; each slot's answer is the same either way.
    """
    slots = _slots_between(day, services, timezone, policy, special_day, between)
    if not slots:
        return []
    return _Day(
        slots=slots,
        party_size=party_size,
        timezone=timezone,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
    ).answers()


def nearest_available(
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
    wanted: datetime,
    between: tuple[datetime, datetime],
    seating_area: str | None = None,
    features: frozenset[str] = frozenset(),
    staff: bool = False,
) -> SlotAvailability | None:
    """The available slot of ``day`` within ``between`` nearest to ``wanted``, or ``None``.

    ``wanted`` and ``between`` are naive local wall-clock times; ties go to the
    earlier slot.  The answer is the available slot of ``day_availability(...,
    between=between)`` with the smallest ``(|local_time - wanted|, local_time)``,
    found by judging slots nearest first and stopping at the first available one.
    """
    slots = _slots_between(day, services, timezone, policy, special_day, between)
    if not slots:
        return None
    return _Day(
        slots=slots,
        party_size=party_size,
        timezone=timezone,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
    ).nearest_available(wanted)


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
    return _Day(
        slots=[slot],
        party_size=party_size,
        timezone=timezone,
        policy=policy,
        tables=tables,
        bookings=bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
    ).answers()[0]
