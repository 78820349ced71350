"""Requests the restaurant turned away because the time was full.

A refused booking leaves no reservation row, so without this the demand a busy day
had is invisible: the forecast (and so capacity protection and day replay) and the
analytics saw only what was booked. One row per refused request, keyed by the
request's id, so a retried request with the same idempotency key counts once. No
guest data: only what was asked and when.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.enums import ReservationSource
from models.orm.base import Base


class TurnedAwayRequest(Base):
    """One booking request refused as full (no table fits, or the pacing limit)."""

    __tablename__ = "turned_away_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the request's reservation id
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    reservation_date: Mapped[date] = mapped_column()  # the restaurant's local date asked for
    reservation_time: Mapped[time] = mapped_column()  # local time asked for
    starts_at: Mapped[datetime] = mapped_column()  # that time as an instant
    party_size: Mapped[int] = mapped_column()
    seating_area: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[ReservationSource] = mapped_column()
    reason: Mapped[str] = mapped_column(String(40))  # no_table_fits or pacing_limit_reached
    asked_at: Mapped[datetime] = mapped_column()

    __table_args__ = (
        CheckConstraint("party_size >= 1", "party_size"),
        Index("ix_turned_away_requests_restaurant_date", "restaurant_id", "reservation_date"),
        Index("ix_turned_away_requests_date", "reservation_date"),  # retention trims by date
    )
