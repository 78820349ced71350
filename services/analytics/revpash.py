"""Seat hours: available seats x opening hours per local day, RevPASH's denominator.

Opening hours are configuration, not history: each day's services (weekly hours, a
special day's custom hours, none on a closed day) are measured in real elapsed time
with the restaurant's zoneinfo, so a service across a DST change is an hour shorter or
longer. Seats are the active tables' maximum capacities (table history is not kept).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import RestaurantTable, ServicePeriod
from models.orm import SpecialDay as SpecialDayRow
from rules.opening_hours import ServiceHours, SpecialDay, services_for_day
from services.analytics.window import Window


async def available_seats(session: AsyncSession, *, restaurant_id: uuid.UUID) -> int:
    """Seats of the active tables (their maximum capacities)."""
    seats = await session.scalar(
        select(func.coalesce(func.sum(RestaurantTable.max_capacity), 0)).where(
            RestaurantTable.restaurant_id == restaurant_id, RestaurantTable.is_active
        )
    )
    return int(seats or 0)


def _time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def service_hours(day: date, service: ServiceHours, zone: ZoneInfo) -> float:
    """Elapsed hours of `service` on local `day` (past midnight runs into the next day)."""
    closes_on = day + timedelta(days=1) if service.closes <= service.opens else day
    opens = datetime.combine(day, service.opens, tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(closes_on, service.closes, tzinfo=zone).astimezone(UTC)
    return (closes - opens).total_seconds() / 3600


async def opening_hours(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> dict[date, float]:
    """Hours open on each local day of the window."""
    weekly = [
        ServiceHours(row.name, row.weekday, row.opens_at, row.closes_at, row.last_seating_at)
        for row in await session.scalars(
            select(ServicePeriod).where(ServicePeriod.restaurant_id == restaurant_id)
        )
    ]
    specials: list[tuple[date, date, SpecialDay]] = []
    for row in await session.scalars(
        select(SpecialDayRow).where(
            SpecialDayRow.restaurant_id == restaurant_id,
            SpecialDayRow.starts_on <= window.date_to,
            SpecialDayRow.ends_on >= window.date_from,
        )
    ):
        custom = tuple(
            ServiceHours(
                str(s.get("name") or "service"), 0, _time(s["opens_at"]), _time(s["closes_at"])
            )
            for s in row.custom_services
        )
        specials.append(
            (row.starts_on, row.ends_on, SpecialDay(kind=row.kind.value, services=custom))
        )
    zone = ZoneInfo(window.timezone)
    hours: dict[date, float] = {}
    for day in window.each_day():
        special = next((s for first, last, s in specials if first <= day <= last), None)
        running = services_for_day(day, weekly, special)
        hours[day] = sum(service_hours(day, s, zone) for s in running)
    return hours
