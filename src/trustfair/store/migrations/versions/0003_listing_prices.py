"""listing prices: every price a listing was offered at or sold for

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_prices",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["events.seq"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq"),
    )
    with op.batch_alter_table("listing_prices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_listing_prices_listing", ["listing_id", "kind", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_prices", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_prices_listing")

    op.drop_table("listing_prices")
