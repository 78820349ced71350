"""The database side of a delivery: what to send, each attempt, and giving up.

A subscription's failure streak counts deliveries that ended failed since the last
one delivered; `failing_since` is when its first failed attempt came. A streak of
`disable_after_failures`, or failing for `disable_after_hours`, disables the
subscription and leaves a notice for the restaurant's managers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import WebhookDeliveryStatus as Status
from models.orm import StaffNotice, WebhookAttempt, WebhookDelivery, WebhookEvent
from models.orm import WebhookSubscription as Subscription
from reservations.db import upsert_insert


@dataclass(frozen=True)
class Limits:
    """When a failing subscription is disabled."""

    disable_after_failures: int = 20
    disable_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Target:
    """What one attempt sends, and where."""

    delivery_id: uuid.UUID
    status: Status
    active: bool
    url: str
    secret: str
    event_id: uuid.UUID
    payload: dict[str, Any]


@dataclass(frozen=True)
class AttemptResult:
    attempt: int
    at: datetime
    duration_ms: int
    http_status: int | None
    error: str | None
    delivered: bool
    next_retry_at: datetime | None  # None: no retry follows (delivered, refused, or the last)


async def load_target(session: AsyncSession, *, delivery_id: uuid.UUID) -> Target | None:
    """The delivery with its subscription and event, or None when it is gone."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    subscription = await session.get(Subscription, delivery.subscription_id)
    event = await session.get(WebhookEvent, delivery.event_id)
    if subscription is None or event is None:
        return None
    return Target(
        delivery_id=delivery.id,
        status=delivery.status,
        active=subscription.is_active and subscription.deleted_at is None,
        url=subscription.url,
        secret=subscription.secret,
        event_id=event.id,
        payload=event.payload,
    )


async def skip(session: AsyncSession, *, delivery_id: uuid.UUID) -> None:
    """The subscription was disabled or deleted before this delivery went out."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is not None and delivery.status is Status.PENDING:
        delivery.status = Status.SKIPPED
        delivery.next_retry_at = None


async def record_attempt(
    session: AsyncSession, *, delivery_id: uuid.UUID, result: AttemptResult, limits: Limits
) -> bool:
    """Keep one attempt; a success ends the streak, a failure may disable the subscription.

    Returns True when this attempt disabled the subscription.
    """
    insert = upsert_insert(session)
    await session.execute(
        insert(WebhookAttempt)
        .values(
            id=uuid.uuid4(),
            delivery_id=delivery_id,
            attempt=result.attempt,
            attempted_at=result.at,
            duration_ms=result.duration_ms,
            http_status=result.http_status,
            error=result.error,
            next_retry_at=result.next_retry_at,
        )
        .on_conflict_do_nothing(index_elements=["delivery_id", "attempt"])
    )
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    assert delivery is not None
    subscription = await session.get(Subscription, delivery.subscription_id, with_for_update=True)
    assert subscription is not None
    delivery.attempts = max(delivery.attempts, result.attempt)
    delivery.next_retry_at = result.next_retry_at
    if result.delivered:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = result.at
        delivery.last_error = None
        subscription.failure_streak = 0
        subscription.failing_since = None
        return False
    delivery.last_error = result.error or f"HTTP {result.http_status}"
    if subscription.failing_since is None:
        subscription.failing_since = result.at
    if subscription.is_active and result.at - subscription.failing_since >= limits.disable_after:
        hours = limits.disable_after.total_seconds() / 3600
        await _disable(session, subscription, f"failing for {hours:g} hours", now=result.at)
        return True
    return False


async def give_up(
    session: AsyncSession, *, delivery_id: uuid.UUID, reason: str, now: datetime, limits: Limits
) -> tuple[int, bool]:
    """Mark the delivery failed and lengthen its subscription's streak (once per delivery).

    Returns the streak and whether the subscription is now disabled.
    """
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        return 0, False
    subscription = await session.get(Subscription, delivery.subscription_id, with_for_update=True)
    assert subscription is not None
    if delivery.status is Status.PENDING:
        delivery.status = Status.FAILED
        delivery.next_retry_at = None
        delivery.last_error = reason[:2000]
        subscription.failure_streak += 1
        if subscription.failing_since is None:
            subscription.failing_since = now
        if subscription.is_active and subscription.failure_streak >= limits.disable_after_failures:
            await _disable(
                session,
                subscription,
                f"{subscription.failure_streak} deliveries failed in a row",
                now=now,
            )
    return subscription.failure_streak, not subscription.is_active


async def _disable(
    session: AsyncSession, subscription: Subscription, reason: str, *, now: datetime
) -> None:
    subscription.is_active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    session.add(
        StaffNotice(
            restaurant_id=subscription.restaurant_id,
            kind="webhook_subscription_disabled",
            subject=f"Webhook to {subscription.url[:200]} disabled",
            body=(
                f"The webhook subscription {subscription.id} to {subscription.url} was "
                f"disabled: {reason}. Fix the receiving end, then re-enable it with "
                f"POST .../webhooks/{subscription.id}/enable."
            ),
            dedupe_key=f"webhook-disabled/{subscription.id}/{now.isoformat()}",
            subscription_id=subscription.id,
            created_at=now,
        )
    )
    await session.flush()
