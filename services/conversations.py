"""The outbox and reservation threads as staff read them, and staff answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import MessageDirection, NotificationChannel, NotificationStatus
from models.orm import Notification, Reservation, ThreadMessage
from services.errors import NotFoundError
from services.pages import page_of


async def outbox(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    status: NotificationStatus | None,
    channel: NotificationChannel | None,
    reservation_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[Notification], int]:
    """A restaurant's outbox, newest first."""
    query = (
        select(Notification)
        .join(Reservation, Reservation.id == Notification.reservation_id)
        .where(Reservation.restaurant_id == restaurant_id)
    )
    if status is not None:
        query = query.where(Notification.status == status)
    if channel is not None:
        query = query.where(Notification.channel == channel)
    if reservation_id is not None:
        query = query.where(Notification.reservation_id == reservation_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(
        query.order_by(Notification.created_at.desc(), Notification.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)


async def thread(
    session: AsyncSession, *, reservation_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ThreadMessage], int]:
    """One page of a reservation's conversation, oldest first, and the total."""
    query = (
        select(ThreadMessage)
        .where(ThreadMessage.reservation_id == reservation_id)
        .order_by(ThreadMessage.created_at, ThreadMessage.id)
    )
    return await page_of(session, query, limit=limit, offset=offset)


async def thread_message(session: AsyncSession, *, message_id: uuid.UUID) -> ThreadMessage:
    """One message of a thread (NotFoundError if it is not there)."""
    message = await session.get(ThreadMessage, message_id)
    if message is None:
        raise NotFoundError(f"thread message {message_id} not found")
    return message


async def record_staff_answer(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    staff_id: uuid.UUID,
    body: str,
    key: str,
    at: datetime,
) -> ThreadMessage:
    """Keep a staff answer in the thread, once per `key` (the workflow then sends it)."""
    message_id = uuid.uuid5(reservation_id, f"staff-answer:{key}")
    existing = await session.get(ThreadMessage, message_id)
    if existing is not None:
        return existing  # a retried activity: the row was written the first time
    message = ThreadMessage(
        id=message_id,
        reservation_id=reservation_id,
        direction=MessageDirection.OUTBOUND,
        channel=NotificationChannel.SMS,
        body=body,
        staff_id=staff_id,
        created_at=at,
    )
    session.add(message)
    await session.flush()
    return message
