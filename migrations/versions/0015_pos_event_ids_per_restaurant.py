"""POS event ids are unique per restaurant, not per POS system.

A till chooses its own event ids ("till-1"), so two restaurants' tills on the generic
format can send the same one: the second restaurant's event was taken for a
redelivery of the first's and dropped. Square's ids are unique anyway.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pos_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pos_events_system_event_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_pos_events_system_restaurant_id_event_id", ["system", "restaurant_id", "event_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("pos_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pos_events_system_restaurant_id_event_id", type_="unique")
        batch_op.create_unique_constraint("uq_pos_events_system_event_id", ["system", "event_id"])
