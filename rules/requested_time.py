"""What a booking's or an availability query's date and time mean, and when they are invalid.

A requested ``date`` + ``time`` is the restaurant's *local calendar date and
wall-clock time of the start*: what the guest sees on the clock.  A slot after
midnight (00:30 of a dinner service that runs 18:00-02:00) is dated the next
calendar day, like the availability answer lists it, and belongs to the
previous day's service: ``slot_service_day`` finds that service day.

Invalid input is not the same as "not available": a date before today (on the
restaurant's clock) or a time off the slot grid can never be booked, so it is a
client error naming the field, not a refusal with alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rules.opening_hours import ServiceHours, SpecialDay
from rules.slots import service_slots

IN_THE_PAST = "in_the_past"
NOT_ON_SLOT_GRID = "not_on_slot_grid"


@dataclass(frozen=True, slots=True)
class RequestProblem:
    """Why a requested date or time is invalid input: the field, a reason code, a sentence."""

    field: str
    reason: str
    detail: str


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def on_slot_grid(local_time: time, *, interval_minutes: int, openings: Iterable[time] = ()) -> bool:
    """True when ``local_time`` is a whole number of intervals after midnight or an opening.

    Slots step ``interval_minutes`` from each service's opening time, so a time that
    no service's steps (nor the plain clock grid) can reach is never a slot.
    """
    if local_time.second or local_time.microsecond:
        return False
    minutes = _minutes(local_time)
    return any(
        (minutes - _minutes(start)) % interval_minutes == 0 for start in (time(0), *openings)
    )


def requested_time_problem(
    *,
    day: date,
    local_time: time | None,
    today: date,
    interval_minutes: int,
    openings: Iterable[time] = (),
) -> RequestProblem | None:
    """The first problem of a requested local ``day`` (and ``local_time``), or ``None``.

    ``today`` is the current date on the restaurant's clock.  Today itself is not
    in the past: its slots that have started are refused one by one
    (``in_the_past`` as an availability reason, with alternatives).
    """
    if day < today:
        return RequestProblem(
            "date", IN_THE_PAST, f"{day.isoformat()} is before today ({today.isoformat()})"
        )
    if local_time is not None and not on_slot_grid(
        local_time, interval_minutes=interval_minutes, openings=openings
    ):
        return RequestProblem(
            "time",
            NOT_ON_SLOT_GRID,
            f"{local_time.isoformat()} is not a slot time: slots are every "
            f"{interval_minutes} minutes",
        )
    return None


def slot_service_day(
    *,
    day: date,
    local_time: time,
    timezone: str,
    interval_minutes: int,
    services: Sequence[ServiceHours],
    special_day_of: Callable[[date], SpecialDay | None],
) -> date | None:
    """The service day whose slot starts at local ``day`` ``local_time``, or ``None``.

    ``day``'s own services are tried first, then the previous day's (whose slots
    after midnight carry ``day``'s date).
    """
    wall = datetime.combine(day, local_time.replace(tzinfo=None, fold=0))
    for service_day in (day, day - timedelta(days=1)):
        slots = service_slots(
            day=service_day,
            services=services,
            timezone=timezone,
            interval_minutes=interval_minutes,
            special_day=special_day_of(service_day),
        )
        if any(slot.local_time == wall for slot in slots):
            return service_day
    return None
