"""Availability (public), search across restaurants (public) and the day timeline (staff)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import CacheDep, HostOf, SessionDep
from api.views import alerts_out
from models.schemas.availability import (
    AvailabilityOut,
    RequestedTimeOut,
    SearchHitOut,
    SearchOut,
    SearchRequest,
    SlotOut,
    TableTimelineOut,
    TimelineAllocationOut,
    TimelineOut,
)
from models.schemas.common import LocalTime, ServiceDate
from models.schemas.restaurant import RestaurantSummary
from rules.availability import SlotAvailability
from services import availability as svc
from services.crm.alerts import NO_FLAGS, flags_by_reservation
from services.restaurants import RestaurantFilters

router = APIRouter(tags=["availability"])


async def clock() -> datetime:
    """The current instant; a dependency so tests can pin it."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(clock)]


def _slot(slot: SlotAvailability) -> SlotOut:
    return SlotOut(
        date=slot.local_time.date(),
        time=slot.local_time.time(),
        starts_at=slot.start_utc,
        ends_at=slot.end_utc,
        available=slot.available,
        reason=slot.reason.value if slot.reason else None,
        service=slot.service,
        table_numbers=list(slot.tables.numbers) if slot.tables else [],
    )


@router.get(
    "/restaurants/{restaurant_id}/availability",
    response_model=AvailabilityOut,
    summary="A day's slots for a party, or one time with alternatives (public)",
)
async def availability(
    restaurant_id: uuid.UUID,
    session: SessionDep,
    cache: CacheDep,
    now: Now,
    day: Annotated[
        ServiceDate,
        Query(
            alias="date",
            description="service day, ISO 8601: its slots are listed, those after midnight "
            "dated the next day; not before today (422 `in_the_past`)",
        ),
    ],
    party_size: Annotated[int, Query(ge=1, le=100)],
    at: Annotated[
        LocalTime | None,
        Query(
            alias="time",
            description="local time, HH:MM, of a slot of the service day (an after-midnight "
            "time means that service's slot); off the slot grid is 422 `not_on_slot_grid`",
        ),
    ] = None,
    seating_area: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            description="preferred seating area, any case; unknown is 422",
        ),
    ] = None,
) -> AvailabilityOut:
    await svc.check_requested_time(
        session, restaurant_id=restaurant_id, day=day, local_time=at, now=now
    )
    if seating_area is not None:
        seating_area = await svc.seating_area_named(
            session, restaurant_id=restaurant_id, name=seating_area
        )
    answer, timed = await svc.cached_availability(
        session,
        cache,
        restaurant_id=restaurant_id,
        day=day,
        party_size=party_size,
        now=now,
        local_time=at,
        seating_area=seating_area,
    )
    out = AvailabilityOut(
        restaurant_id=restaurant_id,
        date=day,
        party_size=party_size,
        seating_area=seating_area,
        closed_reason=answer.closed_reason,
        slots=[_slot(s) for s in answer.slots],
    )
    if timed is not None:
        out.requested = RequestedTimeOut(
            time=timed.local_time,
            available=timed.available,
            reason=timed.reason,
            slot=_slot(timed.slot) if timed.slot else None,
        )
        out.alternatives = svc.alternative_slots(timed)
    return out


@router.post(
    "/search",
    response_model=SearchOut,
    summary="Restaurants with free slots for a date, time window and party (public)",
)
async def search(data: SearchRequest, session: SessionDep, cache: CacheDep, now: Now) -> SearchOut:
    filters = RestaurantFilters(
        city=data.city,
        cuisine=data.cuisine,
        price_min=data.price_min,
        price_max=data.price_max,
        features=tuple(data.features),
        text=data.q,
    )
    hits, total = await svc.search(
        session,
        filters=filters,
        day=data.date,
        time_from=data.time_from,
        time_to=data.time_to,
        party_size=data.party_size,
        now=now,
        limit=data.limit,
        offset=data.offset,
        preferred_time=data.preferred_time,
        seating_area=data.seating_area,
        cache=cache,
    )
    return SearchOut(
        items=[
            SearchHitOut(
                restaurant=RestaurantSummary.model_validate(hit.restaurant),
                nearest=_slot(hit.nearest),
                slots=[_slot(s) for s in hit.slots],
            )
            for hit in hits
        ],
        total=total,
        limit=data.limit,
        offset=data.offset,
    )


@router.get(
    "/restaurants/{restaurant_id}/timeline",
    response_model=TimelineOut,
    summary="A day's allocations per table, for the floor plan and timeline (staff)",
)
async def timeline(
    scope: HostOf,
    session: SessionDep,
    now: Now,
    day: Annotated[ServiceDate, Query(alias="date", description="service day, ISO 8601")],
) -> TimelineOut:
    result = await svc.timeline(session, restaurant_id=scope.restaurant_id, day=day, now=now)
    flags = await flags_by_reservation(
        session,
        restaurant_id=scope.restaurant_id,
        reservation_ids={e.reservation_id for t in result.tables for e in t.entries},
    )
    return TimelineOut(
        restaurant_id=result.restaurant_id,
        date=result.day,
        timezone=result.timezone,
        tables=[
            TableTimelineOut(
                table_id=t.table_id,
                number=t.number,
                name=t.name,
                seating_area=t.seating_area,
                min_capacity=t.min_capacity,
                max_capacity=t.max_capacity,
                is_active=t.is_active,
                allocations=[
                    TimelineAllocationOut(
                        reservation_id=e.reservation_id,
                        reference=e.reference,
                        status=e.status,
                        reservation_status=e.reservation_status,
                        starts_at=e.starts_at,
                        ends_at=e.ends_at,
                        party_size=e.party_size,
                        hold_expires_at=e.hold_expires_at,
                        guest_vip=flags.get(e.reservation_id, NO_FLAGS).vip,
                        guest_alerts=alerts_out(flags.get(e.reservation_id, NO_FLAGS)),
                    )
                    for e in t.entries
                ],
            )
            for t in result.tables
        ],
    )
