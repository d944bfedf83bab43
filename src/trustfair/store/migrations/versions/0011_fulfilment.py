"""fulfilment: shipping deadlines watched, urges and their acknowledgements

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_shipping", schema=None) as batch_op:
        batch_op.create_index("ix_order_shipping_kind_at", ["kind", "at"], unique=False)

    op.create_table(
        "fulfilment_urges",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("first_due_at", UTCDateTime(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fulfilment_urges", schema=None) as batch_op:
        batch_op.create_index(
            "ux_fulfilment_urges_merchant_time", ["merchant_id", "sent_at"], unique=True
        )

    op.create_table(
        "fulfilment_urge_orders",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("urge_id", BigId, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["urge_id"], ["fulfilment_urges.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fulfilment_urge_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfilment_urge_orders_urge_id"), ["urge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fulfilment_urge_orders_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "fulfilment_urge_marks",
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("last_urged_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("merchant_id"),
    )

    op.create_table(
        "fulfilment_misses",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("buyer_id", sa.String(length=128), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("award_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("fulfilment_misses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fulfilment_misses_merchant_id"), ["merchant_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("fulfilment_misses")
    op.drop_table("fulfilment_urge_marks")
    op.drop_table("fulfilment_urge_orders")
    op.drop_table("fulfilment_urges")
    with op.batch_alter_table("order_shipping", schema=None) as batch_op:
        batch_op.drop_index("ix_order_shipping_kind_at")
