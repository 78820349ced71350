"""A date range of a restaurant's local days and how an instant falls into one of them.

Reservations store their local date already; instants (created_at, seated_at, a
notification's time) are UTC. Their local day is found from the UTC instants at which
each local day starts, computed here with the restaurant's zoneinfo: a DST day is 23
or 25 hours long, so a fixed offset would put 23:30 on such a day on the wrong date.
The SQL is an integer CASE over runs of 24-hour days, identical on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, literal

from services.analytics.sql import epoch_seconds

EPOCH_DAY = date(1970, 1, 1)
DAY_SECONDS = 86_400
# the longest range any figure covers: two years (a leap day included)
MAX_DAYS = 731


def day_index(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH_DAY).days


def local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the local `day` starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive local days that all start `DAY_SECONDS` apart (or one odd-length day)."""

    first_day: int  # day index of the run's first day
    starts: int  # epoch seconds at which that day starts
    ends: int  # epoch seconds at which the run ends
    uniform: bool


@dataclass(frozen=True, slots=True)
class Window:
    """[date_from, date_to] (both included) in `timezone`, with its UTC bounds."""

    timezone: str
    date_from: date
    date_to: date
    starts_at: datetime = field(init=False)
    ends_at: datetime = field(init=False)
    runs: tuple[Run, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        zone = ZoneInfo(self.timezone)
        bounds = [
            local_midnight_utc(self.date_from + timedelta(days=i), zone)
            for i in range(self.days + 1)
        ]
        object.__setattr__(self, "starts_at", bounds[0])
        object.__setattr__(self, "ends_at", bounds[-1])
        object.__setattr__(self, "runs", tuple(_runs(self.date_from, bounds)))

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def each_day(self) -> list[date]:
        return [self.date_from + timedelta(days=i) for i in range(self.days)]

    def local_day(self, instant: Any) -> ColumnElement[int]:
        """SQL: the day index of the local day the UTC `instant` column falls on.

        Only meaningful for instants inside [starts_at, ends_at); filter on those first.
        """
        seconds = epoch_seconds(instant)
        whens: list[tuple[ColumnElement[bool], ColumnElement[int]]] = []
        for run in self.runs:
            value: ColumnElement[int] = literal(run.first_day)
            if run.uniform:
                # integer division of a non-negative offset: the same floor on both databases
                value = literal(run.first_day) + (seconds - literal(run.starts)) // DAY_SECONDS
            whens.append((seconds < literal(run.ends), value))
        return case(*whens, else_=None)


def _runs(first: date, bounds: list[datetime]) -> list[Run]:
    runs: list[Run] = []
    for i in range(len(bounds) - 1):
        starts = int(bounds[i].timestamp())
        ends = int(bounds[i + 1].timestamp())
        uniform = ends - starts == DAY_SECONDS
        last = runs[-1] if runs else None
        if last is not None and last.uniform and uniform and last.ends == starts:
            runs[-1] = Run(last.first_day, last.starts, ends, True)
        else:
            runs.append(Run(day_index(first) + i, starts, ends, uniform))
    return runs
