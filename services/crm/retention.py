"""Retention: which guests have been inactive long enough to anonymise, old message bodies,
and old turned-away requests (demand counts, no guest data: kept only as long as
analytics and forecasts look back).

A guest's activity is `last_activity_at`, or, when it was never set, their latest
booking or the last change to their row. Guests with a booking still to come are
never candidates, however old their last activity.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import (
    Guest,
    Notification,
    Reservation,
    ThreadMessage,
    TurnedAwayRequest,
    WaitlistEntry,
)
from rules.state_machine import ACTIVE_STATUSES
from services.crm.erasure import ERASED_TEXT, erase_messages
from services.waitlist.entries import OPEN_STATUSES


async def inactive_guests(
    session: AsyncSession,
    *,
    cutoff: datetime,
    now: datetime,
    after: uuid.UUID | None,
    limit: int,
    among: list[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Up to `limit` guests (by id, after `after`) inactive since before `cutoff`."""
    latest_booking = (
        select(func.max(Reservation.starts_at))
        .where(Reservation.guest_id == Guest.id)
        .correlate(Guest)
        .scalar_subquery()
    )
    activity = func.coalesce(Guest.last_activity_at, latest_booking, Guest.updated_at)
    upcoming = exists().where(
        and_(
            Reservation.guest_id == Guest.id,
            Reservation.status.in_(ACTIVE_STATUSES),
            Reservation.ends_at > now,
        )
    )
    waiting = exists().where(
        and_(WaitlistEntry.guest_id == Guest.id, WaitlistEntry.status.in_(OPEN_STATUSES))
    )
    query = (
        select(Guest.id)
        .where(Guest.erased_at.is_(None))
        .where(activity < cutoff)
        .where(~upcoming)
        .where(~waiting)
        .order_by(Guest.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Guest.id > after)
    if among is not None:
        query = query.where(Guest.id.in_(among))
    return list(await session.scalars(query))


async def old_message_count(session: AsyncSession, *, cutoff: datetime) -> int:
    """Outbox and conversation messages older than `cutoff` that still have a body."""
    outbox = await session.scalar(
        select(func.count()).where(
            Notification.created_at < cutoff, Notification.body != ERASED_TEXT
        )
    )
    threads = await session.scalar(
        select(func.count()).where(
            ThreadMessage.created_at < cutoff, ThreadMessage.body != ERASED_TEXT
        )
    )
    return int(outbox or 0) + int(threads or 0)


async def old_turned_away_count(session: AsyncSession, *, before: date) -> int:
    """Turned-away requests for dates before `before`."""
    count = await session.scalar(
        select(func.count()).where(TurnedAwayRequest.reservation_date < before)
    )
    return int(count or 0)


async def forget_old_turned_away(session: AsyncSession, *, before: date, limit: int) -> int:
    """Delete up to `limit` turned-away requests for dates before `before`; how many."""
    ids = list(
        await session.scalars(
            select(TurnedAwayRequest.id)
            .where(TurnedAwayRequest.reservation_date < before)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    result = await session.execute(delete(TurnedAwayRequest).where(TurnedAwayRequest.id.in_(ids)))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def clear_old_messages(session: AsyncSession, *, cutoff: datetime, limit: int) -> int:
    """Empty up to `limit` outbox and `limit` conversation bodies older than `cutoff`."""
    outbox_ids = (
        select(Notification.id)
        .where(Notification.created_at < cutoff, Notification.body != ERASED_TEXT)
        .limit(limit)
    )
    cleared = await erase_messages(
        session, where=Notification.id.in_(list(await session.scalars(outbox_ids))), recipient=None
    )
    thread_ids = list(
        await session.scalars(
            select(ThreadMessage.id)
            .where(ThreadMessage.created_at < cutoff, ThreadMessage.body != ERASED_TEXT)
            .limit(limit)
        )
    )
    if thread_ids:
        result = await session.execute(
            update(ThreadMessage).where(ThreadMessage.id.in_(thread_ids)).values(body=ERASED_TEXT)
        )
        cleared += int(result.rowcount)  # type: ignore[attr-defined]
    return cleared
