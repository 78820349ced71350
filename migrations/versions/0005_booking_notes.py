"""Booking notes: a booking's free text waits here for its hold, out of workflow inputs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_notes",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("special_requests", sa.Text(), nullable=True),
        sa.Column("occasion", sa.String(length=60), nullable=True),
        sa.Column("dietary_requirements", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["guest_id"], ["guests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("reservation_id"),
    )
    op.create_index("ix_booking_notes_guest_id", "booking_notes", ["guest_id"])


def downgrade() -> None:
    op.drop_index("ix_booking_notes_guest_id", table_name="booking_notes")
    op.drop_table("booking_notes")
