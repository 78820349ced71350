"""The demand forecast capacity protection needs, from the restaurant's past days.

For a day to replay (or, later, to book), the forecast is the requests made for the
same weekday over the last N weeks: how many parties of each size asked for each
time, on average per past day, as ``ForecastClass`` items, and the booking curve,
how a day's requests spread over lead time. Every reservation that was requested
counts, whatever became of it (cancelled, no-show, declined, expired hold): they
all asked for a table. So does every request turned away as full
(``turned_away_requests``, recorded since 2026-11-28), so a busy day's demand is not
cut down to what fitted; days before that record only what was booked.

The pure part (rows -> forecast, lead times -> curve) is separate from the loader
so each can be tested on its own.
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Subquery, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Reservation, TurnedAwayRequest
from rules.availability import BookingPolicy
from rules.opening_hours import ServiceHours
from rules.turn_time import turn_time_minutes
from services.optimizer.admission import ForecastClass
from services.turned_away import not_booked_since

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class PastRequests:
    """How many parties of ``party_size`` asked for ``local_time`` on one past ``day``."""

    day: date
    local_time: time
    party_size: int
    requests: int


@dataclass(frozen=True, slots=True)
class BookingCurve:
    """Lead times (minutes before the reservation) of the past days' requests, sorted."""

    lead_minutes: tuple[int, ...] = ()

    def still_to_come(self, lead_minutes: int | None) -> float:
        """Share of a day's requests made at ``lead_minutes`` before it or later.

        ``None`` (no lead time known) is "booked well ahead": the whole day is still
        to come. With no past requests the share is 1 as well.
        """
        if lead_minutes is None or not self.lead_minutes:
            return 1.0
        return bisect_right(self.lead_minutes, max(lead_minutes, 0)) / len(self.lead_minutes)


@dataclass(frozen=True, slots=True)
class Forecast:
    """The forecast classes, the booking curve and how many past days they come from."""

    classes: tuple[ForecastClass, ...]
    curve: BookingCurve
    past_days: int

    @property
    def requests_a_day(self) -> float:
        """Expected requests on the day, all classes together."""
        return sum(c.expected for c in self.classes)


def first_opening(services: Sequence[ServiceHours], day: date) -> time:
    """Where the forecast's minutes count from: the day's earliest regular opening.

    Past days of the same weekday share the regular services, so their times and the
    replayed day's times count from the same origin (midnight on a day without one).
    """
    opens = [s.opens for s in services if s.weekday == day.weekday()]
    return min(opens) if opens else time(0)


def minute_of(local_time: time, opening: time) -> int:
    """Minutes from ``opening`` to ``local_time``; a time after midnight follows the evening."""
    minutes = (local_time.hour - opening.hour) * 60 + local_time.minute - opening.minute
    return minutes % MINUTES_A_DAY


def stay_minutes(party_size: int, policy: BookingPolicy) -> int:
    """The engine's turn time for a party of ``party_size`` under ``policy``."""
    return turn_time_minutes(party_size, policy.turn_times, policy.default_turn_minutes)


def forecast_classes(
    rows: Iterable[PastRequests], *, opening: time, policy: BookingPolicy
) -> tuple[ForecastClass, ...]:
    """Average requests per (party size, time) over the past days that had any request.

    A past day without a single request (closed, or before the restaurant used the
    system) does not count as a day of zero demand.
    """
    per_class: defaultdict[tuple[int, int], int] = defaultdict(int)
    days: set[date] = set()
    for row in rows:
        if row.requests <= 0:
            continue
        days.add(row.day)
        per_class[(row.party_size, minute_of(row.local_time, opening))] += row.requests
    return tuple(
        ForecastClass(
            size=size,
            start=start,
            stay=stay_minutes(size, policy),
            expected=count / len(days),
        )
        for (size, start), count in sorted(per_class.items())
    )


def lead_minutes(starts_at: datetime, created_at: datetime) -> int:
    """Whole minutes between a request and the reservation (0 when made after it began)."""
    return max(int((starts_at - created_at).total_seconds() // 60), 0)


def past_days(day: date, weeks: int) -> list[date]:
    """The same weekday in each of the ``weeks`` weeks before ``day`` (local dates)."""
    return [day - timedelta(weeks=n) for n in range(1, weeks + 1)]


def requests_made(restaurant_id: uuid.UUID, days: Sequence[date]) -> Subquery:
    """Every request made for ``days``, one row each: the booked (whatever became of
    them) and those turned away as full. Columns: request_id, day, local_time,
    party_size, seating_area, starts_at, asked_at.

    A request refused and later booked under the same id (a retried idempotency key)
    counts once, as its booking.
    """
    booked = select(
        Reservation.id.label("request_id"),
        Reservation.reservation_date.label("day"),
        Reservation.reservation_time.label("local_time"),
        Reservation.party_size.label("party_size"),
        Reservation.seating_preference.label("seating_area"),
        Reservation.starts_at.label("starts_at"),
        Reservation.created_at.label("asked_at"),
    ).where(Reservation.restaurant_id == restaurant_id, Reservation.reservation_date.in_(days))
    refused = select(
        TurnedAwayRequest.id,
        TurnedAwayRequest.reservation_date,
        TurnedAwayRequest.reservation_time,
        TurnedAwayRequest.party_size,
        TurnedAwayRequest.seating_area,
        TurnedAwayRequest.starts_at,
        TurnedAwayRequest.asked_at,
    ).where(
        TurnedAwayRequest.restaurant_id == restaurant_id,
        TurnedAwayRequest.reservation_date.in_(days),
        not_booked_since(),
    )
    return union_all(booked, refused).subquery("requests")


async def load_forecast(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    weeks: int,
    opening: time,
    policy: BookingPolicy,
) -> Forecast:
    """The forecast for ``day`` from the restaurant's requests on the same weekday over
    the last ``weeks`` weeks (see the module's docstring for what counts).

    Reservations carry the restaurant's local date, so the weekday and the weeks are
    the restaurant's own, whatever the clock changes between them.
    """
    made = requests_made(restaurant_id, past_days(day, weeks))
    counted = await session.execute(
        select(made.c.day, made.c.local_time, made.c.party_size, func.count()).group_by(
            made.c.day, made.c.local_time, made.c.party_size
        )
    )
    rows = [PastRequests(d, t, size, n) for d, t, size, n in counted]
    # lead times need instants' differences, which the two databases spell differently;
    # a few hundred rows a weekday are cheap to subtract here
    leads = await session.execute(select(made.c.starts_at, made.c.asked_at))
    curve = BookingCurve(tuple(sorted(lead_minutes(s, a) for s, a in leads)))
    return Forecast(
        classes=forecast_classes(rows, opening=opening, policy=policy),
        curve=curve,
        past_days=len({r.day for r in rows}),
    )
