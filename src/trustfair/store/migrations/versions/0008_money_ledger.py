"""money ledger: postings and their entries, balances, guarantees, order coverage,
claims, the payout queue, settlements and idempotency keys; ledger rows refuse UPDATE and DELETE

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from trustfair.store.types import BigId, Json, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

IMMUTABLE_TABLES = ("ledger_transactions", "ledger_entries")


def upgrade() -> None:
    op.create_table(
        "ledger_transactions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref_type", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.Column("rule", sa.String(length=128), nullable=True),
        sa.Column("reverses_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.ForeignKeyConstraint(["reverses_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_transactions_kind", ["kind"], unique=False)
        batch_op.create_index("ix_ledger_transactions_ref", ["ref_type", "ref_id"], unique=False)
        batch_op.create_index(
            "uq_ledger_reversal",
            ["reverses_id"],
            unique=True,
            sqlite_where=sa.text("reverses_id IS NOT NULL"),
            postgresql_where=sa.text("reverses_id IS NOT NULL"),
        )

    op.create_table(
        "ledger_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("transaction_id", BigId, nullable=False),
        sa.Column("account", sa.String(length=160), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_transaction_id", ["transaction_id"], unique=False)
        batch_op.create_index("ix_ledger_entries_account", ["account"], unique=False)

    op.create_table(
        "ledger_balances",
        sa.Column("account", sa.String(length=160), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )

    op.create_table(
        "entitlements",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=True),
        sa.Column("guarantee", sa.String(length=32), nullable=False),
        sa.Column("terms", Json, nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("event_seq", BigId, nullable=False),
        sa.Column("ended_seq", BigId, nullable=True),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq"),
    )
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entitlements_merchant", ["merchant_id", "guarantee", "starts_at"], unique=False
        )

    op.create_table(
        "order_coverage",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("listing_id", sa.String(length=128), nullable=False),
        sa.Column("buyer_id", sa.String(length=128), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", UTCDateTime(), nullable=False),
        sa.Column("guarantees", Json, nullable=False),
        sa.Column("event_seq", BigId, nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq"),
    )
    with op.batch_alter_table("order_coverage", schema=None) as batch_op:
        batch_op.create_index("ix_order_coverage_order_id", ["order_id"], unique=False)
        batch_op.create_index(
            "ix_order_coverage_merchant", ["merchant_id", "paid_at"], unique=False
        )

    op.create_table(
        "claims",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("claim_ref", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("buyer_id", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("requested_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=128), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("rule", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_ref"),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_merchant_id", ["merchant_id"], unique=False)
        batch_op.create_index("ix_claims_state", ["state"], unique=False)
        batch_op.create_index(
            "uq_claims_live_order",
            ["order_id"],
            unique=True,
            sqlite_where=sa.text("state <> 'rejected'"),
            postgresql_where=sa.text("state <> 'rejected'"),
        )

    op.create_table(
        "payout_queue",
        sa.Column("award_id", BigId, nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("award_id"),
    )

    op.create_table(
        "settlements",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("settlement_ref", sa.String(length=128), nullable=False),
        sa.Column("merchant_id", sa.String(length=128), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("withheld_fen", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("transaction_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("settlement_ref"),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index("ix_settlements_merchant_id", ["merchant_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", Json, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("uq_idempotency_keys", ["scope", "key"], unique=True)

    _refuse_changes_to_ledger_rows()


def _refuse_changes_to_ledger_rows() -> None:
    """Postings are immutable in the store itself, not only by the code's good manners:
    an UPDATE or DELETE of a ledger row fails, whoever sends it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_rows_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'ledger rows are immutable: post a reversing entry';"
            " END $$"
        )
        for table in IMMUTABLE_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION ledger_rows_are_immutable()"
            )
        return
    for table in IMMUTABLE_TABLES:
        for change in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table}"
                " BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable:"
                " post a reversing entry'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_rows_are_immutable()")
    else:
        for table in IMMUTABLE_TABLES:
            for change in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{change}")
    op.drop_table("idempotency_keys")
    op.drop_table("settlements")
    op.drop_table("payout_queue")
    op.drop_table("claims")
    op.drop_table("order_coverage")
    op.drop_table("entitlements")
    op.drop_table("ledger_balances")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_transactions")
