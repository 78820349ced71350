"""Restaurants, their booking settings, opening hours (services) and special days."""

from __future__ import annotations

import uuid
from datetime import date, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enums import ConfirmationMode, PaymentMode, SpecialDayKind
from models.orm.base import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from models.orm.floor import FloorPlan, RestaurantTable, SeatingArea


class Restaurant(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "restaurants"

    # identity and listing
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    cuisine_type: Mapped[str | None] = mapped_column(String(80), index=True)
    price_range: Mapped[int | None] = mapped_column()  # 1..4, "$" to "$$$$"
    # address and coordinates
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120), index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country_code: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    # contact and media
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    cover_image_url: Mapped[str | None] = mapped_column(String(500))
    gallery_urls: Mapped[list[str]] = mapped_column(default=list)
    features: Mapped[list[str]] = mapped_column(default=list)
    # integrations (partner ids)
    google_place_id: Mapped[str | None] = mapped_column(String(200))
    external_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the group it belongs to (guest profiles are shared only if the group says so)
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurant_groups.id", ondelete="SET NULL"), index=True
    )
    # status and rating
    is_active: Mapped[bool] = mapped_column(default=True)
    accepts_reservations: Mapped[bool] = mapped_column(default=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    review_count: Mapped[int] = mapped_column(default=0)
    # time and money
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # reservation settings
    advance_booking_days: Mapped[int] = mapped_column(default=60)
    min_party_size: Mapped[int] = mapped_column(default=1)
    max_party_size: Mapped[int] = mapped_column(default=12)
    default_seating_minutes: Mapped[int] = mapped_column(default=120)
    turn_times: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    slot_interval_minutes: Mapped[int] = mapped_column(default=15)
    min_notice_minutes: Mapped[int] = mapped_column(default=60)
    pacing_max_covers: Mapped[int | None] = mapped_column()
    pacing_max_parties: Mapped[int | None] = mapped_column()
    pacing_window_minutes: Mapped[int] = mapped_column(default=15)
    cancellation_deadline_hours: Mapped[int] = mapped_column(default=24)
    # payment policy: a deposit or a card guarantee of max(fixed, percentage x estimated bill)
    payment_mode: Mapped[PaymentMode] = mapped_column(default=PaymentMode.NONE)
    payment_fixed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_percentage: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    average_spend_per_cover_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_min_party_size: Mapped[int | None] = mapped_column()
    payment_weekdays: Mapped[list[int]] = mapped_column(default=list)
    payment_services: Mapped[list[str]] = mapped_column(default=list)
    payment_on_special_days: Mapped[bool] = mapped_column(default=False)
    confirmation_mode: Mapped[ConfirmationMode] = mapped_column(default=ConfirmationMode.INSTANT)

    services: Mapped[list[ServicePeriod]] = relationship(
        back_populates="restaurant",
        cascade="all, delete-orphan",
        order_by="(ServicePeriod.weekday, ServicePeriod.opens_at)",
    )
    special_days: Mapped[list[SpecialDay]] = relationship(
        back_populates="restaurant", cascade="all, delete-orphan"
    )
    party_size_overrides: Mapped[list[PartySizeOverride]] = relationship(
        back_populates="restaurant", cascade="all, delete-orphan"
    )
    floor_plans: Mapped[list[FloorPlan]] = relationship(
        back_populates="restaurant", cascade="all, delete-orphan"
    )
    seating_areas: Mapped[list[SeatingArea]] = relationship(
        back_populates="restaurant", cascade="all, delete-orphan"
    )
    tables: Mapped[list[RestaurantTable]] = relationship(
        back_populates="restaurant", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("min_party_size >= 1 AND min_party_size <= max_party_size", "party_bounds"),
        CheckConstraint("price_range IS NULL OR price_range BETWEEN 1 AND 4", "price_range"),
    )


class ServicePeriod(UUIDPrimaryKey, Base):
    """One service (lunch, dinner...) on one weekday; closes <= opens runs past midnight."""

    __tablename__ = "service_periods"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column()  # 0 = Monday
    name: Mapped[str] = mapped_column(String(60))
    opens_at: Mapped[time] = mapped_column()
    closes_at: Mapped[time] = mapped_column()
    last_seating_at: Mapped[time | None] = mapped_column()

    restaurant: Mapped[Restaurant] = relationship(back_populates="services")

    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", "weekday"),)


class SpecialDay(UUIDPrimaryKey, Base):
    """An override for a date range: closed, private event, custom hours or weather."""

    __tablename__ = "special_days"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    kind: Mapped[SpecialDayKind] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    # custom hours: [{"name", "opens_at", "closes_at", "last_seating_at"}]
    custom_services: Mapped[list[dict[str, Any]]] = mapped_column(default=list)

    restaurant: Mapped[Restaurant] = relationship(back_populates="special_days")

    __table_args__ = (CheckConstraint("starts_on <= ends_on", "date_range"),)


class PartySizeOverride(UUIDPrimaryKey, Base):
    """Narrows party sizes for slots of one date within [starts_at, ends_at) local time."""

    __tablename__ = "party_size_overrides"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column()
    starts_at: Mapped[time] = mapped_column()
    ends_at: Mapped[time] = mapped_column()
    min_party_size: Mapped[int | None] = mapped_column()
    max_party_size: Mapped[int | None] = mapped_column()

    restaurant: Mapped[Restaurant] = relationship(back_populates="party_size_overrides")

    __table_args__ = (UniqueConstraint("restaurant_id", "day", "starts_at"),)
