"""Outbound webhooks: subscriptions, the event outbox, deliveries and their attempts.

An event row is written in the same transaction as the change it tells about (a
transactional outbox); each (subscription, event) pair is one delivery, tried by its
own workflow, and every HTTP try is an attempt row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.enums import WebhookDeliveryStatus
from models.orm.base import Base, UUIDPrimaryKey, utcnow


class WebhookSubscription(UUIDPrimaryKey, Base):
    """A URL a restaurant (or, later, a partner) wants events POSTed to."""

    __tablename__ = "webhook_subscriptions"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column()
    description: Mapped[str | None] = mapped_column(String(200))
    # the Standard Webhooks signing secret ("whsec_" + base64); shown once, kept to sign
    secret: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None] = mapped_column()
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    # deliveries that ended failed since the last one delivered, and when that began
    failure_streak: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()


class WebhookEvent(UUIDPrimaryKey, Base):
    """One thing that happened, with the payload every subscriber receives."""

    __tablename__ = "webhook_events"

    # what emitted it (an activity's run, id and the event type): a retry finds this row
    key: Mapped[str] = mapped_column(String(300), unique=True)
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column()
    # {"type", "timestamp", "data"}: ids and non-personal facts only
    payload: Mapped[dict[str, Any]] = mapped_column()


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event for one subscription, tried until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    )

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[WebhookDeliveryStatus] = mapped_column(default=WebhookDeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_retry_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(UUIDPrimaryKey, Base):
    """One HTTP POST of a delivery: when, what came back, and when the next comes."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column()
    attempted_at: Mapped[datetime] = mapped_column()
    duration_ms: Mapped[int] = mapped_column(default=0)
    http_status: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    next_retry_at: Mapped[datetime | None] = mapped_column()


class StaffNotice(UUIDPrimaryKey, Base):
    """Something the restaurant's managers should read (a subscription was disabled)."""

    __tablename__ = "staff_notices"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # one notice per occasion (e.g. per disablement): a retried activity writes it once
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
