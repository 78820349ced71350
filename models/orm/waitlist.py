"""Waitlist entries: a guest waiting for a table on a day, or a party at the door (walk-in)."""

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
    # "future" (tell me when a table frees up) or "walk_in" (today's queue at the door)
    kind: Mapped[str] = mapped_column(String(16), default="future")
    party_size: Mapped[int] = mapped_column()
    desired_date: Mapped[date] = mapped_column()
    desired_time_from: Mapped[time | None] = mapped_column()
    desired_time_to: Mapped[time | None] = mapped_column()
    seating_area: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[WaitlistStatus] = mapped_column(default=WaitlistStatus.WAITING)
    # the quote given when the party joined, and when: with seated_at, the quote's error
    quoted_wait_minutes: Mapped[int | None] = mapped_column()
    quoted_at: Mapped[datetime | None] = mapped_column()
    seated_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    # the entry ends when this has passed (the guest is told)
    expires_at: Mapped[datetime | None] = mapped_column()
    offer_minutes: Mapped[int] = mapped_column(default=10)
    # the current (or last) offer: a held reservation of source "waitlist"
    offer_reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL")
    )
    offered_at: Mapped[datetime | None] = mapped_column()
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    offers_made: Mapped[int] = mapped_column(default=0)
    # the booking the entry became (accepted offer, or a seated walk-in)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL")
    )
    ended_at: Mapped[datetime | None] = mapped_column()
    workflow_id: Mapped[str | None] = mapped_column(String(120), unique=True)
