"""How far ahead guests book: lead time = the booking's start minus when it was made."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Reservation
from models.schemas.analytics import LeadTimeBand
from services.analytics.scope import booked_in
from services.analytics.sql import epoch_seconds, ratio
from services.analytics.window import DAY_SECONDS, Window

# (band, upper bound in seconds, exclusive); the last band has none
BANDS: tuple[tuple[str, int | None], ...] = (
    ("under_1_day", DAY_SECONDS),
    ("1_to_7_days", 7 * DAY_SECONDS),
    ("7_to_30_days", 30 * DAY_SECONDS),
    ("over_30_days", None),
)


def lead_seconds() -> ColumnElement[int]:
    """SQL: whole seconds between the booking being made and its start."""
    return epoch_seconds(Reservation.starts_at) - epoch_seconds(Reservation.created_at)


def band_of() -> ColumnElement[str]:
    """SQL: the lead-time band's name."""
    seconds = lead_seconds()
    whens = [(seconds < limit, literal(name)) for name, limit in BANDS if limit is not None]
    return case(*whens, else_=literal(BANDS[-1][0]))


async def lead_times(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> tuple[int, float | None, list[LeadTimeBand]]:
    """Bookings, their average lead time in hours, and how many fall in each band."""
    band = band_of().label("band")
    inner = (
        select(band, lead_seconds().label("seconds"))
        .where(booked_in(restaurant_id, window))
        .subquery()
    )
    query = select(
        inner.c.band,
        func.count().label("reservations"),
        ratio(func.count(), func.sum(func.count()).over()).label("share"),
        func.sum(inner.c.seconds).label("seconds"),
    ).group_by(inner.c.band)
    rows = {row.band: row for row in await session.execute(query)}
    total = sum(int(r.reservations) for r in rows.values())
    seconds = sum(int(r.seconds) for r in rows.values())
    bands = [
        LeadTimeBand(
            band=name,
            reservations=int(rows[name].reservations) if name in rows else 0,
            share=rows[name].share if name in rows else (0.0 if total else None),
        )
        for name, _ in BANDS
    ]
    average = seconds / total / 3600 if total else None
    return total, average, bands
