"""Search across restaurants: who has a free slot for a party in a time window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import (
    Restaurant,
)
from reservations.cache import Cache
from rules.availability import (
    SlotAvailability,
)
from services.availability.answers import DayAnswer, answer_day, nearest_in_window
from services.availability.inputs import RestaurantInputs, load_inputs
from services.availability.memo import memo_for
from services.restaurants import RestaurantFilters, filtered_restaurants


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A restaurant with available slots in the searched window."""

    restaurant: Restaurant
    slots: list[SlotAvailability]
    nearest: SlotAvailability


async def search(
    session: AsyncSession,
    *,
    filters: RestaurantFilters,
    day: date,
    time_from: time,
    time_to: time,
    party_size: int,
    now: datetime,
    limit: int,
    offset: int,
    preferred_time: time | None = None,
    seating_area: str | None = None,
    cache: Cache | None = None,
) -> tuple[list[SearchHit], int]:
    """Restaurants with an available slot on ``day`` between the two local times.

    Sorted by the distance of their nearest available slot to ``preferred_time``
    (default ``time_from``), then by name.  Returns one page and the total.  All
    candidates are loaded in a handful of queries, whatever their number; with
    ``cache`` their inputs come from the process memo where still current.
    """
    candidates = (
        filtered_restaurants(filters)
        .where(
            Restaurant.accepts_reservations.is_(True),
            Restaurant.min_party_size <= party_size,
            Restaurant.max_party_size >= party_size,
        )
        .with_only_columns(Restaurant.id)
    )
    inputs = await _inputs(session, cache, candidates=candidates, day=day, now=now)
    memo = memo_for(cache) if cache is not None else None
    window = (datetime.combine(day, time_from), datetime.combine(day, time_to))
    target = datetime.combine(day, preferred_time or time_from)
    ranked: list[tuple[tuple[timedelta, datetime, str, str], uuid.UUID, SlotAvailability]] = []
    for rid, restaurant in inputs.items():
        # the nearest slot ranks a restaurant: judge nearest first, stop at the first free one
        def nearest(restaurant: RestaurantInputs = restaurant) -> SlotAvailability | None:
            return nearest_in_window(
                restaurant,
                day=day,
                party_size=party_size,
                now=now,
                wanted=target,
                between=window,
                seating_area=seating_area,
            )

        question = ("nearest", party_size, window, target, seating_area)
        best = (
            nearest()
            if memo is None
            else memo.answer(restaurant, day=day, now=now, question=question, compute=nearest)
        )
        if best is not None:
            key = (
                abs(best.local_time - target),
                best.local_time,
                restaurant.name.lower(),
                str(rid),
            )
            ranked.append((key, rid, best))
    ranked.sort(key=lambda item: item[0])
    page = ranked[offset : offset + limit]
    rows = await session.scalars(
        select(Restaurant).where(Restaurant.id.in_([rid for _, rid, _ in page]))
    )
    by_id = {row.id: row for row in rows}
    hits = []
    for _, rid, best in page:

        def whole_window(restaurant: RestaurantInputs = inputs[rid]) -> DayAnswer:
            return answer_day(
                restaurant,
                day=day,
                party_size=party_size,
                now=now,
                seating_area=seating_area,
                between=window,
            )

        answer = (
            whole_window()
            if memo is None
            else memo.answer(
                inputs[rid],
                day=day,
                now=now,
                question=("window", party_size, window, seating_area),
                compute=whole_window,
            )
        )
        slots = [s for s in answer.slots if s.available]
        hits.append(SearchHit(restaurant=by_id[rid], slots=slots, nearest=best))
    return hits, len(ranked)


async def _inputs(
    session: AsyncSession,
    cache: Cache | None,
    *,
    candidates: Select[uuid.UUID],
    day: date,
    now: datetime,
) -> dict[uuid.UUID, RestaurantInputs]:
    if cache is not None:
        ids = list(await session.scalars(candidates))
        found = await memo_for(cache).inputs(session, cache, restaurant_ids=ids, day=day, now=now)
        if found is not None:
            return found
    return await load_inputs(
        session, restaurant_ids=candidates, first_day=day, last_day=day, now=now
    )
