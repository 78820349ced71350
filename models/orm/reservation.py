"""Reservations, their table allocations and the reference counter."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enums import (
    AllocationStatus,
    DepositStatus,
    PaymentMode,
    ReservationSource,
    ReservationStatus,
)
from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow
from models.orm.guest import Guest
from models.orm.restaurant import Restaurant


class Reservation(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "reservations"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="RESTRICT"), index=True
    )
    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="RESTRICT"), index=True
    )
    party_size: Mapped[int] = mapped_column()
    # what the guest asked for, in the restaurant's wall-clock time
    reservation_date: Mapped[date] = mapped_column(index=True)
    reservation_time: Mapped[time] = mapped_column()
    # the same moment as instants, and the turn time that follows it
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column()
    status: Mapped[ReservationStatus] = mapped_column(index=True)
    source: Mapped[ReservationSource] = mapped_column(default=ReservationSource.ONLINE)
    seating_preference: Mapped[str | None] = mapped_column(String(120))
    special_requests: Mapped[str | None] = mapped_column(Text)
    occasion: Mapped[str | None] = mapped_column(String(60))
    dietary_requirements: Mapped[str | None] = mapped_column(Text)
    internal_notes: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    hold_expires_at: Mapped[datetime | None] = mapped_column()
    confirmed_at: Mapped[datetime | None] = mapped_column()
    guest_confirmed_at: Mapped[datetime | None] = mapped_column()
    seated_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    no_show_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_within_deadline: Mapped[bool | None] = mapped_column()
    actual_party_size: Mapped[int | None] = mapped_column()
    # the bill's total when a POS reported it at completion (minor units)
    spend_minor: Mapped[int | None] = mapped_column(BigInteger)
    # the policy in force when the guest booked, frozen here
    currency: Mapped[str] = mapped_column(String(3))
    payment_mode: Mapped[PaymentMode] = mapped_column(default=PaymentMode.NONE)
    # the restaurant's whole payment policy as it stood, for a later change of party size
    payment_policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deposit_status: Mapped[DepositStatus] = mapped_column(default=DepositStatus.NOT_REQUIRED)
    deposit_amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # charged at booking
    no_show_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # a guarantee's most
    # bumped by every modification: the calendar file's SEQUENCE
    modification_count: Mapped[int] = mapped_column(default=0)
    cancellation_deadline_at: Mapped[datetime | None] = mapped_column()
    workflow_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    # staff chose the tables: the optimizer and make-room never move the party
    tables_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_api_keys.id", ondelete="SET NULL")
    )

    restaurant: Mapped[Restaurant] = relationship()
    guest: Mapped[Guest] = relationship()
    allocations: Mapped[list[TableAllocation]] = relationship(
        back_populates="reservation", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("party_size >= 1", "party_size"),
        CheckConstraint("starts_at < ends_at", "time_range"),
        Index("ix_reservations_restaurant_date", "restaurant_id", "reservation_date"),
        Index("ix_reservations_restaurant_source", "restaurant_id", "source"),
    )


class TableAllocation(UUIDPrimaryKey, Base):
    """One table blocked for one reservation over [starts_at, ends_at).

    Held and booked rows block; a held row whose hold_expires_at has passed does
    not. On PostgreSQL an exclusion constraint (see the migrations) forbids two
    blocking rows overlapping on one table.
    """

    __tablename__ = "table_allocations"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    table_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurant_tables.id", ondelete="RESTRICT")
    )
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    covers: Mapped[int] = mapped_column(default=0)  # the party's size on its first table only
    status: Mapped[AllocationStatus] = mapped_column()
    hold_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()

    reservation: Mapped[Reservation] = relationship(back_populates="allocations")

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", "time_range"),
        Index(
            "ix_table_allocations_active",
            "restaurant_id",
            "starts_at",
            postgresql_where=text("status <> 'released'"),
            sqlite_where=text("status <> 'released'"),
        ),
        Index("ix_table_allocations_table", "table_id", "starts_at"),
    )


class ReferenceCounter(Base):
    """Last issued reservation number per year (references are RES-YYYY-NNNNNN)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class BookingNotes(Base):
    """A booking's free text, kept here until its hold writes the reservation row.

    Workflow inputs and histories cannot be erased, so the guest's words (requests,
    occasion, dietary needs) travel by the reservation id, never in the workflow's
    input; a guest's erasure removes these rows with the guest.
    """

    __tablename__ = "booking_notes"

    reservation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    special_requests: Mapped[str | None] = mapped_column(Text)
    occasion: Mapped[str | None] = mapped_column(String(60))
    dietary_requirements: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
