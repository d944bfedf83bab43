"""order shipping: each order's shipping deadline and when it shipped

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_shipping",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq"),
    )
    with op.batch_alter_table("order_shipping", schema=None) as batch_op:
        batch_op.create_index("ix_order_shipping_order", ["order_id", "kind"], unique=False)
        batch_op.create_index(
            "ix_order_shipping_merchant", ["merchant_id", "kind", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("order_shipping", schema=None) as batch_op:
        batch_op.drop_index("ix_order_shipping_merchant")
        batch_op.drop_index("ix_order_shipping_order")

    op.drop_table("order_shipping")
