"""Analytics a manager acts on: volume, no-shows, lead times, popular slots, revenue and
RevPASH, turn times (with a suggested table to accept), and a dashboard of the headlines.

Every figure covers `date_from`..`date_to` (the restaurant's local days, both included,
at most two years) and comes as JSON or, with `format=csv`, as CSV. Managers of the
restaurant (and admins) only; another restaurant's staff get 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import CacheDep, ManagerOf, SessionDep
from api.problems import InvalidInput
from models.orm import Restaurant
from models.schemas.analytics import (
    AcceptTurnTimes,
    DashboardOut,
    LeadTimesOut,
    NoShowsOut,
    RevenueOut,
    SlotsOut,
    TurnedAwayOut,
    TurnTimesOut,
    VolumeOut,
)
from models.schemas.common import ServiceDate
from models.schemas.restaurant import BookingSettings
from services import restaurants
from services.analytics import reports
from services.analytics.csv_export import to_csv
from services.analytics.turn_times import MIN_SAMPLES
from services.analytics.window import MAX_DAYS, Window
from services.availability.cache import invalidate_restaurant

router = APIRouter(prefix="/analytics/restaurant/{restaurant_id}", tags=["analytics"])

Format = Literal["json", "csv"]
CSV_NOTE = "json (default) or csv: one line per section, bucket and metric"


def window_of(restaurant: Restaurant, date_from: dt.date, date_to: dt.date) -> Window:
    """The checked range: 422 naming date_to when reversed or longer than two years."""
    if date_to < date_from:
        raise InvalidInput("date_to: must not be before date_from", field="date_to")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"date_to: a range covers at most {MAX_DAYS} days (two years)", field="date_to"
        )
    return reports.window_of(restaurant, date_from, date_to)


@dataclass(frozen=True, slots=True)
class Range:
    """The range query parameters of every analytics route."""

    date_from: dt.date
    date_to: dt.date
    format: Format


async def range_query(
    date_from: Annotated[ServiceDate, Query(description="first local day (YYYY-MM-DD)")],
    date_to: Annotated[ServiceDate, Query(description="last local day, included")],
    format: Annotated[Format, Query(description=CSV_NOTE)] = "json",
) -> Range:
    """The range from the query (a coroutine: FastAPI runs it on the event loop)."""
    return Range(date_from, date_to, format)


RangeDep = Annotated[Range, Depends(range_query)]
Answer = TypeVar("Answer", bound=BaseModel)


async def _answer(
    scope: ManagerOf,
    session: AsyncSession,
    query: Range,
    report: Callable[..., Awaitable[Answer]],
    name: str,
) -> Answer | Response:
    restaurant = await restaurants.get_restaurant(session, restaurant_id=scope.restaurant_id)
    window = window_of(restaurant, query.date_from, query.date_to)
    answer = await report(session, restaurant=restaurant, window=window)
    if query.format == "csv":
        filename = f"{name}-{window.date_from}-{window.date_to}.csv"
        return Response(
            to_csv(answer),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return answer


CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.get(
    "/dashboard",
    response_model=DashboardOut,
    responses=CSV_RESPONSE,
    summary="Headline figures: covers, outcomes, guests, waitlist, messages, money",
)
async def dashboard(
    scope: ManagerOf, session: SessionDep, query: RangeDep
) -> DashboardOut | Response:
    """Headline figures of the range."""
    return await _answer(scope, session, query, reports.dashboard, "dashboard")


@router.get(
    "/volume",
    response_model=VolumeOut,
    responses=CSV_RESPONSE,
    summary="Covers and parties per local day and service, table turnover, channel mix",
)
async def volume(scope: ManagerOf, session: SessionDep, query: RangeDep) -> VolumeOut | Response:
    """Covers and parties per local day and service."""
    return await _answer(scope, session, query, reports.volume, "volume")


@router.get(
    "/no-shows",
    response_model=NoShowsOut,
    responses=CSV_RESPONSE,
    summary="No-show and late-cancellation rates by channel, party size, lead time, weekday",
)
async def no_shows(scope: ManagerOf, session: SessionDep, query: RangeDep) -> NoShowsOut | Response:
    """No-show and late-cancellation rates, in total and broken down."""
    return await _answer(scope, session, query, reports.no_show_report, "no-shows")


@router.get(
    "/lead-times",
    response_model=LeadTimesOut,
    responses=CSV_RESPONSE,
    summary="How far ahead guests book, in bands",
)
async def lead_times(
    scope: ManagerOf, session: SessionDep, query: RangeDep
) -> LeadTimesOut | Response:
    """How far ahead guests book."""
    return await _answer(scope, session, query, reports.lead_time_report, "lead-times")


@router.get(
    "/slots",
    response_model=SlotsOut,
    responses=CSV_RESPONSE,
    summary="Popular slots: bookings per weekday and start time (heat map data)",
)
async def popular_slots(
    scope: ManagerOf, session: SessionDep, query: RangeDep
) -> SlotsOut | Response:
    """Bookings per weekday and start time."""
    return await _answer(scope, session, query, reports.slot_report, "slots")


@router.get(
    "/turned-away",
    response_model=TurnedAwayOut,
    responses=CSV_RESPONSE,
    summary="Requests and covers turned away as full: per day, channel, weekday and time",
)
async def turned_away(
    scope: ManagerOf, session: SessionDep, query: RangeDep
) -> TurnedAwayOut | Response:
    """Demand the restaurant had no room for."""
    return await _answer(scope, session, query, reports.turned_away_report, "turned-away")


@router.get(
    "/revenue",
    response_model=RevenueOut,
    responses=CSV_RESPONSE,
    summary="Revenue per local day, deposits, and RevPASH (saying what revenue rests on)",
)
async def revenue(scope: ManagerOf, session: SessionDep, query: RangeDep) -> RevenueOut | Response:
    """Revenue, deposits and RevPASH per local day."""
    return await _answer(scope, session, query, reports.revenue, "revenue")


@router.get(
    "/turn-times",
    response_model=TurnTimesOut,
    responses=CSV_RESPONSE,
    summary="Planned vs actual turn times per party size, and the table they suggest",
)
async def turn_times(
    scope: ManagerOf,
    session: SessionDep,
    query: RangeDep,
    min_samples: Annotated[
        int, Query(ge=1, le=10_000, description="visits a party size needs to suggest a time")
    ] = MIN_SAMPLES,
) -> TurnTimesOut | Response:
    """Planned vs actual turn times and the suggested table."""

    async def report(
        session: AsyncSession, *, restaurant: Restaurant, window: Window
    ) -> TurnTimesOut:
        return await reports.turn_time_report(
            session, restaurant=restaurant, window=window, min_samples=min_samples
        )

    return await _answer(scope, session, query, report, "turn-times")


@router.put(
    "/turn-times",
    response_model=BookingSettings,
    summary="Accept the turn times suggested by a range's visits as the restaurant's own",
)
async def accept_turn_times(
    data: AcceptTurnTimes, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> BookingSettings:
    """Make the suggested turn times the restaurant's own."""
    restaurant = await restaurants.get_restaurant(session, restaurant_id=scope.restaurant_id)
    window = window_of(restaurant, data.date_from, data.date_to)
    found = await reports.turn_time_report(
        session, restaurant=restaurant, window=window, min_samples=data.min_samples
    )
    if not found.suggested:
        raise InvalidInput(
            f"date_from: no party size has {data.min_samples} completed visits with check-in "
            "and completion times in this range, so there is nothing to suggest",
            field="date_from",
        )
    settings = await reports.accept_turn_times(
        session, restaurant=restaurant, suggested=found.suggested
    )
    await session.commit()
    # the same invalidation as PUT /restaurants/{id}/settings: availability re-reads them
    await invalidate_restaurant(cache, scope.restaurant_id)
    return settings
