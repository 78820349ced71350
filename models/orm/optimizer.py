"""Proposed re-seatings of a service (the table optimizer's plans)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, UUIDPrimaryKey


class OptimisationPlan(UUIDPrimaryKey, Base):
    """A plan of table moves for one service, valid while the day's allocations are unchanged."""

    __tablename__ = "optimisation_plans"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    service_date: Mapped[date] = mapped_column()
    service: Mapped[str] = mapped_column(String(120))
    # hash of the day's active allocations when proposed: any booking change makes it stale
    fingerprint: Mapped[str] = mapped_column(String(64))
    moves: Mapped[list[dict[str, Any]]] = mapped_column()
    figures: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    applied_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_optimisation_plans_restaurant_day", "restaurant_id", "service_date"),
    )
