"""Payment policy (deposit or card guarantee, with conditions), audit trail, message threads.

`deposit_required` becomes `payment_mode`; the deposit amount settings become the
policy's amount settings (they price a guarantee's fee too), and the separate
restaurant no-show fee goes: a guarantee's fee is the policy's amount.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


PAYMENT_MODE = _enum("paymentmode", "none", "deposit", "guarantee")


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_audit_entries_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_audit_entries_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entries_reservation_id"), ["reservation_id"], unique=False
        )

    op.create_table(
        "thread_messages",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("direction", _enum("messagedirection", "inbound", "outbound"), nullable=False),
        sa.Column("channel", _enum("notificationchannel", "email", "sms"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=120), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_thread_messages_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_thread_messages_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_messages")),
        sa.UniqueConstraint(
            "provider_message_id", name=op.f("uq_thread_messages_provider_message_id")
        ),
    )
    with op.batch_alter_table("thread_messages") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_messages_reservation_id"), ["reservation_id"], unique=False
        )

    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("html_body", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_notifications_provider_message_id"),
            ["provider_message_id"],
            unique=False,
        )

    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(
            sa.Column("original_psp_reference", sa.String(length=64), nullable=True)
        )
        batch_op.alter_column(
            "kind",
            existing_type=sa.VARCHAR(length=30),
            type_=_enum("paymentkind", "deposit", "guarantee", "refund", "fee"),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.VARCHAR(length=30),
            type_=_enum("paymentstate", "pending", "succeeded", "failed"),
            existing_nullable=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payments_original_psp_reference"),
            ["original_psp_reference"],
            unique=False,
        )

    # existing rows get defaults; the server defaults are dropped once filled
    with op.batch_alter_table("reservations") as batch_op:
        batch_op.add_column(
            sa.Column("payment_mode", PAYMENT_MODE, nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column("payment_policy", JSON, nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("modification_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("UPDATE reservations SET payment_mode = 'deposit' WHERE deposit_amount_minor > 0")
    with op.batch_alter_table("reservations") as batch_op:
        for column in ("payment_mode", "payment_policy", "modification_count"):
            batch_op.alter_column(column, server_default=None)

    with op.batch_alter_table("restaurants") as batch_op:
        batch_op.add_column(
            sa.Column("payment_mode", PAYMENT_MODE, nullable=False, server_default="none")
        )
        batch_op.alter_column("deposit_amount_minor", new_column_name="payment_fixed_minor")
        batch_op.alter_column("deposit_percentage", new_column_name="payment_percentage")
        batch_op.add_column(sa.Column("payment_min_party_size", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("payment_weekdays", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("payment_services", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "payment_on_special_days", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.execute("UPDATE restaurants SET payment_mode = 'deposit' WHERE deposit_required")
    with op.batch_alter_table("restaurants") as batch_op:
        batch_op.drop_column("deposit_required")
        batch_op.drop_column("no_show_fee_minor")
        for column in (
            "payment_mode",
            "payment_weekdays",
            "payment_services",
            "payment_on_special_days",
        ):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("restaurants") as batch_op:
        batch_op.add_column(
            sa.Column("deposit_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("no_show_fee_minor", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("UPDATE restaurants SET deposit_required = (payment_mode = 'deposit')")
    with op.batch_alter_table("restaurants") as batch_op:
        batch_op.alter_column("deposit_required", server_default=None)
        batch_op.alter_column("no_show_fee_minor", server_default=None)
        batch_op.alter_column("payment_fixed_minor", new_column_name="deposit_amount_minor")
        batch_op.alter_column("payment_percentage", new_column_name="deposit_percentage")
        for column in (
            "payment_on_special_days",
            "payment_services",
            "payment_weekdays",
            "payment_min_party_size",
            "payment_mode",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("reservations") as batch_op:
        batch_op.drop_column("modification_count")
        batch_op.drop_column("payment_policy")
        batch_op.drop_column("payment_mode")

    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_original_psp_reference"))
        batch_op.alter_column(
            "status",
            existing_type=_enum("paymentstate", "pending", "succeeded", "failed"),
            type_=sa.VARCHAR(length=30),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "kind",
            existing_type=_enum("paymentkind", "deposit", "guarantee", "refund", "fee"),
            type_=sa.VARCHAR(length=30),
            existing_nullable=False,
        )
        batch_op.drop_column("original_psp_reference")

    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_provider_message_id"))
        batch_op.drop_column("html_body")

    with op.batch_alter_table("thread_messages") as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_messages_reservation_id"))
    op.drop_table("thread_messages")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_reservation_id"))
    op.drop_table("audit_entries")
