"""The notification outbox: every message to a guest is a row before it is sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.enums import MessageDirection, NotificationChannel, NotificationStatus
from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class Notification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notifications"

    # one message per (reservation, purpose, channel): retries find the same row
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    # a waitlist message (joined, offer, expired...) names its entry instead
    waitlist_entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True
    )
    guest_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guests.id", ondelete="CASCADE"))
    channel: Mapped[NotificationChannel] = mapped_column()
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8), default="en")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[NotificationStatus] = mapped_column(default=NotificationStatus.QUEUED)
    provider_message_id: Mapped[str | None] = mapped_column(String(120), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()


class ThreadMessage(UUIDPrimaryKey, Base):
    """One message in a reservation's conversation: a guest's SMS reply or a staff answer."""

    __tablename__ = "thread_messages"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[MessageDirection] = mapped_column()
    channel: Mapped[NotificationChannel] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    # Twilio's MessageSid for an inbound reply: a redelivered webhook stops here
    provider_message_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
