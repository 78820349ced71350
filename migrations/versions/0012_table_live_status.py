"""The live floor's manual table status.

``restaurant_tables.live_status`` (free, cleaning, blocked; NULL when nothing was
said), its note, when it was set, and whether a host set it or the end of a meal
did. A live-floor fact for hosts only: availability does not read it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a column with a CHECK constraint in place
    with op.batch_alter_table("restaurant_tables") as batch_op:
        batch_op.add_column(
            sa.Column(
                "live_status",
                sa.Enum(
                    "free",
                    "cleaning",
                    "blocked",
                    name="tablelivestatus",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("live_status_note", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("live_status_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "live_status_by_staff", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("restaurant_tables") as batch_op:
        batch_op.drop_column("live_status_by_staff")
        batch_op.drop_column("live_status_at")
        batch_op.drop_column("live_status_note")
        batch_op.drop_column("live_status")
