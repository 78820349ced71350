"""Partner webhooks: marketplace credentials and bookings, POS connections, mappings, events.

Also the spend a POS reports: `reservations.spend_minor` and `guests.total_spend_minor`.
The lead re-chains `down_revision` when merging beside 0006, 0007 and 0009.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pos_connections",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("external_location_id", sa.String(length=120), nullable=True),
        sa.Column("signing_secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_pos_connections_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_connections")),
        sa.UniqueConstraint(
            "restaurant_id", "system", name=op.f("uq_pos_connections_restaurant_id_system")
        ),
        sa.UniqueConstraint(
            "system",
            "external_location_id",
            name=op.f("uq_pos_connections_system_external_location_id"),
        ),
    )
    op.create_table(
        "marketplace_bookings",
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("booking_id", sa.String(length=120), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("partner_key_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_key_id"],
            ["partner_api_keys.id"],
            name=op.f("fk_marketplace_bookings_partner_key_id_partner_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_marketplace_bookings_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_bookings")),
        sa.UniqueConstraint(
            "marketplace", "booking_id", name=op.f("uq_marketplace_bookings_marketplace_booking_id")
        ),
    )
    with op.batch_alter_table("marketplace_bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketplace_bookings_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "marketplace_credentials",
        sa.Column("partner_key_id", sa.Uuid(), nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("hmac_secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_key_id"],
            ["partner_api_keys.id"],
            name=op.f("fk_marketplace_credentials_partner_key_id_partner_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_credentials")),
        sa.UniqueConstraint(
            "partner_key_id", name=op.f("uq_marketplace_credentials_partner_key_id")
        ),
    )
    op.create_table(
        "pos_events",
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_table_id", sa.String(length=120), nullable=True),
        sa.Column("table_id", sa.Uuid(), nullable=True),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("table_status", sa.String(length=32), nullable=True),
        sa.Column("spend_minor", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_pos_events_reservation_id_reservations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_pos_events_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["restaurant_tables.id"],
            name=op.f("fk_pos_events_table_id_restaurant_tables"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_events")),
        sa.UniqueConstraint("system", "event_id", name=op.f("uq_pos_events_system_event_id")),
    )
    with op.batch_alter_table("pos_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pos_events_restaurant_received", ["restaurant_id", "received_at"], unique=False
        )

    op.create_table(
        "pos_table_mappings",
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("external_table_id", sa.String(length=120), nullable=False),
        sa.Column("table_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_pos_table_mappings_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["restaurant_tables.id"],
            name=op.f("fk_pos_table_mappings_table_id_restaurant_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_table_mappings")),
        sa.UniqueConstraint(
            "restaurant_id",
            "system",
            "external_table_id",
            name=op.f("uq_pos_table_mappings_restaurant_id_system_external_table_id"),
        ),
    )
    with op.batch_alter_table("pos_table_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pos_table_mappings_table_id"), ["table_id"], unique=False
        )

    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("total_spend_minor", sa.BigInteger(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spend_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_column("spend_minor")

    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_column("total_spend_minor")

    with op.batch_alter_table("pos_table_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_table_mappings_table_id"))

    op.drop_table("pos_table_mappings")
    with op.batch_alter_table("pos_events", schema=None) as batch_op:
        batch_op.drop_index("ix_pos_events_restaurant_received")

    op.drop_table("pos_events")
    op.drop_table("marketplace_credentials")
    with op.batch_alter_table("marketplace_bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_bookings_restaurant_id"))

    op.drop_table("marketplace_bookings")
    op.drop_table("pos_connections")
