"""Checks of what a caller asks availability or a booking for, before the rules answer.

A requested date is checked against today on the restaurant's clock, a time
against the slot grid, a seating area against the restaurant's areas (any
case); a booking's calendar date and time are resolved to their service day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Restaurant, SeatingArea, ServicePeriod
from models.orm import SpecialDay as SpecialDayRow
from rules.requested_time import requested_time_problem, slot_service_day
from services.availability.inputs import StaticInputs, load_static
from services.errors import InvalidError, NotFoundError


def _opening(value: object) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            return None
    return None


async def check_requested_time(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    local_time: time | None,
    now: datetime,
    restaurant: Restaurant | None = None,
    static: StaticInputs | None = None,
) -> None:
    """InvalidError naming ``date`` (``in_the_past``) or ``time`` (``not_on_slot_grid``).

    ``restaurant`` is the row when the caller has read it already (not read again);
    ``static`` the restaurant's static inputs with every weekday's services and the
    special days of ``day`` and the day before, when the caller holds them (nothing
    is read).
    """
    if static is not None:
        _raise_problem(
            day=day,
            local_time=local_time,
            now=now,
            timezone=static.timezone,
            interval=static.policy.interval_minutes,
            openings=_openings_of(static, day) if local_time is not None else [],
        )
        return
    if restaurant is not None:
        timezone, interval = restaurant.timezone, restaurant.slot_interval_minutes
    else:
        row = (
            await session.execute(
                select(Restaurant.timezone, Restaurant.slot_interval_minutes).where(
                    Restaurant.id == restaurant_id
                )
            )
        ).first()
        if row is None:
            raise NotFoundError(f"restaurant {restaurant_id} not found")
        timezone, interval = row
    openings: list[time] = []
    if local_time is not None:
        openings = list(
            await session.scalars(
                select(ServicePeriod.opens_at)
                .where(ServicePeriod.restaurant_id == restaurant_id)
                .distinct()
            )
        )
        customs = await session.scalars(
            select(SpecialDayRow.custom_services).where(
                SpecialDayRow.restaurant_id == restaurant_id,
                SpecialDayRow.starts_on <= day,
                SpecialDayRow.ends_on >= day - timedelta(days=1),
            )
        )
        for services in customs:
            for service in services or []:
                opens = _opening(service.get("opens_at")) if isinstance(service, dict) else None
                if opens is not None:
                    openings.append(opens)
    _raise_problem(
        day=day,
        local_time=local_time,
        now=now,
        timezone=timezone,
        interval=interval,
        openings=openings,
    )


def _openings_of(static: StaticInputs, day: date) -> list[time]:
    """Every service's opening, and the custom hours' of special days on ``day`` or the
    day before (as `check_requested_time` reads them from the database)."""
    openings = [service.opens for service in static.services]
    for starts, ends, special in static.special_days:
        if starts <= day and ends >= day - timedelta(days=1):
            openings += [service.opens for service in special.services]
    return openings


def _raise_problem(
    *,
    day: date,
    local_time: time | None,
    now: datetime,
    timezone: str,
    interval: int,
    openings: list[time],
) -> None:
    problem = requested_time_problem(
        day=day,
        local_time=local_time,
        today=now.astimezone(ZoneInfo(timezone)).date(),
        interval_minutes=interval,
        openings=openings,
    )
    if problem is not None:
        raise InvalidError(problem.detail, field=problem.field, reason=problem.reason)


async def service_day_of(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    local_time: time,
) -> date:
    """The service day of a booking starting at local calendar ``day`` ``local_time``.

    A slot after midnight belongs to the previous day's service.  A time that is
    no slot of either day keeps ``day``, where the rules say why it is unavailable.
    """
    # the hours, special days and grid decide it; no bookings are read
    static = await load_static(
        session, restaurant_ids=[restaurant_id], days=(day - timedelta(days=1), day)
    )
    if restaurant_id not in static:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    return service_day_in(static[restaurant_id], day=day, local_time=local_time)


def service_day_in(static: StaticInputs, *, day: date, local_time: time) -> date:
    """`service_day_of` from static inputs that cover ``day`` and the day before."""
    inputs = static.with_bookings(())
    found = slot_service_day(
        day=day,
        local_time=local_time,
        timezone=inputs.timezone,
        interval_minutes=inputs.policy.interval_minutes,
        services=inputs.services,
        special_day_of=inputs.special_day,
    )
    return day if found is None else found


async def seating_area_named(session: AsyncSession, *, restaurant_id: uuid.UUID, name: str) -> str:
    """The restaurant's seating area called ``name`` in any case; InvalidError if none."""
    known = list(
        await session.scalars(
            select(SeatingArea.name)
            .where(SeatingArea.restaurant_id == restaurant_id)
            .order_by(SeatingArea.name)
        )
    )
    wanted = name.strip().casefold()
    found = next((area for area in known if area.casefold() == wanted), None)
    if found is None:
        listed = ", ".join(known) if known else "none"
        raise InvalidError(
            f"no seating area {name!r} at this restaurant (areas: {listed})",
            field="seating_area",
            reason="unknown_seating_area",
        )
    return found
