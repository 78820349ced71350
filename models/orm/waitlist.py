"""Waitlist entries (the waitlist workflow comes in a later issue)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.enums import WaitlistStatus
from models.orm.base import Base, Timestamps, UUIDPrimaryKey


class WaitlistEntry(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "waitlist_entries"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    guest_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guests.id", ondelete="RESTRICT"))
    party_size: Mapped[int] = mapped_column()
    desired_date: Mapped[date] = mapped_column()
    desired_time_from: Mapped[time | None] = mapped_column()
    desired_time_to: Mapped[time | None] = mapped_column()
    status: Mapped[WaitlistStatus] = mapped_column(default=WaitlistStatus.WAITING)
    quoted_wait_minutes: Mapped[int | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    offered_at: Mapped[datetime | None] = mapped_column()
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL")
    )
    workflow_id: Mapped[str | None] = mapped_column(String(120), unique=True)
