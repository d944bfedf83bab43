"""brand protection: rights holders, their documents and rights, images and their
local hashes, the counterfeit feature banks, brand checks of listings, IP complaints and
their timeline

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("points", sa.LargeBinary(), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_images_sha256"), ["sha256"], unique=False)

    op.create_table(
        "rights_holders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("brand_id", sa.String(length=128), nullable=False),
        sa.Column("company_name", sa.String(length=256), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agent_name", sa.String(length=256), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("standing", sa.Integer(), nullable=False),
        sa.Column("applied_by", sa.String(length=128), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rights_holders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_holders_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_holders_state"), ["state"], unique=False)

    op.create_table(
        "bank_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("brand_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("image_id", sa.String(length=128), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=128), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_entries_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index("ix_bank_entries_brand_kind", ["brand_id", "kind"], unique=False)

    op.create_table(
        "brand_checks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("brand_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", Json, nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["events.seq"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("brand_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brand_checks_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_brand_checks_event_seq"), ["event_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_brand_checks_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_brand_checks_merchant_id"), ["merchant_id"], unique=False
        )

    op.create_table(
        "brand_documents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=256), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["rights_holders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("brand_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brand_documents_holder_id"), ["holder_id"], unique=False
        )

    op.create_table(
        "rights",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("brand_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("nice_class", sa.Integer(), nullable=True),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("document_ids", Json, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["rights_holders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_rights_number",
            ["kind", "number", "territory"],
            unique=True,
            sqlite_where=sa.text("state IN ('pending', 'certified')"),
            postgresql_where=sa.text("state IN ('pending', 'certified')"),
        )

    op.create_table(
        "ip_complaints",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("notice_ref", sa.String(length=128), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("right_id", BigId, nullable=False),
        sa.Column("brand_id", sa.String(length=128), nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", Json, nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("action_proof", Json, nullable=True),
        sa.Column("filed_by", sa.String(length=128), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("measures_at", UTCDateTime(), nullable=True),
        sa.Column("declared_at", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["rights_holders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["rights.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_ref"),
    )
    with op.batch_alter_table("ip_complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ip_complaints_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ip_complaints_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ip_complaints_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ip_complaints_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ip_complaints_merchant_id"), ["merchant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ip_complaints_state"), ["state"], unique=False)

    op.create_table(
        "ip_complaint_steps",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("complaint_id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["ip_complaints.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ip_complaint_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ip_complaint_steps_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ip_complaint_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ip_complaint_steps_complaint_id"))

    op.drop_table("ip_complaint_steps")
    with op.batch_alter_table("ip_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ip_complaints_state"))
        batch_op.drop_index(batch_op.f("ix_ip_complaints_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_ip_complaints_listing_id"))
        batch_op.drop_index(batch_op.f("ix_ip_complaints_holder_id"))
        batch_op.drop_index(batch_op.f("ix_ip_complaints_due_at"))
        batch_op.drop_index(batch_op.f("ix_ip_complaints_brand_id"))

    op.drop_table("ip_complaints")
    with op.batch_alter_table("rights", schema=None) as batch_op:
        batch_op.drop_index("uq_rights_number")
        batch_op.drop_index(batch_op.f("ix_rights_state"))
        batch_op.drop_index(batch_op.f("ix_rights_holder_id"))
        batch_op.drop_index(batch_op.f("ix_rights_brand_id"))

    op.drop_table("rights")
    with op.batch_alter_table("brand_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_documents_holder_id"))

    op.drop_table("brand_documents")
    with op.batch_alter_table("brand_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_checks_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_brand_checks_listing_id"))
        batch_op.drop_index(batch_op.f("ix_brand_checks_event_seq"))
        batch_op.drop_index(batch_op.f("ix_brand_checks_brand_id"))

    op.drop_table("brand_checks")
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_entries_brand_kind")
        batch_op.drop_index(batch_op.f("ix_bank_entries_brand_id"))

    op.drop_table("bank_entries")
    with op.batch_alter_table("rights_holders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_holders_state"))
        batch_op.drop_index(batch_op.f("ix_rights_holders_brand_id"))

    op.drop_table("rights_holders")
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_images_sha256"))

    op.drop_table("images")
