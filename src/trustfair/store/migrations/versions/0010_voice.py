"""user listening: tickets, call-backs, NPS, negative feedback

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- tickets (first in this migration) --------------------------------------------
    op.create_table(
        "voice_tickets",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("merchant_id", sa.String(length=128), nullable=True),
        sa.Column("listing_id", sa.String(length=128), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("streamer_id", sa.String(length=128), nullable=True),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("problem", sa.String(length=32), nullable=False),
        sa.Column("process", sa.String(length=32), nullable=False),
        sa.Column("problem_score", sa.Float(), nullable=False),
        sa.Column("runner_up", sa.String(length=32), nullable=True),
        sa.Column("spans", Json, nullable=False),
        sa.Column("classifier_version", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("voice_tickets", schema=None) as batch_op:
        for column in ("channel", "user_id", "order_id", "merchant_id", "problem", "state"):
            batch_op.create_index(batch_op.f(f"ix_voice_tickets_{column}"), [column], unique=False)
        batch_op.create_index(batch_op.f("ix_voice_tickets_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_voice_tickets_due_at"), ["due_at"], unique=False)
        batch_op.create_index("ix_voice_tickets_due", ["state", "due_at"], unique=False)

    op.create_table(
        "voice_ticket_escalations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=160), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(), nullable=False),
        sa.Column("case_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["voice_tickets.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("voice_ticket_escalations", schema=None) as batch_op:
        batch_op.create_index("uq_voice_ticket_escalations", ["ticket_id", "level"], unique=True)
    # -- end of tickets ---------------------------------------------------------------


def downgrade() -> None:
    # -- tickets (last in this migration) ---------------------------------------------
    op.drop_table("voice_ticket_escalations")
    op.drop_table("voice_tickets")
    # -- end of tickets ---------------------------------------------------------------
