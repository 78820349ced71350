"""Guests: one platform-wide identity, what each restaurant knows about them, notes,
marketing consent, the audit trail of profile changes and data-export links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.orm.base import Base, Timestamps, UUIDPrimaryKey, utcnow


class Guest(UUIDPrimaryKey, Timestamps, Base):
    """The identity of one person across the platform (contact data, channel settings).

    What a restaurant knows about them lives in `GuestRelationship`, never here.
    """

    __tablename__ = "guests"

    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    # lower-cased "first last", the column name search runs on (same on both databases)
    search_name: Mapped[str] = mapped_column(String(242), default="", server_default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    email_notifications: Mapped[bool] = mapped_column(default=True)
    sms_notifications: Mapped[bool] = mapped_column(default=False)
    sms_opted_out_at: Mapped[datetime | None] = mapped_column()
    marketing_opt_in: Mapped[bool] = mapped_column(default=False)
    dietary_requirements: Mapped[str | None] = mapped_column(Text)
    is_vip: Mapped[bool] = mapped_column(default=False)
    total_reservations: Mapped[int] = mapped_column(default=0)
    completed_reservations: Mapped[int] = mapped_column(default=0)
    no_show_count: Mapped[int] = mapped_column(default=0)
    cancellation_count: Mapped[int] = mapped_column(default=0)
    # what the guest's completed visits came to, as POS systems reported it (minor units)
    total_spend_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # the last booking, visit or request: the retention clock starts here
    last_activity_at: Mapped[datetime | None] = mapped_column(index=True)
    # a merged duplicate points at the profile that absorbed it
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("guests.id", ondelete="SET NULL")
    )
    # set once, when the guest's personal data is anonymised (GDPR erasure or retention)
    erased_at: Mapped[datetime | None] = mapped_column()


class RestaurantGroup(UUIDPrimaryKey, Timestamps, Base):
    """Restaurants under one owner; they see each other's guest profiles only when shared."""

    __tablename__ = "restaurant_groups"

    name: Mapped[str] = mapped_column(String(200))
    shares_guest_profiles: Mapped[bool] = mapped_column(default=False)


class GuestRelationship(UUIDPrimaryKey, Timestamps, Base):
    """What one restaurant knows about one guest: flags, preferences and visit statistics."""

    __tablename__ = "guest_relationships"
    __table_args__ = (UniqueConstraint("guest_id", "restaurant_id"),)

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    restaurant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    is_vip: Mapped[bool] = mapped_column(default=False)
    blocked_at: Mapped[datetime | None] = mapped_column()
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    blocked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    tags: Mapped[list[str]] = mapped_column(default=list)
    preferred_areas: Mapped[list[str]] = mapped_column(default=list)
    dietary_restrictions: Mapped[list[str]] = mapped_column(default=list)
    allergies: Mapped[list[str]] = mapped_column(default=list)
    # statistics kept by the reservation lifecycle (recomputable from reservations)
    bookings: Mapped[int] = mapped_column(default=0)
    visits: Mapped[int] = mapped_column(default=0)
    covers: Mapped[int] = mapped_column(default=0)
    no_shows: Mapped[int] = mapped_column(default=0)
    cancellations: Mapped[int] = mapped_column(default=0)
    late_cancellations: Mapped[int] = mapped_column(default=0)
    first_visit_at: Mapped[datetime | None] = mapped_column()
    last_visit_at: Mapped[datetime | None] = mapped_column()
    spend_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class GuestNote(UUIDPrimaryKey, Base):
    """A note staff keep about a guest, visible to that restaurant (and its sharing group)."""

    __tablename__ = "guest_notes"

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    # preference, allergy, incident, vip or general (models.enums.GuestNoteType)
    note_type: Mapped[str] = mapped_column(String(20), default="general", server_default="general")
    # an alert note is shown to the host on every booking of this guest
    is_alert: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column()


class MarketingConsent(UUIDPrimaryKey, Base):
    """A guest's consent to marketing from one restaurant or one group, and its withdrawal."""

    __tablename__ = "marketing_consents"
    __table_args__ = (UniqueConstraint("guest_id", "scope"),)

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    # "restaurant:<uuid>" or "group:<uuid>": one consent row per guest and scope
    scope: Mapped[str] = mapped_column(String(60))
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("restaurant_groups.id", ondelete="CASCADE"), index=True
    )
    granted_at: Mapped[datetime] = mapped_column()
    source: Mapped[str] = mapped_column(String(20))  # booking_form, staff, import
    wording_version: Mapped[str] = mapped_column(String(40))
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    # link, staff, erasure, mailerlite
    withdrawn_via: Mapped[str | None] = mapped_column(String(20))


class MarketingSubscriber(UUIDPrimaryKey, Base):
    """What the mailing provider holds for a guest and scope, so sync is idempotent."""

    __tablename__ = "marketing_subscribers"
    __table_args__ = (UniqueConstraint("guest_id", "scope"),)

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(60))
    provider_subscriber_id: Mapped[str | None] = mapped_column(String(64))
    groups: Mapped[list[str]] = mapped_column(default=list)
    synced_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()


class GuestAudit(UUIDPrimaryKey, Base):
    """Who changed a guest's profile and how (block, merge, export, erasure, retention).

    `guest_id` is a plain column, not a foreign key: the trail outlives what it is about.
    """

    __tablename__ = "guest_audit"

    guest_id: Mapped[uuid.UUID] = mapped_column(index=True)
    restaurant_id: Mapped[uuid.UUID | None] = mapped_column()
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataExportRequest(UUIDPrimaryKey, Base):
    """A signed, single-use link to a guest's data; only the token's hash is kept."""

    __tablename__ = "data_export_requests"

    guest_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guests.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


# staff search by name or email: trigram indexes on PostgreSQL (substring and prefix
# matches), plain b-trees on SQLite
Index(
    "ix_guests_search_name",
    Guest.search_name,
    postgresql_using="gin",
    postgresql_ops={"search_name": "gin_trgm_ops"},
)
Index(
    "ix_guests_email_trgm",
    Guest.email,
    postgresql_using="gin",
    postgresql_ops={"email": "gin_trgm_ops"},
)
