"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:55:56.722346
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "guests",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("preferred_language", sa.String(length=8), nullable=False),
        sa.Column("email_notifications", sa.Boolean(), nullable=False),
        sa.Column("sms_notifications", sa.Boolean(), nullable=False),
        sa.Column("sms_opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("marketing_opt_in", sa.Boolean(), nullable=False),
        sa.Column("dietary_requirements", sa.Text(), nullable=True),
        sa.Column("is_vip", sa.Boolean(), nullable=False),
        sa.Column("total_reservations", sa.Integer(), nullable=False),
        sa.Column("completed_reservations", sa.Integer(), nullable=False),
        sa.Column("no_show_count", sa.Integer(), nullable=False),
        sa.Column("cancellation_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guests")),
        sa.UniqueConstraint("email", name=op.f("uq_guests_email")),
    )
    op.create_table(
        "processed_webhook_events",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_webhook_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_processed_webhook_events_provider_event_id")
        ),
    )
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "restaurants",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cuisine_type", sa.String(length=80), nullable=True),
        sa.Column("price_range", sa.Integer(), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("cover_image_url", sa.String(length=500), nullable=True),
        sa.Column(
            "gallery_urls",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "features",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("google_place_id", sa.String(length=200), nullable=True),
        sa.Column(
            "external_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("accepts_reservations", sa.Boolean(), nullable=False),
        sa.Column("is_featured", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("advance_booking_days", sa.Integer(), nullable=False),
        sa.Column("min_party_size", sa.Integer(), nullable=False),
        sa.Column("max_party_size", sa.Integer(), nullable=False),
        sa.Column("default_seating_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "turn_times",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("slot_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("pacing_max_covers", sa.Integer(), nullable=True),
        sa.Column("pacing_max_parties", sa.Integer(), nullable=True),
        sa.Column("pacing_window_minutes", sa.Integer(), nullable=False),
        sa.Column("cancellation_deadline_hours", sa.Integer(), nullable=False),
        sa.Column("no_show_fee_minor", sa.Integer(), nullable=False),
        sa.Column("deposit_required", sa.Boolean(), nullable=False),
        sa.Column("deposit_amount_minor", sa.Integer(), nullable=False),
        sa.Column("deposit_percentage", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("average_spend_per_cover_minor", sa.Integer(), nullable=False),
        sa.Column(
            "confirmation_mode",
            sa.Enum("instant", "manual", name="confirmationmode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "min_party_size >= 1 AND min_party_size <= max_party_size",
            name=op.f("ck_restaurants_party_bounds"),
        ),
        sa.CheckConstraint(
            "price_range IS NULL OR price_range BETWEEN 1 AND 4",
            name=op.f("ck_restaurants_price_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restaurants")),
        sa.UniqueConstraint("slug", name=op.f("uq_restaurants_slug")),
    )
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_restaurants_city"), ["city"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_restaurants_cuisine_type"), ["cuisine_type"], unique=False
        )

    op.create_table(
        "staff_users",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column(
            "role",
            sa.Enum("admin", "manager", "host", name="staffrole", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "floor_plans",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_floor_plans_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_plans")),
        sa.UniqueConstraint(
            "restaurant_id", "name", name=op.f("uq_floor_plans_restaurant_id_name")
        ),
    )
    with op.batch_alter_table("floor_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_floor_plans_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "guest_notes",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_users.id"],
            name=op.f("fk_guest_notes_author_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_guest_notes_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_guest_notes_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_notes")),
    )
    with op.batch_alter_table("guest_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guest_notes_guest_id"), ["guest_id"], unique=False)

    op.create_table(
        "partner_api_keys",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=200), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff_users.id"],
            name=op.f("fk_partner_api_keys_created_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_partner_api_keys_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_api_keys")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_partner_api_keys_key_prefix")),
    )
    op.create_table(
        "party_size_overrides",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("min_party_size", sa.Integer(), nullable=True),
        sa.Column("max_party_size", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_party_size_overrides_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_size_overrides")),
        sa.UniqueConstraint(
            "restaurant_id",
            "day",
            "starts_at",
            name=op.f("uq_party_size_overrides_restaurant_id_day_starts_at"),
        ),
    )
    with op.batch_alter_table("party_size_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_size_overrides_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "service_periods",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.Column("last_seating_at", sa.Time(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_service_periods_weekday")),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_service_periods_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_periods")),
    )
    with op.batch_alter_table("service_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_periods_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "special_days",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "closed",
                "private_event",
                "custom_hours",
                "weather",
                name="specialdaykind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "custom_services",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_special_days_date_range")),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_special_days_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_days")),
    )
    with op.batch_alter_table("special_days", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_special_days_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "staff_restaurants",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_staff_restaurants_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_restaurants_staff_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "restaurant_id", name=op.f("pk_staff_restaurants")),
    )
    op.create_table(
        "reservations",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("reservation_date", sa.Date(), nullable=False),
        sa.Column("reservation_time", sa.Time(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "pending_confirmation",
                "confirmed",
                "seated",
                "completed",
                "no_show",
                "cancelled_by_guest",
                "cancelled_by_restaurant",
                "expired",
                "declined",
                name="reservationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "online",
                "phone",
                "walk_in",
                "partner",
                "staff",
                name="reservationsource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("seating_preference", sa.String(length=120), nullable=True),
        sa.Column("special_requests", sa.Text(), nullable=True),
        sa.Column("occasion", sa.String(length=60), nullable=True),
        sa.Column("dietary_requirements", sa.Text(), nullable=True),
        sa.Column("internal_notes", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("guest_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_within_deadline", sa.Boolean(), nullable=True),
        sa.Column("actual_party_size", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "deposit_status",
            sa.Enum(
                "not_required",
                "pending",
                "paid",
                "refunded",
                "forfeited",
                name="depositstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("deposit_amount_minor", sa.Integer(), nullable=False),
        sa.Column("no_show_fee_minor", sa.Integer(), nullable=False),
        sa.Column("cancellation_deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workflow_id", sa.String(length=120), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_reservations_party_size")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_reservations_time_range")),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_reservations_guest_id_guests"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner_api_keys.id"],
            name=op.f("fk_reservations_partner_id_partner_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_reservations_restaurant_id_restaurants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        sa.UniqueConstraint("reference", name=op.f("uq_reservations_reference")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_reservations_workflow_id")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservations_guest_id"), ["guest_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reservations_reservation_date"), ["reservation_date"], unique=False
        )
        batch_op.create_index(
            "ix_reservations_restaurant_date", ["restaurant_id", "reservation_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reservations_restaurant_id"), ["restaurant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reservations_status"), ["status"], unique=False)

    op.create_table(
        "seating_areas",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("floor_plan_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["floor_plan_id"],
            ["floor_plans.id"],
            name=op.f("fk_seating_areas_floor_plan_id_floor_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_seating_areas_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seating_areas")),
        sa.UniqueConstraint(
            "restaurant_id", "name", name=op.f("uq_seating_areas_restaurant_id_name")
        ),
    )
    with op.batch_alter_table("seating_areas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seating_areas_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("guest_id", sa.Uuid(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="notificationchannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sent",
                "delivered",
                "failed",
                name="notificationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("provider_message_id", sa.String(length=120), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_notifications_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_notifications_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_reservation_id"), ["reservation_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("psp_reference", sa.String(length=64), nullable=True),
        sa.Column("provider_session_id", sa.String(length=200), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_payments_reservation_id_reservations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_psp_reference"), ["psp_reference"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payments_reservation_id"), ["reservation_id"], unique=False
        )

    op.create_table(
        "restaurant_tables",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("seating_area_id", sa.Uuid(), nullable=True),
        sa.Column("floor_plan_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("min_capacity", sa.Integer(), nullable=False),
        sa.Column("max_capacity", sa.Integer(), nullable=False),
        sa.Column(
            "table_type",
            sa.Enum(
                "standard",
                "booth",
                "bar",
                "high_top",
                "outdoor",
                "private",
                name="tabletype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("x", sa.Integer(), nullable=True),
        sa.Column("y", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column(
            "features",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("online_bookable", sa.Boolean(), nullable=False),
        sa.Column(
            "combinable_with",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("combined_max_capacity", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "min_capacity >= 1 AND min_capacity <= max_capacity",
            name=op.f("ck_restaurant_tables_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["floor_plan_id"],
            ["floor_plans.id"],
            name=op.f("fk_restaurant_tables_floor_plan_id_floor_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_restaurant_tables_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seating_area_id"],
            ["seating_areas.id"],
            name=op.f("fk_restaurant_tables_seating_area_id_seating_areas"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restaurant_tables")),
        sa.UniqueConstraint(
            "restaurant_id", "number", name=op.f("uq_restaurant_tables_restaurant_id_number")
        ),
    )
    with op.batch_alter_table("restaurant_tables", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_restaurant_tables_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "waitlist_entries",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("desired_date", sa.Date(), nullable=False),
        sa.Column("desired_time_from", sa.Time(), nullable=True),
        sa.Column("desired_time_to", sa.Time(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "offered",
                "accepted",
                "seated",
                "expired",
                "cancelled",
                name="waitliststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("quoted_wait_minutes", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("workflow_id", sa.String(length=120), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_waitlist_entries_guest_id_guests"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_waitlist_entries_reservation_id_reservations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_waitlist_entries_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_waitlist_entries_workflow_id")),
    )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "table_allocations",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("table_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covers", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "held", "booked", "released", name="allocationstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_table_allocations_time_range")),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_table_allocations_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_table_allocations_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["restaurant_tables.id"],
            name=op.f("fk_table_allocations_table_id_restaurant_tables"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_allocations")),
    )
    with op.batch_alter_table("table_allocations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_table_allocations_active",
            ["restaurant_id", "starts_at"],
            unique=False,
            postgresql_where=sa.text("status <> 'released'"),
            sqlite_where=sa.text("status <> 'released'"),
        )
        batch_op.create_index(
            batch_op.f("ix_table_allocations_reservation_id"), ["reservation_id"], unique=False
        )
        batch_op.create_index("ix_table_allocations_table", ["table_id", "starts_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("table_allocations", schema=None) as batch_op:
        batch_op.drop_index("ix_table_allocations_table")
        batch_op.drop_index(batch_op.f("ix_table_allocations_reservation_id"))
        batch_op.drop_index(
            "ix_table_allocations_active",
            postgresql_where=sa.text("status <> 'released'"),
            sqlite_where=sa.text("status <> 'released'"),
        )

    op.drop_table("table_allocations")
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_restaurant_id"))

    op.drop_table("waitlist_entries")
    with op.batch_alter_table("restaurant_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restaurant_tables_restaurant_id"))

    op.drop_table("restaurant_tables")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_payments_psp_reference"))

    op.drop_table("payments")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_reservation_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("seating_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seating_areas_restaurant_id"))

    op.drop_table("seating_areas")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservations_status"))
        batch_op.drop_index(batch_op.f("ix_reservations_restaurant_id"))
        batch_op.drop_index("ix_reservations_restaurant_date")
        batch_op.drop_index(batch_op.f("ix_reservations_reservation_date"))
        batch_op.drop_index(batch_op.f("ix_reservations_guest_id"))

    op.drop_table("reservations")
    op.drop_table("staff_restaurants")
    with op.batch_alter_table("special_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_special_days_restaurant_id"))

    op.drop_table("special_days")
    with op.batch_alter_table("service_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_periods_restaurant_id"))

    op.drop_table("service_periods")
    with op.batch_alter_table("party_size_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_size_overrides_restaurant_id"))

    op.drop_table("party_size_overrides")
    op.drop_table("partner_api_keys")
    with op.batch_alter_table("guest_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guest_notes_guest_id"))

    op.drop_table("guest_notes")
    with op.batch_alter_table("floor_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_floor_plans_restaurant_id"))

    op.drop_table("floor_plans")
    op.drop_table("staff_users")
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restaurants_cuisine_type"))
        batch_op.drop_index(batch_op.f("ix_restaurants_city"))

    op.drop_table("restaurants")
    op.drop_table("reference_counters")
    op.drop_table("processed_webhook_events")
    op.drop_table("guests")
