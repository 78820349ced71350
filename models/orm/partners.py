"""Partner channels coming in: marketplace credentials and bookings, POS connections and events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, UUIDPrimaryKey, utcnow


class MarketplaceCredential(UUIDPrimaryKey, Base):
    """The HMAC secret a marketplace signs its webhooks with, beside its partner API key.

    The API key is kept as an argon2 hash (partner_api_keys); the HMAC secret cannot
    be: checking a signature needs the secret itself, so it is stored as given.
    """

    __tablename__ = "marketplace_credentials"

    partner_key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_api_keys.id", ondelete="CASCADE"), unique=True
    )
    marketplace: Mapped[str] = mapped_column(String(32))
    hmac_secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MarketplaceBooking(UUIDPrimaryKey, Base):
    """A marketplace's booking id and our reservation; the latest event seen wins.

    A cancellation that arrives before its booking leaves a row with no reservation
    and `cancelled` set, so the late creation is refused instead of booked.
    """

    __tablename__ = "marketplace_bookings"

    marketplace: Mapped[str] = mapped_column(String(32))
    booking_id: Mapped[str] = mapped_column(String(120))
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    reservation_id: Mapped[uuid.UUID] = mapped_column()
    partner_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_api_keys.id", ondelete="SET NULL")
    )
    # refused attempts so far: a later event tries again under a new reservation id
    attempts: Mapped[int] = mapped_column(default=0)
    booked: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)
    last_event_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("marketplace", "booking_id"),)


class PosConnection(UUIDPrimaryKey, Base):
    """A restaurant's point-of-sale system: where its events come from and how they are signed.

    `signing_secret` is Square's subscription signature key, or the generic format's
    HMAC secret; like the marketplace secret it must be usable, so it is stored as given.
    """

    __tablename__ = "pos_connections"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    system: Mapped[str] = mapped_column(String(32))
    # Square's location id (events name the location, not the restaurant)
    external_location_id: Mapped[str | None] = mapped_column(String(120))
    signing_secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("restaurant_id", "system"),
        UniqueConstraint("system", "external_location_id"),
    )


class PosTableMapping(UUIDPrimaryKey, Base):
    """Which of our tables a POS table is (set by staff, one row per POS table)."""

    __tablename__ = "pos_table_mappings"

    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    system: Mapped[str] = mapped_column(String(32))
    external_table_id: Mapped[str] = mapped_column(String(120))
    table_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurant_tables.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("restaurant_id", "system", "external_table_id"),)


class PosEvent(UUIDPrimaryKey, Base):
    """One POS event as received, and what became of it (recorded, applied or unmatched)."""

    __tablename__ = "pos_events"

    system: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(200))
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))  # check_opened, check_closed, table_status
    external_table_id: Mapped[str | None] = mapped_column(String(120))
    table_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurant_tables.id", ondelete="SET NULL")
    )
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16))  # recorded, applied, unmatched
    # the table's state on the floor as the POS reports it (open, closed, or its own word)
    table_status: Mapped[str | None] = mapped_column(String(32))
    spend_minor: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # a till picks its own event ids: two restaurants' tills may send the same one
        UniqueConstraint("system", "restaurant_id", "event_id"),
        Index("ix_pos_events_restaurant_received", "restaurant_id", "received_at"),
    )
