"""Waitlist conversion and notification delivery.

- A waitlist entry of a local date in the window **converts** when it became a booking
  (an accepted offer or a seated walk-in: `reservation_id` is set).
- A notification created on a local day of the window was **attempted** once it left the
  outbox (sent, delivered or failed); it was **delivered** when sent or confirmed
  delivered (email has no delivery report, so "sent" is as far as it goes).
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import NotificationStatus as N
from models.orm import Notification, Reservation, WaitlistEntry
from models.schemas.analytics import NotificationsOut, WaitlistOut
from services.analytics.sql import count_if, ratio
from services.analytics.window import Window


async def waitlist(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> WaitlistOut:
    """Waitlist entries for the window's days and how many became a booking."""
    n = func.count()
    converted = count_if(WaitlistEntry.reservation_id.is_not(None))
    row = (
        await session.execute(
            select(n.label("n"), converted.label("c"), ratio(converted, n).label("rate")).where(
                WaitlistEntry.restaurant_id == restaurant_id,
                WaitlistEntry.desired_date >= window.date_from,
                WaitlistEntry.desired_date <= window.date_to,
            )
        )
    ).one()
    return WaitlistOut(entries=int(row.n), converted=int(row.c), conversion_rate=row.rate)


async def notifications(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> NotificationsOut:
    """Messages of the restaurant created on the window's local days, by outcome."""
    attempted = count_if(Notification.status.in_((N.SENT, N.DELIVERED, N.FAILED)))
    delivered = count_if(Notification.status.in_((N.SENT, N.DELIVERED)))
    failed = count_if(Notification.status == N.FAILED)
    of_restaurant = or_(
        Notification.reservation_id.in_(
            select(Reservation.id).where(Reservation.restaurant_id == restaurant_id)
        ),
        Notification.waitlist_entry_id.in_(
            select(WaitlistEntry.id).where(WaitlistEntry.restaurant_id == restaurant_id)
        ),
    )
    row = (
        await session.execute(
            select(
                attempted.label("attempted"),
                delivered.label("delivered"),
                failed.label("failed"),
                ratio(delivered, attempted).label("rate"),
            ).where(
                of_restaurant,
                Notification.created_at >= window.starts_at,
                Notification.created_at < window.ends_at,
            )
        )
    ).one()
    return NotificationsOut(
        attempted=int(row.attempted),
        delivered=int(row.delivered),
        failed=int(row.failed),
        delivery_rate=row.rate,
    )
