"""Payment records and processed provider webhook events (for de-duplication)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.enums import PaymentKind, PaymentState
from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class Payment(UUIDPrimaryKey, Timestamps, Base):
    """One money movement (deposit, guarantee, fee, refund, capture), integer minor units."""

    __tablename__ = "payments"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="RESTRICT"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    kind: Mapped[PaymentKind] = mapped_column()
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentState] = mapped_column(default=PaymentState.PENDING)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    psp_reference: Mapped[str | None] = mapped_column(String(64), index=True)
    # a refund's (or capture's) original payment
    original_psp_reference: Mapped[str | None] = mapped_column(String(64), index=True)
    provider_session_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProcessedWebhookEvent(UUIDPrimaryKey, Base):
    """A provider event already handed to its workflow: a redelivery stops here."""

    __tablename__ = "processed_webhook_events"

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (UniqueConstraint("provider", "event_id"),)


class AuditEntry(UUIDPrimaryKey, Base):
    """Who did what to a reservation's money, when and why (waivers)."""

    __tablename__ = "audit_entries"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
