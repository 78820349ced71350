"""The staff timeline: a day's allocations per table."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ReservationStatus
from models.orm import (
    Reservation,
    Restaurant,
    RestaurantTable,
    SeatingArea,
    TableAllocation,
)
from rules.table_fit import natural_key
from services.availability.inputs import local_midnight
from services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One blocking allocation on a table."""

    reservation_id: uuid.UUID
    reference: str
    status: AllocationStatus
    reservation_status: ReservationStatus
    starts_at: datetime
    ends_at: datetime
    party_size: int
    hold_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class TableTimeline:
    """A table and its allocations of the day, in time order."""

    table_id: uuid.UUID
    number: str
    name: str | None
    seating_area: str | None
    min_capacity: int
    max_capacity: int
    is_active: bool
    entries: list[TimelineEntry]


@dataclass(frozen=True, slots=True)
class Timeline:
    """A service day's allocations per table, for the floor-plan and timeline views."""

    restaurant_id: uuid.UUID
    day: date
    timezone: str
    tables: list[TableTimeline]


async def timeline(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date, now: datetime
) -> Timeline:
    """Every table with the day's blocking allocations (expired holds left out).

    The day is the local calendar day, plus anything booked for this service day
    (an overnight service's after-midnight bookings).
    """
    timezone = await session.scalar(
        select(Restaurant.timezone).where(Restaurant.id == restaurant_id)
    )
    if timezone is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    zone = ZoneInfo(timezone)
    start = local_midnight(day, zone)
    end = local_midnight(day + timedelta(days=1), zone)
    a = TableAllocation
    rows = await session.execute(
        select(
            a.table_id,
            a.reservation_id,
            Reservation.reference,
            a.status,
            Reservation.status,
            a.starts_at,
            a.ends_at,
            Reservation.party_size,
            a.hold_expires_at,
        )
        .join(Reservation, Reservation.id == a.reservation_id)
        .where(
            a.restaurant_id == restaurant_id,
            a.status != AllocationStatus.RELEASED,
            or_(a.status == AllocationStatus.BOOKED, a.hold_expires_at > now),
            or_(and_(a.starts_at < end, a.ends_at > start), Reservation.reservation_date == day),
        )
        .order_by(a.starts_at, Reservation.reference)
    )
    entries: dict[uuid.UUID, list[TimelineEntry]] = defaultdict(list)
    for table_id, res_id, ref, status, res_status, starts, ends, party, expires in rows:
        entries[table_id].append(
            TimelineEntry(res_id, ref, status, res_status, starts, ends, party, expires)
        )
    t = RestaurantTable
    table_rows = await session.execute(
        select(
            t.id, t.number, t.name, SeatingArea.name, t.min_capacity, t.max_capacity, t.is_active
        )
        .outerjoin(SeatingArea, SeatingArea.id == t.seating_area_id)
        .where(t.restaurant_id == restaurant_id)
    )
    tables = [
        TableTimeline(tid, number, name, area, low, high, active, entries.get(tid, []))
        for tid, number, name, area, low, high, active in table_rows
        if active or tid in entries
    ]
    tables.sort(key=lambda tt: natural_key(tt.number))
    return Timeline(restaurant_id, day, timezone, tables)
