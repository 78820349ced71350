"""Money columns hold 64-bit minor units.

A 32-bit column tops out at 2,147,483,647 minor units: an Indonesian restaurant's
deposit for 20 covers (IDR has no minor unit in use, so amounts are large) passes it,
and Adyen itself accepts 64-bit amounts. Every amount in minor units becomes BIGINT.
SQLite stores any INTEGER in 64 bits already; its batch mode keeps the declared types
in step with the models.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "restaurants": ("payment_fixed_minor", "average_spend_per_cover_minor"),
    "reservations": ("deposit_amount_minor", "no_show_fee_minor"),
    "payments": ("amount_minor",),
}


def upgrade() -> None:
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.Integer(),
                    type_=sa.BigInteger(),
                    existing_nullable=False,
                )


def downgrade() -> None:
    # amounts past 32 bits cannot go back: the downgrade fails rather than truncate them
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.BigInteger(),
                    type_=sa.Integer(),
                    existing_nullable=False,
                )
