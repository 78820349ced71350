"""Booking requests turned away as full.

``turned_away_requests``: one row per refused request (no table fits, or the pacing
limit), so forecasts, day replay and analytics count the demand a full day had.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = (
    "online",
    "phone",
    "walk_in",
    "partner",
    "staff",
    "google",
    "thefork",
    "pos",
    "waitlist",
)


def upgrade() -> None:
    op.create_table(
        "turned_away_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_date", sa.Date(), nullable=False),
        sa.Column("reservation_time", sa.Time(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("seating_area", sa.String(length=120), nullable=True),
        sa.Column(
            "source",
            sa.Enum(*SOURCES, name="reservationsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_turned_away_requests_party_size")),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_turned_away_requests_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turned_away_requests")),
    )
    op.create_index(
        "ix_turned_away_requests_restaurant_date",
        "turned_away_requests",
        ["restaurant_id", "reservation_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_turned_away_requests_restaurant_date", table_name="turned_away_requests")
    op.drop_table("turned_away_requests")
