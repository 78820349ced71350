"""Guests (one row per normalised email) and staff notes about them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class Guest(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "guests"

    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    email_notifications: Mapped[bool] = mapped_column(default=True)
    sms_notifications: Mapped[bool] = mapped_column(default=False)
    sms_opted_out_at: Mapped[datetime | None] = mapped_column()
    marketing_opt_in: Mapped[bool] = mapped_column(default=False)
    dietary_requirements: Mapped[str | None] = mapped_column(Text)
    is_vip: Mapped[bool] = mapped_column(default=False)
    total_reservations: Mapped[int] = mapped_column(default=0)
    completed_reservations: Mapped[int] = mapped_column(default=0)
    no_show_count: Mapped[int] = mapped_column(default=0)
    cancellation_count: Mapped[int] = mapped_column(default=0)
    # what the guest's completed visits came to, as POS systems reported it (minor units)
    total_spend_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class GuestNote(UUIDPrimaryKey, Base):
    __tablename__ = "guest_notes"

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
