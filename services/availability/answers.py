"""Availability answers: a day's slots, one time with alternatives (the rules decide)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.schemas.booking import AlternativeSlot
from rules.alternatives import nearest_alternatives
from rules.availability import (
    SlotAvailability,
    UnavailableReason,
    day_availability,
    day_closed_reason,
    nearest_available,
)
from services.availability.inputs import RestaurantInputs, restaurant_inputs

NOT_ACCEPTING = "not_accepting_reservations"  # closed reason when online booking is off
ALTERNATIVE_WINDOW_MINUTES = 90
ALTERNATIVE_DAYS = 3


@dataclass(frozen=True, slots=True)
class DayAnswer:
    """A service day's slots; ``closed_reason`` says why there are none."""

    day: date
    closed_reason: str | None
    slots: list[SlotAvailability]


@dataclass(frozen=True, slots=True)
class Alternative:
    """An available slot offered instead; ``day`` is its local calendar date (what to book with).

    A slot after midnight of a service is dated the next day, as availability lists it.
    """

    day: date
    slot: SlotAvailability


@dataclass(frozen=True, slots=True)
class TimeAnswer:
    """The answer for one wall-clock time, and what else is free."""

    day: date
    local_time: time
    slot: SlotAvailability | None  # None when the time is not a slot of the day
    reason: str | None  # None when available
    alternatives: list[Alternative]

    @property
    def available(self) -> bool:
        """True when the time can be booked."""
        return self.reason is None


def answer_day(
    inputs: RestaurantInputs,
    *,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
    features: frozenset[str] = frozenset(),
    between: tuple[datetime, datetime] | None = None,
) -> DayAnswer:
    """The day's slots from already loaded inputs (pure, no I/O).

    With ``between`` (naive local bounds, both included) only those slots are judged.
    """
    if not inputs.accepts_reservations and not staff:
        return DayAnswer(day, NOT_ACCEPTING, [])
    special = inputs.special_day(day)
    slots = day_availability(
        day=day,
        party_size=party_size,
        timezone=inputs.timezone,
        services=inputs.services,
        special_day=special,
        policy=inputs.policy,
        tables=inputs.tables,
        bookings=inputs.bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
        between=between,
    )
    closed = None
    if not slots:
        reason = day_closed_reason(day=day, services=inputs.services, special_day=special)
        closed = (reason or UnavailableReason.OUTSIDE_OPENING_HOURS).value
    return DayAnswer(day, closed, slots)


def answer_days(
    inputs: RestaurantInputs,
    *,
    first_day: date,
    count: int,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
    features: frozenset[str] = frozenset(),
) -> list[DayAnswer]:
    """Answers for ``count`` consecutive service days from ``first_day`` (pure, no I/O)."""
    return [
        answer_day(
            inputs,
            day=first_day + timedelta(days=i),
            party_size=party_size,
            now=now,
            seating_area=seating_area,
            staff=staff,
            features=features,
        )
        for i in range(count)
    ]


def nearest_in_window(
    inputs: RestaurantInputs,
    *,
    day: date,
    party_size: int,
    now: datetime,
    wanted: datetime,
    between: tuple[datetime, datetime],
    seating_area: str | None = None,
    staff: bool = False,
) -> SlotAvailability | None:
    """The available slot within ``between`` nearest to ``wanted`` (ties: earlier), or None.

    The same slot as the nearest available one of ``answer_day(..., between=between)``,
    without judging the slots further away.
    """
    if not inputs.accepts_reservations and not staff:
        return None
    return nearest_available(
        day=day,
        party_size=party_size,
        timezone=inputs.timezone,
        services=inputs.services,
        special_day=inputs.special_day(day),
        policy=inputs.policy,
        tables=inputs.tables,
        bookings=inputs.bookings,
        now=now,
        wanted=wanted,
        between=between,
        seating_area=seating_area,
        staff=staff,
    )


def _slot_at(answer: DayAnswer, wanted: time, on: date | None = None) -> SlotAvailability | None:
    if on is not None:
        # the slot that starts at this very wall clock (a calendar date is known)
        start = datetime.combine(on, wanted)
        return next((s for s in answer.slots if s.local_time == start), None)
    # an after-midnight time matches the day's overnight slot, as rules.check_time does
    return next((s for s in answer.slots if s.local_time.time() == wanted), None)


def answer_time(
    days: Sequence[DayAnswer], *, local_time: time, on: date | None = None
) -> TimeAnswer:
    """Compose the answer for ``local_time`` on ``days[0]`` with alternatives.

    ``on`` is the calendar date of the start when the caller knows it: only a slot
    starting at that very date and time answers then. Without it an after-midnight
    time is the service day's overnight slot, which is wrong for a date whose own
    wall clock has no slot then (the day before closed, a time in a DST gap).

    Alternatives: available slots within ±90 min on the same day, nearest first,
    then the same time on each following day given in ``days[1:]``.
    """
    first = days[0]
    wanted = local_time.replace(tzinfo=None, fold=0)
    slot = _slot_at(first, wanted, on)
    if slot is None:
        reason: str | None = first.closed_reason or UnavailableReason.OUTSIDE_OPENING_HOURS.value
    else:
        reason = None if slot.available else (slot.reason or UnavailableReason.NO_TABLE_FITS).value
    target = slot.local_time if slot is not None else datetime.combine(on or first.day, wanted)
    alternatives = [
        Alternative(s.local_time.date(), s)
        for s in nearest_alternatives(
            first.slots, wanted=target, window_minutes=ALTERNATIVE_WINDOW_MINUTES
        )
        if s is not slot
    ]
    for later in days[1:]:
        other = _slot_at(later, wanted)
        if other is not None and other.available:
            alternatives.append(Alternative(other.local_time.date(), other))
    return TimeAnswer(first.day, wanted, slot, reason, alternatives)


def alternative_slots(
    answer: TimeAnswer, *, without_requested: bool = False
) -> list[AlternativeSlot]:
    """The answer's alternatives as the API shows them (optionally not the asked time itself)."""
    return [
        AlternativeSlot(
            date=alt.day,
            time=alt.slot.local_time.time(),
            starts_at=alt.slot.start_utc,
            table_numbers=list(alt.slot.tables.numbers) if alt.slot.tables else [],
        )
        for alt in answer.alternatives
        if not (
            without_requested
            and alt.day == answer.day
            and alt.slot.local_time.time() == answer.local_time
        )
    ]


async def day_answer(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
) -> DayAnswer:
    """The day's slots with availability for a party (uncached)."""
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=staff
    )
    return answer_day(
        inputs, day=day, party_size=party_size, now=now, seating_area=seating_area, staff=staff
    )


async def day_answer_near(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    near: datetime,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
) -> DayAnswer | None:
    """The public answer for the day's slots within the alternatives' window of ``near``.

    ``near`` is a slot's naive local time. Only the slots that can be that time or its
    same-day alternatives are judged; each one's answer is the one ``day_answer`` gives.
    None when the restaurant is inactive (NotFoundError when unknown), so the caller
    can say why in its own words.
    """
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=True
    )
    if not inputs.is_active:
        return None
    window = timedelta(minutes=ALTERNATIVE_WINDOW_MINUTES)
    return answer_day(
        inputs,
        day=day,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        between=(near - window, near + window),
    )


async def day_slots(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
) -> list[SlotAvailability]:
    """The day's slots with availability for a party (``[]`` on a closed day)."""
    answer = await day_answer(
        session,
        restaurant_id=restaurant_id,
        day=day,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        staff=staff,
    )
    return answer.slots


async def time_answer(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    local_time: time,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
    features: frozenset[str] = frozenset(),
    exclude_reservation_id: uuid.UUID | None = None,
) -> TimeAnswer:
    """The answer for one time with alternatives (same day ±90 min, then the next 3 days)."""
    last = day + timedelta(days=ALTERNATIVE_DAYS)
    inputs = await restaurant_inputs(
        session,
        restaurant_id=restaurant_id,
        first_day=day,
        last_day=last,
        now=now,
        staff=staff,
        exclude_reservation_id=exclude_reservation_id,
    )
    days = answer_days(
        inputs,
        first_day=day,
        count=ALTERNATIVE_DAYS + 1,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        staff=staff,
        features=features,
    )
    return answer_time(days, local_time=local_time)
