"""points, sanctions, identity keys, outbox, live risk

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_keys",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.create_index("ix_identity_keys_digest", ["kind", "digest"], unique=False)
        batch_op.create_index(
            "uq_identity_keys", ["entity_type", "entity_id", "kind", "digest"], unique=True
        )

    op.create_table(
        "live_risk",
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("streamer_id", sa.String(length=128), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("shutdown_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=256), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_pending", ["delivered_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "points_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("violation", sa.String(length=64), nullable=False),
        sa.Column("violation_class", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=256), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("reverses_id", BigId, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["points_entries.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.create_index("ix_points_entity", ["entity_type", "entity_id", "at"], unique=False)
        batch_op.create_index("ix_points_decision", ["decision_id"], unique=False)
        batch_op.create_index("ix_points_reverses", ["reverses_id"], unique=False)
        batch_op.create_index(
            "uq_points_matter",
            ["entity_type", "entity_id", "matter"],
            unique=True,
            sqlite_where=sa.text("reverses_id IS NULL"),
            postgresql_where=sa.text("reverses_id IS NULL"),
        )

    op.create_table(
        "sanctions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=128), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("statement", Json, nullable=False),
        sa.Column("shared_from_id", BigId, nullable=True),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(length=128), nullable=True),
        sa.Column("lifted_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shared_from_id"],
            ["sanctions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sanctions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sanctions_entity", ["entity_type", "entity_id", "state"], unique=False
        )
        batch_op.create_index(
            "uq_sanctions_node",
            ["entity_type", "entity_id", "node"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.create_index("ix_sanctions_shared_from", ["shared_from_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sanctions", schema=None) as batch_op:
        batch_op.drop_index("ix_sanctions_shared_from")
        batch_op.drop_index("uq_sanctions_node")
        batch_op.drop_index("ix_sanctions_entity")

    op.drop_table("sanctions")
    with op.batch_alter_table("points_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_points_matter",
            sqlite_where=sa.text("reverses_id IS NULL"),
            postgresql_where=sa.text("reverses_id IS NULL"),
        )
        batch_op.drop_index("ix_points_reverses")
        batch_op.drop_index("ix_points_decision")
        batch_op.drop_index("ix_points_entity")

    op.drop_table("points_entries")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    op.drop_table("live_risk")
    with op.batch_alter_table("identity_keys", schema=None) as batch_op:
        batch_op.drop_index("uq_identity_keys")
        batch_op.drop_index("ix_identity_keys_digest")

    op.drop_table("identity_keys")
