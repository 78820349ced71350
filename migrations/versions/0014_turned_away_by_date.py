"""An index for trimming old turned-away requests by the date they asked for.

The daily retention run deletes requests for dates older than
``RETENTION_DEMAND_MONTHS`` in batches; without this index each batch would scan
the whole table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_turned_away_requests_date", "turned_away_requests", ["reservation_date"])


def downgrade() -> None:
    op.drop_index("ix_turned_away_requests_date", table_name="turned_away_requests")
