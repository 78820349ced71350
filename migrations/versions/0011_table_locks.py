"""Table locks and optimisation plans.

``reservations.tables_locked``: staff chose these tables, so the optimizer and
make-room never move the party (a staff assignment locks by default).
``optimisation_plans``: proposed re-seatings of a service, applied by id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column(
        "reservations",
        sa.Column("tables_locked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "optimisation_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("moves", _json(), nullable=False),
        sa.Column("figures", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["restaurant_id"], ["restaurants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_optimisation_plans_restaurant_day",
        "optimisation_plans",
        ["restaurant_id", "service_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_optimisation_plans_restaurant_day", table_name="optimisation_plans")
    op.drop_table("optimisation_plans")
    op.drop_column("reservations", "tables_locked")
