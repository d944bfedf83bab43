"""merchant support: trust scores and early settlement advances

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settlement_advances",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("bar", sa.Integer(), nullable=False),
        sa.Column("advanced_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("advance_id", BigId, nullable=False),
        sa.Column("close_id", BigId, nullable=True),
        sa.Column("recovered_fen", sa.BigInteger(), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["advance_id"], ["ledger_transactions.id"]),
        sa.ForeignKeyConstraint(["close_id"], ["ledger_transactions.id"]),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("settlement_advances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_advances_merchant_id"), ["merchant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_settlement_advances_state"), ["state"], unique=False)

    op.create_table(
        "merchant_trust_scores",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("bar", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("early_settlement", sa.Boolean(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("components", Json, nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("merchant_trust_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_merchant_trust_scores_merchant", ["merchant_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("merchant_trust_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_merchant_trust_scores_merchant")
    op.drop_table("merchant_trust_scores")
    with op.batch_alter_table("settlement_advances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_advances_state"))
        batch_op.drop_index(batch_op.f("ix_settlement_advances_merchant_id"))
    op.drop_table("settlement_advances")
