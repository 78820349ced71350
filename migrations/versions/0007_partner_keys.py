"""Partner keys: scopes, a channel and a list of restaurants per key.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-27

A key used to name one restaurant (or none); it now names any number of them in
`partner_key_restaurants`. Existing keys keep their restaurant and get every scope,
so nothing a partner could do before stops working. `google_bookings` remembers
which Google user made a booking (ListBookings asks by Google's user id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_SCOPES = '["availability:read", "bookings:write", "webhooks:manage"]'


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("partner_api_keys") as batch:
        batch.add_column(
            sa.Column("scopes", json_type, nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("channel", sa.String(length=32), nullable=False, server_default="partner")
        )
    op.execute(sa.text(f"UPDATE partner_api_keys SET scopes = '{ALL_SCOPES}'"))
    op.create_table(
        "partner_key_restaurants",
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["partner_api_keys.id"],
            name=op.f("fk_partner_key_restaurants_key_id_partner_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_partner_key_restaurants_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_id", "restaurant_id", name=op.f("pk_partner_key_restaurants")),
    )
    op.execute(
        sa.text(
            "INSERT INTO partner_key_restaurants (key_id, restaurant_id) "
            "SELECT id, restaurant_id FROM partner_api_keys WHERE restaurant_id IS NOT NULL"
        )
    )
    op.create_table(
        "google_bookings",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_google_bookings_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reservation_id", name=op.f("pk_google_bookings")),
    )
    op.create_index("ix_google_bookings_user_id", "google_bookings", ["user_id"])
    op.create_index(
        "ix_reservations_restaurant_source", "reservations", ["restaurant_id", "source"]
    )


def downgrade() -> None:
    op.drop_index("ix_reservations_restaurant_source", table_name="reservations")
    op.drop_index("ix_google_bookings_user_id", table_name="google_bookings")
    op.drop_table("google_bookings")
    op.drop_table("partner_key_restaurants")
    with op.batch_alter_table("partner_api_keys") as batch:
        batch.drop_column("channel")
        batch.drop_column("scopes")
