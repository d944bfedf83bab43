"""event log, signals, decisions, cases

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ACTIVE = "state IN ('open', 'in_review', 'appealed')"


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", BigId, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_subject", ["subject_type", "subject_id", "type", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_events_type_time", ["type", "occurred_at"], unique=False)

    op.create_table(
        "ingest_runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("source_name", sa.String(length=512), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reasons", Json, nullable=False),
        sa.Column("actions", Json, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["events.seq"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_event_seq"), ["event_seq"], unique=False)
        batch_op.create_index("ix_decisions_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_verdict"), ["verdict"], unique=False)

    op.create_table(
        "signals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.Column("detector", sa.String(length=64), nullable=False),
        sa.Column("detector_version", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", Json, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["events.seq"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals_event_seq"), ["event_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_signals_label"), ["label"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("opening_decision_id", BigId, nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("sla_due_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opening_decision_id"],
            ["decisions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)
        batch_op.create_index(
            "ix_cases_subject", ["kind", "subject_type", "subject_id", "state"], unique=False
        )
        batch_op.create_index(
            "uq_cases_active_subject",
            ["kind", "subject_type", "subject_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )

    op.create_table(
        "case_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("uq_cases_active_subject")
        batch_op.drop_index("ix_cases_subject")
        batch_op.drop_index(batch_op.f("ix_cases_state"))

    op.drop_table("cases")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_label"))
        batch_op.drop_index(batch_op.f("ix_signals_event_seq"))

    op.drop_table("signals")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_verdict"))
        batch_op.drop_index("ix_decisions_subject")
        batch_op.drop_index(batch_op.f("ix_decisions_event_seq"))

    op.drop_table("decisions")
    op.drop_table("ingest_runs")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_type_time")
        batch_op.drop_index("ix_events_subject")

    op.drop_table("events")
