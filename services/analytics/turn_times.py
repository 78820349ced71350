"""Planned vs actual turn times per party size, and the turn-time table they suggest.

Actual = check-in (seated_at) to completion (completed_at) of completed visits; planned
= the duration the booking was given. A party size with at least `MIN_SAMPLES` visits
suggests its mean actual time rounded up to 5 minutes; turn times apply to parties of
*at least* a size, so a size whose suggestion equals the smaller size's is left out.
"""

from __future__ import annotations

import math
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus as S
from models.orm import Reservation
from models.schemas.analytics import TurnTimeRow
from models.schemas.restaurant import TurnTime
from services.analytics.sql import epoch_seconds, ratio
from services.analytics.window import Window

MIN_SAMPLES = 5
STEP_MINUTES = 5
# the bounds BookingSettings accepts for a turn time
SHORTEST, LONGEST = 15, 12 * 60


async def planned_vs_actual(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> list[TurnTimeRow]:
    """Per party size: completed visits with check-in and completion times, the mean
    planned minutes and the mean actual minutes.
    """
    actual = (epoch_seconds(Reservation.completed_at) - epoch_seconds(Reservation.seated_at)).label(
        "seconds"
    )
    inner = (
        select(Reservation.party_size, Reservation.duration_minutes, actual)
        .where(
            Reservation.restaurant_id == restaurant_id,
            Reservation.reservation_date >= window.date_from,
            Reservation.reservation_date <= window.date_to,
            Reservation.status == S.COMPLETED,
            Reservation.seated_at.is_not(None),
            Reservation.completed_at.is_not(None),
            Reservation.completed_at >= Reservation.seated_at,
        )
        .subquery()
    )
    n = func.count()
    query = (
        select(
            inner.c.party_size,
            n.label("n"),
            ratio(func.sum(inner.c.duration_minutes), n).label("planned"),
            ratio(func.sum(inner.c.seconds), n * 60).label("actual"),
        )
        .group_by(inner.c.party_size)
        .order_by(inner.c.party_size)
    )
    rows = []
    for row in await session.execute(query):
        planned, actual_minutes = float(row.planned), float(row.actual)
        rows.append(
            TurnTimeRow(
                party_size=int(row.party_size),
                completed=int(row.n),
                planned_minutes=round(planned, 2),
                actual_minutes=round(actual_minutes, 2),
                difference_minutes=round(actual_minutes - planned, 2),
            )
        )
    return rows


def suggest(rows: list[TurnTimeRow], *, min_samples: int = MIN_SAMPLES) -> list[TurnTime]:
    """The turn-time table the measured visits suggest (empty without enough of them)."""
    table: list[TurnTime] = []
    for row in sorted(rows, key=lambda r: r.party_size):
        if row.completed < min_samples:
            continue
        minutes = STEP_MINUTES * math.ceil(row.actual_minutes / STEP_MINUTES)
        minutes = min(max(minutes, SHORTEST), LONGEST)
        if table and table[-1].minutes == minutes:
            continue
        table.append(TurnTime(min_party_size=min(row.party_size, 100), minutes=minutes))
    return table
