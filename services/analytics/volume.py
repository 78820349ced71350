"""Covers and parties per local day and per service, table turnover and channel mix."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.orm import Reservation, RestaurantTable, ServicePeriod
from models.schemas.analytics import ChannelShare, DayVolume, ServiceVolume
from services.analytics.scope import attended, booked_in, covers
from services.analytics.sql import count_if, ratio, sum_if, weekday_of
from services.analytics.window import Window, day_index

UNSCHEDULED = "unscheduled"


async def active_tables(session: AsyncSession, *, restaurant_id: uuid.UUID) -> int:
    """The restaurant's tables in use today (table history is not kept)."""
    count = await session.scalar(
        select(func.count())
        .select_from(RestaurantTable)
        .where(RestaurantTable.restaurant_id == restaurant_id, RestaurantTable.is_active)
    )
    return int(count or 0)


async def daily(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window, tables: int
) -> list[DayVolume]:
    """Every local day of the window, with zeros for a day without bookings."""
    booked = (
        select(
            Reservation.reservation_date.label("day"),
            func.count().label("parties_booked"),
            func.sum(covers()).label("covers_booked"),
            count_if(attended()).label("parties_seated"),
            sum_if(attended(), covers()).label("covers_seated"),
        )
        .where(booked_in(restaurant_id, window))
        .group_by(Reservation.reservation_date)
    )
    made_day = window.local_day(Reservation.created_at).label("day")
    made = (
        select(made_day, func.count().label("bookings_made"))
        .where(
            Reservation.restaurant_id == restaurant_id,
            Reservation.created_at >= window.starts_at,
            Reservation.created_at < window.ends_at,
        )
        .group_by(made_day)
    )
    by_day = {row.day: row for row in await session.execute(booked)}
    made_by = {int(row.day): int(row.bookings_made) for row in await session.execute(made)}
    out = []
    for day in window.each_day():
        row = by_day.get(day)
        seated = int(row.parties_seated) if row else 0
        out.append(
            DayVolume(
                day=day,
                weekday=day.weekday(),
                parties_booked=int(row.parties_booked) if row else 0,
                covers_booked=int(row.covers_booked) if row else 0,
                parties_seated=seated,
                covers_seated=int(row.covers_seated) if row else 0,
                bookings_made=made_by.get(day_index(day), 0),
                table_turnover=seated / tables if tables else None,
            )
        )
    return out


def _service_name(restaurant_id: uuid.UUID) -> ColumnElement[str]:
    """SQL: the name of the service a booking's local start falls in (its weekday's, or
    the previous weekday's service that runs past midnight), else 'unscheduled'."""
    sp = aliased(ServicePeriod)
    weekday = weekday_of(Reservation.reservation_date)
    at = Reservation.reservation_time
    same_day = and_(
        sp.weekday == weekday,
        at >= sp.opens_at,
        or_(sp.closes_at <= sp.opens_at, at < sp.closes_at),
    )
    after_midnight = and_(
        sp.weekday == (weekday + 6) % 7, sp.closes_at <= sp.opens_at, at < sp.closes_at
    )
    name = (
        select(func.min(sp.name))
        .where(sp.restaurant_id == restaurant_id, or_(same_day, after_midnight))
        .correlate(Reservation)
        .scalar_subquery()
    )
    return func.coalesce(name, literal(UNSCHEDULED))


async def by_service(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[ServiceVolume]:
    """Parties and covers per local day and service (days without bookings left out)."""
    service = _service_name(restaurant_id).label("service")
    inner = (
        select(
            Reservation.reservation_date.label("day"),
            service,
            covers().label("covers"),
            attended().label("attended"),
        )
        .where(booked_in(restaurant_id, window))
        .subquery()
    )
    query = (
        select(
            inner.c.day,
            inner.c.service,
            func.count().label("parties_booked"),
            func.sum(inner.c.covers).label("covers_booked"),
            count_if(inner.c.attended).label("parties_seated"),
            sum_if(inner.c.attended, inner.c.covers).label("covers_seated"),
        )
        .group_by(inner.c.day, inner.c.service)
        .order_by(inner.c.day, inner.c.service)
    )
    return [
        ServiceVolume(
            day=row.day,
            service=row.service,
            parties_booked=int(row.parties_booked),
            covers_booked=int(row.covers_booked),
            parties_seated=int(row.parties_seated),
            covers_seated=int(row.covers_seated),
        )
        for row in await session.execute(query)
    ]


async def channel_mix(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[ChannelShare]:
    """Bookings per channel (source) and each channel's share of all bookings."""
    total = func.sum(func.count()).over()
    query = (
        select(
            Reservation.source.label("channel"),
            func.count().label("parties"),
            func.sum(covers()).label("covers"),
            ratio(func.count(), total).label("share"),
        )
        .where(booked_in(restaurant_id, window))
        .group_by(Reservation.source)
        .order_by(func.count().desc(), Reservation.source)
    )
    return [
        ChannelShare(
            channel=str(row.channel),
            parties=int(row.parties),
            covers=int(row.covers),
            share=row.share,
        )
        for row in await session.execute(query)
    ]
