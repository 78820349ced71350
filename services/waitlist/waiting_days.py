"""Which days of a restaurant have guests waiting (so capacity added there is worth offering)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import WaitlistStatus
from models.orm import WaitlistEntry


async def waiting_days(
    session: AsyncSession, *, restaurant_id: uuid.UUID, since: date, limit: int = 400
) -> list[date]:
    """The days from `since` on with at least one waiting entry, earliest first."""
    rows = await session.scalars(
        select(WaitlistEntry.desired_date)
        .where(
            WaitlistEntry.restaurant_id == restaurant_id,
            WaitlistEntry.desired_date >= since,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
        .group_by(WaitlistEntry.desired_date)
        .order_by(WaitlistEntry.desired_date)
        .limit(limit)
    )
    return list(rows)
