"""No-shows, late cancellations, cancellations and modifications, in total and by
channel, party size, lead-time band and weekday.

The denominator is every booking that stood (see `scope.BOOKED`) on a local date of
the window; a late cancellation is the guest's, after the cancellation deadline.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus as S
from models.orm import Reservation
from models.schemas.analytics import OutcomeRow, OutcomesTotal
from services.analytics.lead_times import BANDS, band_of
from services.analytics.scope import CANCELLED, booked_in, late_cancelled
from services.analytics.sql import count_if, ratio, weekday_of
from services.analytics.window import Window

NO_SHOW = Reservation.status == S.NO_SHOW


async def totals(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> OutcomesTotal:
    """No-shows, late cancellations, cancellations and modifications over all bookings."""
    n = func.count()
    no_shows = count_if(NO_SHOW)
    late = count_if(late_cancelled())
    cancelled = count_if(Reservation.status.in_(CANCELLED))
    modified = count_if(Reservation.modification_count > 0)
    row = (
        await session.execute(
            select(
                n.label("n"),
                no_shows.label("no_shows"),
                ratio(no_shows, n).label("no_show_rate"),
                late.label("late"),
                ratio(late, n).label("late_rate"),
                cancelled.label("cancelled"),
                ratio(cancelled, n).label("cancel_rate"),
                modified.label("modified"),
                ratio(modified, n).label("modify_rate"),
            ).where(booked_in(restaurant_id, window))
        )
    ).one()
    return OutcomesTotal(
        reservations=int(row.n),
        no_shows=int(row.no_shows),
        no_show_rate=row.no_show_rate,
        late_cancellations=int(row.late),
        late_cancellation_rate=row.late_rate,
        cancellations=int(row.cancelled),
        cancellation_rate=row.cancel_rate,
        modified=int(row.modified),
        modification_rate=row.modify_rate,
    )


async def _by(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window, key: ColumnElement[Any]
) -> list[OutcomeRow]:
    inner = (
        select(
            key.label("key"),
            (NO_SHOW).label("no_show"),
            late_cancelled().label("late"),
        )
        .where(booked_in(restaurant_id, window))
        .subquery()
    )
    n = func.count()
    no_shows = count_if(inner.c.no_show)
    late = count_if(inner.c.late)
    query = (
        select(
            inner.c.key,
            n.label("n"),
            no_shows.label("no_shows"),
            ratio(no_shows, n).label("no_show_rate"),
            late.label("late"),
            ratio(late, n).label("late_rate"),
        )
        .group_by(inner.c.key)
        .order_by(inner.c.key)
    )
    return [
        OutcomeRow(
            key=str(row.key),
            reservations=int(row.n),
            no_shows=int(row.no_shows),
            no_show_rate=row.no_show_rate,
            late_cancellations=int(row.late),
            late_cancellation_rate=row.late_rate,
        )
        for row in await session.execute(query)
    ]


async def breakdowns(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> dict[str, list[OutcomeRow]]:
    """The rates per channel, party size, lead-time band and weekday (0 = Monday)."""
    keys: dict[str, ColumnElement[Any]] = {
        "by_channel": cast(Reservation.source, String),
        "by_party_size": Reservation.party_size.expression,
        "by_lead_time": band_of(),
        "by_weekday": weekday_of(Reservation.reservation_date),
    }
    out = {
        name: await _by(session, restaurant_id=restaurant_id, window=window, key=key)
        for name, key in keys.items()
    }
    # numbers sort as numbers and bands in their natural order, not as text
    out["by_party_size"].sort(key=lambda r: int(r.key))
    out["by_weekday"].sort(key=lambda r: int(r.key))
    order = [name for name, _ in BANDS]
    out["by_lead_time"].sort(key=lambda r: order.index(r.key))
    return out
