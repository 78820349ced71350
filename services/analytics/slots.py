"""Popular slots: bookings per (weekday, local start time), the data of a heat map."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Reservation
from models.schemas.analytics import SlotCell
from services.analytics.scope import booked_in, covers
from services.analytics.sql import weekday_of
from services.analytics.window import Window


async def heat_map(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[SlotCell]:
    """One cell per weekday and start time that had a booking, by weekday then time."""
    inner = (
        select(
            weekday_of(Reservation.reservation_date).label("weekday"),
            Reservation.reservation_time.label("time"),
            covers().label("covers"),
        )
        .where(booked_in(restaurant_id, window))
        .subquery()
    )
    query = (
        select(
            inner.c.weekday,
            inner.c.time,
            func.count().label("parties"),
            func.sum(inner.c.covers).label("covers"),
        )
        .group_by(inner.c.weekday, inner.c.time)
        .order_by(inner.c.weekday, inner.c.time)
    )
    return [
        SlotCell(
            weekday=int(row.weekday),
            time=row.time,
            parties=int(row.parties),
            covers=int(row.covers),
        )
        for row in await session.execute(query)
    ]
