"""merchant support: rule courses, exams and the sanctions that wait for them

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_enrolments",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=False),
        sa.Column("enrolled_by", sa.String(length=128), nullable=False),
        sa.Column("passed_at", UTCDateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("course_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "uq_course_enrolments", ["course_id", "entity_type", "entity_id"], unique=True
        )
        batch_op.create_index(
            "ix_course_enrolments_entity", ["entity_type", "entity_id"], unique=False
        )

    op.create_table(
        "course_attempts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("enrolment_id", BigId, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("asked", Json, nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("answers", Json, nullable=True),
        sa.Column("correct", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["enrolment_id"], ["course_enrolments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("course_attempts", schema=None) as batch_op:
        batch_op.create_index("uq_course_attempts_number", ["enrolment_id", "number"], unique=True)

    op.create_table(
        "course_holds",
        sa.Column("sanction_id", BigId, nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("released_by_attempt_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["released_by_attempt_id"], ["course_attempts.id"]),
        sa.ForeignKeyConstraint(["sanction_id"], ["sanctions.id"]),
        sa.PrimaryKeyConstraint("sanction_id"),
    )
    with op.batch_alter_table("course_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_holds_entity", ["entity_type", "entity_id", "course_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("course_holds")
    op.drop_table("course_attempts")
    op.drop_table("course_enrolments")
