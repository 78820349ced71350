"""Opening hours: the services a restaurant runs each weekday, and special days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

SpecialDayKind = Literal["closed", "private_event", "custom_hours", "weather"]
_CLOSING_KINDS: frozenset[str] = frozenset({"closed", "private_event"})
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """One service (e.g. lunch, dinner) on one weekday (0 = Monday).

    ``closes <= opens`` means the service runs past midnight; it still belongs to
    the weekday it starts on (Friday 18:00-01:00 is Friday's).  ``last_seating``
    defaults to ``closes`` and may itself fall after midnight.
    """

    name: str
    weekday: int
    opens: time
    closes: time
    last_seating: time | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6 (0 = Monday), got {self.weekday}")

    @property
    def runs_past_midnight(self) -> bool:
        """True when the service closes on the next calendar day."""
        return self.closes <= self.opens

    def seating_window(self, day: date) -> tuple[datetime, datetime]:
        """Return the naive wall-clock (first seating, last seating) on ``day``."""
        first = datetime.combine(day, self.opens)
        last_time = self.closes if self.last_seating is None else self.last_seating
        last = datetime.combine(day, last_time)
        # A last seating earlier than opening can only mean "after midnight".
        if last_time < self.opens or (self.last_seating is None and self.runs_past_midnight):
            last += _ONE_DAY
        return first, last


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """An exception for one date.

    ``closed`` and ``private_event`` close the day; ``custom_hours`` replaces the
    day's services with ``services`` (their ``weekday`` is ignored); ``weather``
    is informational only.
    """

    kind: SpecialDayKind
    services: tuple[ServiceHours, ...] = ()
    note: str = ""

    @property
    def closes_day(self) -> bool:
        """True when no guests can be booked on this day."""
        return self.kind in _CLOSING_KINDS


def services_for_day(
    day: date, services: Sequence[ServiceHours], special_day: SpecialDay | None = None
) -> tuple[ServiceHours, ...]:
    """Return the services that start on ``day``, honouring a special day."""
    if special_day is not None:
        if special_day.closes_day:
            return ()
        if special_day.kind == "custom_hours":
            return special_day.services
    weekday = day.weekday()
    return tuple(service for service in services if service.weekday == weekday)


def window_after_midnight(day_services: Sequence[ServiceHours], time_from: time) -> bool:
    """True when a wanted window starting at ``time_from`` lies after midnight of the day
    whose services these are: the day has a service running past midnight, the window
    starts before that service closes, and before every service of the day opens
    (00:30 of a 22:00-06:00 night; never 09:00 before an 11:00 lunch)."""
    overnight = [s for s in day_services if s.runs_past_midnight]
    return (
        bool(overnight)
        and all(time_from < s.opens for s in day_services)
        and any(time_from < s.closes for s in overnight)
    )
