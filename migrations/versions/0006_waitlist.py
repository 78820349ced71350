"""Waitlist: entry kind, seating area, language, quotes, expiry, offers; waitlist messages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="future")
        )
        batch.add_column(sa.Column("seating_area", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch.add_column(sa.Column("quoted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("seated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("offer_minutes", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(sa.Column("offer_reservation_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("offers_made", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_waitlist_entries_offer_reservation_id_reservations",
            "reservations",
            ["offer_reservation_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("waitlist_entry_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_notifications_waitlist_entry_id_waitlist_entries",
            "waitlist_entries",
            ["waitlist_entry_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_notifications_waitlist_entry_id", ["waitlist_entry_id"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_waitlist_entry_id")
        batch.drop_constraint(
            "fk_notifications_waitlist_entry_id_waitlist_entries", type_="foreignkey"
        )
        batch.drop_column("waitlist_entry_id")
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.drop_constraint(
            "fk_waitlist_entries_offer_reservation_id_reservations", type_="foreignkey"
        )
        for column in (
            "ended_at",
            "offers_made",
            "offer_reservation_id",
            "offer_minutes",
            "expires_at",
            "seated_at",
            "quoted_at",
            "language",
            "seating_area",
            "kind",
        ):
            batch.drop_column(column)
