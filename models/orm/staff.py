"""Staff users with roles, the restaurants they work for, and partner API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.enums import StaffRole
from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class StaffUser(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "staff_users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)

    memberships: Mapped[list[StaffRestaurant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def restaurant_ids(self) -> frozenset[uuid.UUID]:
        """Restaurants this member of staff works for (admins see all regardless)."""
        return frozenset(m.restaurant_id for m in self.memberships)


class StaffRestaurant(Base):
    __tablename__ = "staff_restaurants"

    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), primary_key=True
    )


class PartnerApiKey(UUIDPrimaryKey, Base):
    """A partner channel's key; only a prefix (to find it) and an argon2 hash are kept."""

    __tablename__ = "partner_api_keys"

    name: Mapped[str] = mapped_column(String(120))
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(200))
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    # what the key may do (see services.partners.keys.SCOPES) and the channel it books as
    scopes: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))
    channel: Mapped[str] = mapped_column(String(32), default="partner", server_default="partner")
    # the restaurants the key may see; `restaurant_id` is the older single restaurant
    restaurants: Mapped[list[PartnerKeyRestaurant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def restaurant_ids(self) -> frozenset[uuid.UUID]:
        """Restaurants this key may see (nothing else, not even to learn it exists)."""
        return frozenset(r.restaurant_id for r in self.restaurants)


class PartnerKeyRestaurant(Base):
    """One restaurant a partner key may see."""

    __tablename__ = "partner_key_restaurants"

    key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), primary_key=True
    )
