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

    # listening: call-backs, NPS, negative feedback (below the tickets' tables)
    open_callback = sa.text("state <> 'resolved'")
    op.create_table(
        "callbacks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reasons", Json, nullable=False),
        sa.Column("hurt_at", UTCDateTime(), nullable=False),
        sa.Column("listed_at", UTCDateTime(), nullable=False),
        sa.Column("called_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callbacks_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callbacks_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_callbacks_open_user",
            ["user_id"],
            unique=True,
            sqlite_where=open_callback,
            postgresql_where=open_callback,
        )
    op.create_table(
        "callback_calls",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("callback_id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["callback_id"], ["callbacks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("callback_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_calls_callback_id"), ["callback_id"], unique=False
        )
    op.create_table(
        "voice_orders",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("buyer_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("streamer_id", sa.String(length=128), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    with op.batch_alter_table("voice_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_orders_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index("ix_voice_orders_merchant", ["merchant_id", "paid_at"], unique=False)
        batch_op.create_index("ix_voice_orders_streamer", ["streamer_id", "paid_at"], unique=False)
    op.create_table(
        "survey_answers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("survey_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("problem", sa.String(length=32), nullable=True),
        sa.Column("merchant_id", sa.String(length=128), nullable=True),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("buyer", sa.String(length=16), nullable=True),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id"),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_answers_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_answers_at"), ["at"], unique=False)
    op.create_table(
        "negative_feedback",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=True),
        sa.Column("streamer_id", sa.String(length=128), nullable=True),
        sa.Column("dedupe_key", sa.String(length=400), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq"),
    )
    with op.batch_alter_table("negative_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_negative_feedback_merchant", ["merchant_id", "at"], unique=False)
        batch_op.create_index("ix_negative_feedback_streamer", ["streamer_id", "at"], unique=False)
    op.create_table(
        "negative_bands",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("peer_group", sa.String(length=64), nullable=False),
        sa.Column("negatives", sa.Integer(), nullable=False),
        sa.Column("exposures", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("wilson_low", sa.Float(), nullable=True),
        sa.Column("peer_median", sa.Float(), nullable=True),
        sa.Column("peer_p90", sa.Float(), nullable=True),
        sa.Column("over_band", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=True),
        sa.Column("judged_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("negative_bands", schema=None) as batch_op:
        batch_op.create_index(
            "uq_negative_bands_period", ["entity_type", "entity_id", "period"], unique=True
        )


def downgrade() -> None:
    # listening
    for table in (
        "negative_bands",
        "negative_feedback",
        "survey_answers",
        "voice_orders",
        "callback_calls",
        "callbacks",
    ):
        op.drop_table(table)
    # -- tickets (last in this migration) ---------------------------------------------
    op.drop_table("voice_ticket_escalations")
    op.drop_table("voice_tickets")
    # -- end of tickets ---------------------------------------------------------------
