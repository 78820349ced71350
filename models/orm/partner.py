"""What partner channels need beside a reservation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, utcnow


class GoogleBooking(Base):
    """A reservation Google made, and the Google user it belongs to (for ListBookings)."""

    __tablename__ = "google_bookings"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
