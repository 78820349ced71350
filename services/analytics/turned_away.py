"""Demand turned away as full: requests and covers refused for want of room.

Per local day, per channel and per weekday and time (where a heat map shows the
times that sell out). A request refused and later booked under the same id (a
retried idempotency key) is a booking, not a turn-away. Recorded since the
`turned_away_requests` table came (2026-11-28): earlier days show none.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import TurnedAwayRequest
from models.schemas.analytics import TurnedAwayCell, TurnedAwayChannel, TurnedAwayDay
from services.analytics.sql import weekday_of
from services.analytics.window import Window
from services.turned_away import not_booked_since

T = TurnedAwayRequest


def turned_away_in(restaurant_id: uuid.UUID, window: Window) -> ColumnElement[bool]:
    """The restaurant's turned-away requests for local days in the window, not booked since."""
    return and_(
        T.restaurant_id == restaurant_id,
        T.reservation_date >= window.date_from,
        T.reservation_date <= window.date_to,
        not_booked_since(),
    )


async def per_day(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[TurnedAwayDay]:
    """Requests and covers turned away on each local day that had any."""
    query = (
        select(T.reservation_date, func.count(), func.sum(T.party_size))
        .where(turned_away_in(restaurant_id, window))
        .group_by(T.reservation_date)
        .order_by(T.reservation_date)
    )
    return [
        TurnedAwayDay(day=day, requests=int(n), covers=int(c))
        for day, n, c in await session.execute(query)
    ]


async def per_channel(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[TurnedAwayChannel]:
    """Requests and covers turned away per booking channel."""
    query = (
        select(T.source, func.count(), func.sum(T.party_size))
        .where(turned_away_in(restaurant_id, window))
        .group_by(T.source)
        .order_by(T.source)
    )
    return [
        TurnedAwayChannel(channel=ReservationSource(source), requests=int(n), covers=int(c))
        for source, n, c in await session.execute(query)
    ]


async def per_slot(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[TurnedAwayCell]:
    """Requests and covers turned away per weekday and asked-for time."""
    inner = (
        select(
            weekday_of(T.reservation_date).label("weekday"),
            T.reservation_time.label("time"),
            T.party_size.label("party_size"),
        )
        .where(turned_away_in(restaurant_id, window))
        .subquery()
    )
    query = (
        select(inner.c.weekday, inner.c.time, func.count(), func.sum(inner.c.party_size))
        .group_by(inner.c.weekday, inner.c.time)
        .order_by(inner.c.weekday, inner.c.time)
    )
    return [
        TurnedAwayCell(weekday=int(weekday), time=at, requests=int(n), covers=int(c))
        for weekday, at, n, c in await session.execute(query)
    ]
