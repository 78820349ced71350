"""Subscriptions of a restaurant: create (with a secret shown once), list, delete,
re-enable, and what was delivered to each."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import StaffNotice, WebhookAttempt, WebhookDelivery, WebhookEvent
from models.orm import WebhookSubscription as Subscription
from models.schemas.webhooks import AttemptOut, DeliveryOut, SubscriptionIn
from services.errors import NotFoundError
from services.webhooks.urls import check_subscriber_url

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


async def create_subscription(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    data: SubscriptionIn,
    created_by: uuid.UUID | None,
    private_allowed: bool,
) -> Subscription:
    """Add a subscription (the caller commits); InvalidError for a URL we will not call."""
    url = str(data.url)
    await check_subscriber_url(url, private_allowed=private_allowed)
    subscription = Subscription(
        restaurant_id=restaurant_id,
        url=url,
        events=sorted({e.value for e in data.events}),
        description=data.description,
        secret=new_secret(),
        created_by=created_by,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def list_subscriptions(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[Subscription], int]:
    """The restaurant's subscriptions (deleted ones left out), oldest first."""
    where = (Subscription.restaurant_id == restaurant_id, Subscription.deleted_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(Subscription).where(*where))
    rows = await session.scalars(
        select(Subscription)
        .where(*where)
        .order_by(Subscription.created_at, Subscription.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_subscription(
    session: AsyncSession, *, restaurant_id: uuid.UUID, subscription_id: uuid.UUID
) -> Subscription:
    """The restaurant's subscription, or NotFoundError (also for another restaurant's)."""
    subscription = await session.get(Subscription, subscription_id)
    if (
        subscription is None
        or subscription.restaurant_id != restaurant_id
        or subscription.deleted_at is not None
    ):
        raise NotFoundError(f"webhook subscription {subscription_id} not found")
    return subscription


async def delete_subscription(
    session: AsyncSession, *, restaurant_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> None:
    """Stop the subscription; deliveries still pending are skipped (history is kept)."""
    subscription = await get_subscription(
        session, restaurant_id=restaurant_id, subscription_id=subscription_id
    )
    subscription.deleted_at = now
    subscription.is_active = False


async def enable_subscription(
    session: AsyncSession, *, restaurant_id: uuid.UUID, subscription_id: uuid.UUID
) -> Subscription:
    """Turn a disabled subscription back on, with a fresh failure streak."""
    subscription = await get_subscription(
        session, restaurant_id=restaurant_id, subscription_id=subscription_id
    )
    subscription.is_active = True
    subscription.disabled_at = None
    subscription.disabled_reason = None
    subscription.failure_streak = 0
    subscription.failing_since = None
    await session.flush()
    return subscription


async def list_deliveries(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    subscription_id: uuid.UUID,
    limit: int,
    offset: int,
) -> tuple[list[DeliveryOut], int]:
    """The subscription's deliveries, newest first, each with its attempts."""
    await get_subscription(session, restaurant_id=restaurant_id, subscription_id=subscription_id)
    where = WebhookDelivery.subscription_id == subscription_id
    total = await session.scalar(select(func.count()).select_from(WebhookDelivery).where(where))
    rows = (
        await session.execute(
            select(WebhookDelivery, WebhookEvent.type)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    ids = [delivery.id for delivery, _ in rows]
    attempts: dict[uuid.UUID, list[AttemptOut]] = {i: [] for i in ids}
    if ids:
        found = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.attempt)
        )
        for attempt in found:
            attempts[attempt.delivery_id].append(AttemptOut.model_validate(attempt))
    items = [
        DeliveryOut(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=event_type,
            status=delivery.status,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            next_retry_at=delivery.next_retry_at,
            last_error=delivery.last_error,
            attempts=attempts[delivery.id],
        )
        for delivery, event_type in rows
    ]
    return items, int(total or 0)


async def list_notices(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[StaffNotice], int]:
    """Notices for the restaurant's managers (disabled subscriptions), newest first."""
    where = StaffNotice.restaurant_id == restaurant_id
    total = await session.scalar(select(func.count()).select_from(StaffNotice).where(where))
    rows = await session.scalars(
        select(StaffNotice)
        .where(where)
        .order_by(StaffNotice.created_at.desc(), StaffNotice.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
