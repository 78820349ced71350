"""The capacity-protection forecast: the pure averaging by hand, and the SQL loader
against a plain-Python oracle on PostgreSQL and SQLite (hypothesis; a new restaurant
per example; past weeks straddle the spring DST change in Amsterdam).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.enums import ReservationStatus
from models.orm import Guest
from rules.availability import BookingPolicy
from rules.turn_time import TurnTimeRule
from services.optimizer.admission import ForecastClass
from services.optimizer.forecast import (
    BookingCurve,
    PastRequests,
    forecast_classes,
    load_forecast,
    past_days,
)
from tests.analytics.history import a_restaurant
from tests.conftest import Database
from tests.demand import add_request

ZONE = ZoneInfo("Europe/Amsterdam")
# a Tuesday after the clock change of Sunday 29 March 2026; three weeks back reach
# Tuesday 10 March, before it
DAY = date(2026, 3, 31)
WEEKS = 3
OPENING = time(12)
POLICY = BookingPolicy(
    default_turn_minutes=100, turn_times=(TurnTimeRule(3, 130), TurnTimeRule(6, 170))
)
STAY = {size: 100 if size < 3 else 130 if size < 6 else 170 for size in range(1, 9)}
TIMES = (time(0, 30), time(12), time(13, 30), time(19), time(23, 30))


def test_the_forecast_averages_over_the_past_days_with_requests() -> None:
    d1, d2 = date(2026, 3, 3), date(2026, 3, 10)
    rows = [
        PastRequests(d1, time(19), 4, 3),
        PastRequests(d1, time(19), 2, 1),
        PastRequests(d2, time(19), 4, 1),
        PastRequests(d2, time(0, 30), 2, 2),  # after midnight: the evening's end
        PastRequests(date(2026, 2, 24), time(19), 2, 0),  # no request: not a day of data
    ]
    policy = BookingPolicy(default_turn_minutes=60, turn_times=(TurnTimeRule(2, 90),))
    assert forecast_classes(rows, opening=time(17), policy=policy) == (
        ForecastClass(size=2, start=120, stay=90, expected=0.5),
        ForecastClass(size=2, start=450, stay=90, expected=1.0),
        ForecastClass(size=4, start=120, stay=90, expected=2.0),
    )
    assert forecast_classes([], opening=time(17), policy=policy) == ()


def test_the_booking_curve_is_the_share_made_at_a_lead_time_or_later() -> None:
    curve = BookingCurve((0, 60, 60, 1440))
    assert curve.still_to_come(None) == 1.0  # booked well ahead
    assert curve.still_to_come(100_000) == 1.0
    assert curve.still_to_come(60) == 0.75
    assert curve.still_to_come(59) == 0.25
    assert curve.still_to_come(-5) == 0.25  # made after the start counts as at the start
    assert BookingCurve().still_to_come(0) == 1.0
    assert past_days(DAY, 2) == [date(2026, 3, 24), date(2026, 3, 17)]


@dataclass(frozen=True)
class Asked:
    days_before: int  # before DAY; negative: after it
    at: time
    party: int
    status: ReservationStatus
    lead_minutes: int
    elsewhere: bool  # at another restaurant
    # booked, turned away as full, or turned away and then booked under the same id
    # (a retried key): each counts once
    kept: str = "booked"

    @property
    def day(self) -> date:
        return DAY - timedelta(days=self.days_before)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.at, tzinfo=ZONE).astimezone(UTC)


asked = st.builds(
    Asked,
    # the same weekday in and out of the window, other weekdays, the day itself, after it
    days_before=st.one_of(st.sampled_from([0, 7, 14, 21, 28, -7]), st.integers(-3, 30)),
    at=st.sampled_from(TIMES),
    party=st.integers(1, 8),
    status=st.sampled_from(list(ReservationStatus)),
    lead_minutes=st.one_of(st.sampled_from([0, 1, 1440]), st.integers(0, 90 * 1440)),
    elsewhere=st.booleans(),
    kept=st.sampled_from(["booked", "turned_away", "both"]),
)


async def _write(db: Database, rows: list[Asked], here: uuid.UUID, there: uuid.UUID) -> None:
    async with db.sessions() as session:
        guest = Guest(email=f"g-{uuid.uuid4().hex[:8]}@example.com", first_name="G")
        session.add(guest)
        await session.flush()
        for a in rows:
            add_request(
                session,
                restaurant_id=there if a.elsewhere else here,
                guest_id=guest.id,
                day=a.day,
                at=a.at,
                starts_at=a.starts_at,
                party=a.party,
                asked_at=a.starts_at - timedelta(minutes=a.lead_minutes),
                turned_away=a.kept != "booked",
                booked=a.kept != "turned_away",
                status=a.status,
            )
        await session.commit()


def _oracle(rows: list[Asked]) -> tuple[list[ForecastClass], list[int], int]:
    """The forecast read straight from the rows: same weekday, within the weeks, here."""
    window = {DAY - timedelta(days=7 * n) for n in range(1, WEEKS + 1)}
    mine = [a for a in rows if not a.elsewhere and a.day in window]
    days = {a.day for a in mine}
    counts: Counter[tuple[int, int]] = Counter()
    for a in mine:
        minutes = (a.at.hour * 60 + a.at.minute) - (OPENING.hour * 60 + OPENING.minute)
        counts[(a.party, minutes if minutes >= 0 else minutes + 24 * 60)] += 1
    classes = [
        ForecastClass(size, start, STAY[size], n / len(days))
        for (size, start), n in sorted(counts.items())
    ]
    return classes, sorted(a.lead_minutes for a in mine), len(days)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(asked, max_size=25))
async def test_the_sql_forecast_matches_the_oracle(db: Database, rows: list[Asked]) -> None:
    here, there = await a_restaurant(db), await a_restaurant(db)
    await _write(db, rows, here, there)
    async with db.sessions() as session:
        forecast = await load_forecast(
            session, restaurant_id=here, day=DAY, weeks=WEEKS, opening=OPENING, policy=POLICY
        )
    classes, leads, days = _oracle(rows)
    assert list(forecast.classes) == classes
    assert list(forecast.curve.lead_minutes) == leads
    assert forecast.past_days == days


async def test_no_history_is_an_empty_forecast(db: Database) -> None:
    here = await a_restaurant(db)
    async with db.sessions() as session:
        forecast = await load_forecast(
            session, restaurant_id=here, day=DAY, weeks=WEEKS, opening=OPENING, policy=POLICY
        )
    assert forecast.classes == () and forecast.curve == BookingCurve()
    assert forecast.past_days == 0 and forecast.requests_a_day == 0
