"""Repeat guests: of the guests who visited in the window, those who had visited before."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus as S
from models.orm import Reservation
from models.schemas.analytics import GuestsOut
from services.analytics.sql import count_if, ratio
from services.analytics.window import Window


async def repeat_guests(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> GuestsOut:
    """A visit is a completed reservation; a guest repeats when they have two or more
    visits here up to the window's last day, at least one of them inside the window."""
    per_guest = (
        select(
            Reservation.guest_id,
            count_if(Reservation.reservation_date >= window.date_from).label("inside"),
            func.count().label("visits"),
        )
        .where(
            Reservation.restaurant_id == restaurant_id,
            Reservation.status == S.COMPLETED,
            Reservation.reservation_date <= window.date_to,
        )
        .group_by(Reservation.guest_id)
        .subquery()
    )
    visiting = count_if(per_guest.c.inside > 0)
    repeat = count_if((per_guest.c.inside > 0) & (per_guest.c.visits > 1))
    row = (
        await session.execute(
            select(
                visiting.label("visiting"),
                repeat.label("repeat"),
                ratio(repeat, visiting).label("rate"),
            )
        )
    ).one()
    return GuestsOut(
        visiting_guests=int(row.visiting), repeat_guests=int(row.repeat), repeat_guest_rate=row.rate
    )
