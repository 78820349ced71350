"""Guest CRM: per-restaurant relationships, restaurant groups, typed and alert notes,
marketing consent and subscribers, the guest audit trail and data-export links.

Existing guests get a search name and one relationship per restaurant they booked at.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restaurant_groups",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("shares_guest_profiles", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restaurant_groups")),
    )
    op.create_table(
        "data_export_requests",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_data_export_requests_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_export_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_data_export_requests_token_hash")),
    )
    op.create_index(
        op.f("ix_data_export_requests_guest_id"), "data_export_requests", ["guest_id"], unique=False
    )
    op.create_table(
        "guest_audit",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_guest_audit_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_audit")),
    )
    op.create_index(op.f("ix_guest_audit_guest_id"), "guest_audit", ["guest_id"], unique=False)
    op.create_table(
        "marketing_subscribers",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("provider_subscriber_id", sa.String(length=64), nullable=True),
        sa.Column(
            "groups",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_marketing_subscribers_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_subscribers")),
        sa.UniqueConstraint(
            "guest_id", "scope", name=op.f("uq_marketing_subscribers_guest_id_scope")
        ),
    )
    op.create_index(
        op.f("ix_marketing_subscribers_guest_id"),
        "marketing_subscribers",
        ["guest_id"],
        unique=False,
    )
    op.create_table(
        "guest_relationships",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=False),
        sa.Column("is_vip", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_reason", sa.Text(), nullable=True),
        sa.Column("blocked_by", sa.Uuid(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "preferred_areas",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "dietary_restrictions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "allergies",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("covers", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancellations", sa.Integer(), nullable=False),
        sa.Column("late_cancellations", sa.Integer(), nullable=False),
        sa.Column("first_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("spend_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["blocked_by"],
            ["staff_users.id"],
            name=op.f("fk_guest_relationships_blocked_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_guest_relationships_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_guest_relationships_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_relationships")),
        sa.UniqueConstraint(
            "guest_id", "restaurant_id", name=op.f("uq_guest_relationships_guest_id_restaurant_id")
        ),
    )
    op.create_index(
        op.f("ix_guest_relationships_guest_id"), "guest_relationships", ["guest_id"], unique=False
    )
    op.create_index(
        op.f("ix_guest_relationships_restaurant_id"),
        "guest_relationships",
        ["restaurant_id"],
        unique=False,
    )
    op.create_table(
        "marketing_consents",
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("restaurant_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("wording_version", sa.String(length=40), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_via", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["restaurant_groups.id"],
            name=op.f("fk_marketing_consents_group_id_restaurant_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["guests.id"],
            name=op.f("fk_marketing_consents_guest_id_guests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_marketing_consents_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_consents")),
        sa.UniqueConstraint("guest_id", "scope", name=op.f("uq_marketing_consents_guest_id_scope")),
    )
    op.create_index(
        op.f("ix_marketing_consents_group_id"), "marketing_consents", ["group_id"], unique=False
    )
    op.create_index(
        op.f("ix_marketing_consents_guest_id"), "marketing_consents", ["guest_id"], unique=False
    )
    op.create_index(
        op.f("ix_marketing_consents_restaurant_id"),
        "marketing_consents",
        ["restaurant_id"],
        unique=False,
    )
    with op.batch_alter_table("guest_notes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note_type", sa.String(length=20), server_default="general", nullable=False)
        )
        batch_op.add_column(sa.Column("is_alert", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sa.String(length=242), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_guests_last_activity_at"), ["last_activity_at"])
        batch_op.create_index(batch_op.f("ix_guests_phone"), ["phone"])
        batch_op.create_foreign_key(
            batch_op.f("fk_guests_merged_into_id_guests"),
            "guests",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_restaurants_group_id"), ["group_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_restaurants_group_id_restaurant_groups"),
            "restaurant_groups",
            ["group_id"],
            ["id"],
            ondelete="SET NULL",
        )

    _search_indexes()
    _backfill()


def _search_indexes() -> None:
    """Trigram indexes on PostgreSQL (substring search), b-trees on SQLite."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_guests_search_name",
            "guests",
            ["search_name"],
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        )
        op.create_index(
            "ix_guests_email_trgm",
            "guests",
            ["email"],
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        )
    else:
        op.create_index("ix_guests_search_name", "guests", ["search_name"])
        op.create_index("ix_guests_email_trgm", "guests", ["email"])


def _backfill() -> None:
    """Search names for existing guests; per-restaurant relationships from their bookings.

    The statistics are left at zero here: `reservations guests recount` rebuilds them
    from the reservations (the same code the lifecycle keeps them with).
    """
    op.execute(
        "UPDATE guests SET search_name = lower(trim(first_name || ' ' || coalesce(last_name, '')))"
    )
    dialect = op.get_bind().dialect.name
    new_id = "gen_random_uuid()" if dialect == "postgresql" else "lower(hex(randomblob(16)))"
    lists = "'[]'::jsonb" if dialect == "postgresql" else "'[]'"
    op.execute(
        "INSERT INTO guest_relationships (id, guest_id, restaurant_id, is_vip, tags, "
        "preferred_areas, dietary_restrictions, allergies, bookings, visits, covers, "
        "no_shows, cancellations, late_cancellations, spend_minor, created_at, updated_at) "
        f"SELECT {new_id}, pairs.guest_id, pairs.restaurant_id, false, {lists}, {lists}, "
        f"{lists}, {lists}, 0, 0, 0, 0, 0, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
        "FROM (SELECT DISTINCT guest_id, restaurant_id FROM reservations) AS pairs"
    )


def downgrade() -> None:
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_restaurants_group_id_restaurant_groups"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_restaurants_group_id"))
        batch_op.drop_column("group_id")

    op.drop_index("ix_guests_email_trgm", table_name="guests")
    op.drop_index("ix_guests_search_name", table_name="guests")
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_guests_merged_into_id_guests"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_guests_phone"))
        batch_op.drop_index(batch_op.f("ix_guests_last_activity_at"))
        batch_op.drop_column("erased_at")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("search_name")

    with op.batch_alter_table("guest_notes", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("is_alert")
        batch_op.drop_column("note_type")

    op.drop_index(op.f("ix_marketing_consents_restaurant_id"), table_name="marketing_consents")
    op.drop_index(op.f("ix_marketing_consents_guest_id"), table_name="marketing_consents")
    op.drop_index(op.f("ix_marketing_consents_group_id"), table_name="marketing_consents")
    op.drop_table("marketing_consents")
    op.drop_index(op.f("ix_guest_relationships_restaurant_id"), table_name="guest_relationships")
    op.drop_index(op.f("ix_guest_relationships_guest_id"), table_name="guest_relationships")
    op.drop_table("guest_relationships")
    op.drop_index(op.f("ix_marketing_subscribers_guest_id"), table_name="marketing_subscribers")
    op.drop_table("marketing_subscribers")
    op.drop_index(op.f("ix_guest_audit_guest_id"), table_name="guest_audit")
    op.drop_table("guest_audit")
    op.drop_index(op.f("ix_data_export_requests_guest_id"), table_name="data_export_requests")
    op.drop_table("data_export_requests")
    op.drop_table("restaurant_groups")
