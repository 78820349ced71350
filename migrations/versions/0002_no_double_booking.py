"""PostgreSQL guards the no-double-booking invariant itself.

An exclusion constraint forbids two blocking allocations (held or booked)
overlapping in time on one table, whatever the application does. Expired holds
keep status 'held' until a hold transaction releases them, so the allocation
code releases expired holds on the tables it wants in the same transaction.
SQLite has no exclusion constraints; there writes are serialized instead.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE table_allocations ADD CONSTRAINT ex_table_allocations_no_overlap "
        "EXCLUDE USING gist (table_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status IN ('held', 'booked'))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE table_allocations DROP CONSTRAINT ex_table_allocations_no_overlap")
