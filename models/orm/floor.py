"""Floor plans, seating areas and the restaurant's tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enums import TableLiveStatus, TableType
from models.orm.base import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from models.orm.restaurant import Restaurant


class FloorPlan(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "floor_plans"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    width: Mapped[int] = mapped_column(default=1000)
    height: Mapped[int] = mapped_column(default=800)
    is_active: Mapped[bool] = mapped_column(default=True)

    restaurant: Mapped[Restaurant] = relationship(back_populates="floor_plans")

    __table_args__ = (UniqueConstraint("restaurant_id", "name"),)


class SeatingArea(UUIDPrimaryKey, Base):
    """A part of the room guests can ask for: terrace, bar, main room, private room."""

    __tablename__ = "seating_areas"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    floor_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("floor_plans.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)

    restaurant: Mapped[Restaurant] = relationship(back_populates="seating_areas")

    __table_args__ = (UniqueConstraint("restaurant_id", "name"),)


class RestaurantTable(UUIDPrimaryKey, Timestamps, Base):
    """A physical table; combinable_with lists ids of tables it can be pushed together with."""

    __tablename__ = "restaurant_tables"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    seating_area_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("seating_areas.id", ondelete="SET NULL")
    )
    floor_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("floor_plans.id", ondelete="SET NULL")
    )
    number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(120))
    min_capacity: Mapped[int] = mapped_column()
    max_capacity: Mapped[int] = mapped_column()
    table_type: Mapped[TableType] = mapped_column(default=TableType.STANDARD)
    x: Mapped[int | None] = mapped_column()
    y: Mapped[int | None] = mapped_column()
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    rotation: Mapped[int] = mapped_column(default=0)
    features: Mapped[list[str]] = mapped_column(default=list)
    priority: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    online_bookable: Mapped[bool] = mapped_column(default=True)
    combinable_with: Mapped[list[str]] = mapped_column(default=list)
    combined_max_capacity: Mapped[int | None] = mapped_column()
    # the live floor's manual mark (services/live_floor.py): None means nothing was said
    live_status: Mapped[TableLiveStatus | None] = mapped_column()
    live_status_note: Mapped[str | None] = mapped_column(String(200))
    live_status_at: Mapped[datetime | None] = mapped_column()
    # a host set it (True), or the end of a meal did (False: cleaning after completion)
    live_status_by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())

    restaurant: Mapped[Restaurant] = relationship(back_populates="tables")
    seating_area: Mapped[SeatingArea | None] = relationship()

    __table_args__ = (
        UniqueConstraint("restaurant_id", "number"),
        CheckConstraint("min_capacity >= 1 AND min_capacity <= max_capacity", "capacity"),
    )
