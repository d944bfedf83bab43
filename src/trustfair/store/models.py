"""The tables. The event log is the source of truth; every other table is derived
from it by the pipeline and can be rebuilt by replaying it.

Schema changes go through Alembic (``store/migrations``); a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trustfair.store.types import BigId, Json, UTCDateTime

ACTIVE_CASE_CONDITION = "state IN ('open', 'in_review', 'appealed')"
"""Cases still waiting for people (see cases.states.ACTIVE_STATES)."""


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """One accepted event, as sent, in arrival order (``seq``)."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(128), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(128))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_events_subject", "subject_type", "subject_id", "type", "occurred_at"),
        Index("ix_events_type_time", "type", "occurred_at"),
    )


class SignalRow(Base):
    """What a detector saw in an event: a label, a score and the evidence."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), index=True)
    detector: Mapped[str] = mapped_column(String(64))
    detector_version: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64), index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)


class DecisionRow(Base):
    """What the policy decided about an event, and why."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    policy_version: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    """Each rule that fired: its id, what it found and the signals it used."""
    actions: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The event's time: decisions are made in business time, so replays agree."""
    confirmed_by: Mapped[str | None] = mapped_column(String(128))
    """The reviewer whose confirmation made this decision (``cases.confirm``); None for
    the pipeline's. Replays, back-tests and verdict counts take the pipeline's only."""
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_decisions_subject", "subject_type", "subject_id"),)


class CaseRow(Base):
    """A matter for people to review, opened by an effect and worked through states."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    summary: Mapped[str] = mapped_column(Text)
    opening_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignee: Mapped[str | None] = mapped_column(String(128))
    """The reviewer working the case (``user:NAME``), while it is in review and after."""
    outcome: Mapped[str | None] = mapped_column(String(16))
    """confirm or overturn, once decided."""

    __table_args__ = (
        Index("ix_cases_subject", "kind", "subject_type", "subject_id", "state"),
        # At most one active case per (kind, subject): concurrent writers that both
        # find none cannot both open one.
        Index(
            "uq_cases_active_subject",
            "kind",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=text(ACTIVE_CASE_CONDITION),
            postgresql_where=text(ACTIVE_CASE_CONDITION),
        ),
    )


class CaseEventRow(Base):
    """One step in a case's timeline. Rows are only ever added."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class IngestRunRow(Base):
    """One call of ingestion (a file or an HTTP batch) and what became of its lines."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_name: Mapped[str] = mapped_column(String(512))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)


# -- enforcement: points, sanctions, linked accounts ---------------------------------

POINTS_GENERATION = "trustfair.points_generation"
"""Key in ``Session.info`` counting changes to points_entries, for readers that cache."""

ORIGINAL_ENTRY_CONDITION = "reverses_id IS NULL"
ACTIVE_SANCTION_CONDITION = "state = 'active'"
"""Points entries that award points; reversals point back at what they undo."""


class PointsEntryRow(Base):
    """One line of an entity's penalty-points ledger. Rows are only ever added: an
    overturned award is undone by a reversing row that points back at it."""

    __tablename__ = "points_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    violation: Mapped[str] = mapped_column(String(64))
    violation_class: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column()
    matter: Mapped[str] = mapped_column(String(256))
    """What was punished (a listing, a live session, a shop name) with the violation:
    one matter is punished once, however many events show it."""
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    policy_version: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_points_entity", "entity_type", "entity_id", "at"),
        Index("ix_points_decision", "decision_id"),
        Index("ix_points_reverses", "reverses_id"),
        Index(
            "uq_points_matter",
            "entity_type",
            "entity_id",
            "matter",
            unique=True,
            sqlite_where=text(ORIGINAL_ENTRY_CONDITION),
            postgresql_where=text(ORIGINAL_ENTRY_CONDITION),
        ),
    )


class SanctionRow(Base):
    """A sanction on a merchant or streamer, with the statement of reasons given.

    ``ends_at`` is None for a permanent one (a ban); a lifted sanction keeps its row,
    with who lifted it and why."""

    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    node: Mapped[str] = mapped_column(String(128))
    """Why this sanction exists, once: a points node reached in a period, or the
    sanction of a linked account it was shared from."""
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="active")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    policy_version: Mapped[str] = mapped_column(String(64))
    statement: Mapped[dict[str, Any]] = mapped_column(Json)
    shared_from_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(128))
    lifted_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_sanctions_entity", "entity_type", "entity_id", "state"),
        # A node issues once while its sanction stands; one lifted on appeal may be
        # issued again if the points reach it again.
        Index(
            "uq_sanctions_node",
            "entity_type",
            "entity_id",
            "node",
            unique=True,
            sqlite_where=text(ACTIVE_SANCTION_CONDITION),
            postgresql_where=text(ACTIVE_SANCTION_CONDITION),
        ),
        Index("ix_sanctions_shared_from", "shared_from_id"),
    )


class IdentityKeyRow(Base):
    """A key that identifies the person or business behind an account (ID number,
    phone, device, bank account, address), stored as a keyed hash, not in clear."""

    __tablename__ = "identity_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(BigId)
    """The event that first showed the key: links are judged as of each event."""

    __table_args__ = (
        Index("ix_identity_keys_digest", "kind", "digest"),
        Index("uq_identity_keys", "entity_type", "entity_id", "kind", "digest", unique=True),
    )


# -- outward commands and live-stream risk --------------------------------------------


class OutboxRow(Base):
    """A command for the marketplace (shut a live stream down, refuse one), written in
    the transaction of the decision that caused it and delivered by the dispatcher."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(256), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "next_attempt_at"),)


class LiveRiskRow(Base):
    """A live session's decaying risk score, as of its last update."""

    __tablename__ = "live_risk"

    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    streamer_id: Mapped[str | None] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shutdown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- projections read by detectors ----------------------------------------------------

LIST_PRICE = "list"
"""A price a listing was offered at (published, or changed): in force until the next."""
TRANSACTION_PRICE = "transaction"
"""A unit price a buyer paid for the listing (order.paid)."""


class ListingPriceRow(Base):
    """A listing's price history: every price it was offered at and every price paid.

    order.paid is about the order, not the listing, so these rows gather what the
    price detectors ask about under one index. Written by the ``listing_prices``
    projector in the batch's transaction, before detectors run; one row per event.
    """

    __tablename__ = "listing_prices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    listing_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), unique=True)

    __table_args__ = (Index("ix_listing_prices_listing", "listing_id", "kind", "at"),)


SHIPPING_DUE = "due"
"""When an order must be shipped by (from order.paid: its ship_by, else the default)."""
SHIPPED = "shipped"
"""When an order was handed to the carrier (order.shipped)."""
SHIPPING_CLOSED = "closed"
"""When an order was refunded (order.refunded): refunded before it shipped, it was
cancelled and is no longer due; its merchant is neither urged nor charged for it."""


class OrderShippingRow(Base):
    """Each order's shipping deadline and the moment it shipped, by merchant.

    Written by the ``order_shipping`` projector in the batch's transaction, before
    detectors run; one row per event, so an order shipped before its payment arrived
    (events out of order) is joined to its deadline whenever both are in.
    """

    __tablename__ = "order_shipping"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128))
    merchant_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), unique=True)

    __table_args__ = (
        Index("ix_order_shipping_order", "order_id", "kind"),
        Index("ix_order_shipping_merchant", "merchant_id", "kind", "at"),
    )


# -- accounts and access ---------------------------------------------------------------


class UserRow(Base):
    """A person who signs in to the console. The password is kept only as its hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    owns: Mapped[list[str]] = mapped_column(Json, default=list)
    """Parties a merchant or brand user acts for: ["merchant:m1", "streamer:st1"]."""
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKeyRow(Base):
    """A service's key: ``tf_<key_id>_<secret>``; only the secret's SHA-256 is kept (a
    random 256-bit secret needs no slow hash)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[list[str]] = mapped_column(Json, default=list)
    """The permissions the key is limited to, within its role's; empty means all of them."""
    owns: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """A signed-in console session; the cookie holds the token, the store its hash."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttemptRow(Base):
    """Every sign-in attempt, for the rate limit (kept in the store, so it holds across
    server processes) and for the audit."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded: Mapped[bool] = mapped_column()

    __table_args__ = (
        Index("ix_login_attempts_username", "username", "at"),
        Index("ix_login_attempts_client", "client", "at"),
    )


class ReviewOutcomeRow(Base):
    """A reviewer's verdict on one rule's decision: the rule was right (confirm) or not
    (overturn). Each rule's measured precision is counted from these."""

    __tablename__ = "review_outcomes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    rule: Mapped[str] = mapped_column(String(128), index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- consumer protection: guarantees, claims and the money ledger ---------------------

REVERSAL_CONDITION = "reverses_id IS NOT NULL"
LIVE_CLAIM_CONDITION = "state <> 'rejected'"
"""Claims that stand (filed, in review, approved, paid): one per order, whatever its
kind, so one order is never paid by the fund twice over under different headings."""


class LedgerTransactionRow(Base):
    """One posting of the money ledger: balanced entries, written together, never
    changed. ``key`` says what the posting is for (``claim:7:payout``), once: a second
    posting for the same purpose is refused by the store, whoever asks for it. A
    correction is a new posting that ``reverses`` an earlier one."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(256), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    memo: Mapped[str] = mapped_column(Text, default="")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    """The decision whose effect this posting is, when the pipeline made it."""
    rule: Mapped[str | None] = mapped_column(String(128))
    """The rule (policy rule or guarantee term) that set the amount."""
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))

    __table_args__ = (
        Index("ix_ledger_transactions_ref", "ref_type", "ref_id"),
        Index(
            "uq_ledger_reversal",
            "reverses_id",
            unique=True,
            sqlite_where=text(REVERSAL_CONDITION),
            postgresql_where=text(REVERSAL_CONDITION),
        ),
    )


class LedgerEntryRow(Base):
    """One line of a posting: ``amount_fen`` > 0 debits ``account``, < 0 credits it.
    A posting's lines sum to zero. Rows are only ever added."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(160), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class LedgerBalanceRow(Base):
    """Each account's balance (debits − credits), kept with every posting in its
    transaction, so a posting can check and lock the balances it moves. ``ledger
    check`` proves it equal to the sum of the entries."""

    __tablename__ = "ledger_balances"

    account: Mapped[str] = mapped_column(String(160), primary_key=True)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntitlementRow(Base):
    """A guarantee a merchant opted into, for the whole shop (``listing_id`` None) or
    one listing, from ``starts_at`` until it opts out (``ends_at``)."""

    __tablename__ = "entitlements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(128))
    listing_id: Mapped[str | None] = mapped_column(String(128))
    guarantee: Mapped[str] = mapped_column(String(32))
    terms: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    """The guarantee's own terms, e.g. {"n": 3} for fake-one-pay-N."""
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), unique=True)
    ended_seq: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (Index("ix_entitlements_merchant", "merchant_id", "guarantee", "starts_at"),)


class OrderCoverageRow(Base):
    """What an order was paid and which guarantees covered it when it was paid."""

    __tablename__ = "order_coverage"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128), index=True)
    merchant_id: Mapped[str] = mapped_column(String(128))
    listing_id: Mapped[str] = mapped_column(String(128))
    buyer_id: Mapped[str] = mapped_column(String(128))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    guarantees: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    """{guarantee: terms} in force for the listing or its shop when it was paid."""
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), unique=True)

    __table_args__ = (Index("ix_order_coverage_merchant", "merchant_id", "paid_at"),)


class ClaimRow(Base):
    """A buyer's claim on the protection fund, worked through its states
    (``protect.claims.TRANSITIONS``)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_ref: Mapped[str] = mapped_column(String(128), unique=True)
    """The marketplace's id for the claim (its customer-service ticket)."""
    order_id: Mapped[str] = mapped_column(String(128))
    buyer_id: Mapped[str] = mapped_column(String(128))
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    requested_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    """What was awarded, once approved."""
    state: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rule: Mapped[str | None] = mapped_column(String(128))
    """The adjudication rule that decided it, or sent it to review."""
    reason: Mapped[str] = mapped_column(Text, default="")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    """The pipeline's decision that filed it (a ``claim.filed`` event), if any."""

    __table_args__ = (
        Index(
            "uq_claims_live_order",
            "order_id",
            unique=True,
            sqlite_where=text(LIVE_CLAIM_CONDITION),
            postgresql_where=text(LIVE_CLAIM_CONDITION),
        ),
    )


class PayoutQueueRow(Base):
    """An award the fund could not pay yet (it was short): paid, oldest first, when
    money comes in, and then taken off this queue. ``ledger check`` proves the queue
    holds exactly the standing awards without a payout."""

    __tablename__ = "payout_queue"

    award_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class SettlementRow(Base):
    """A settlement the marketplace asked about, and what the fund kept back from it:
    one answer per settlement, zero included."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    settlement_ref: Mapped[str] = mapped_column(String(128), unique=True)
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    withheld_fen: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    """The recovery posting, when anything was kept back."""


class IdempotencyKeyRow(Base):
    """A money-moving request's Idempotency-Key: what was asked (``fingerprint``) and,
    once answered, the answer, which a retry with the same key gets again.

    While ``state`` is ``in_flight`` the request holds a lease; a retry after the lease
    ran out (its server died) takes the request over as ``attempt`` + 1."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(160))
    """Who sent it: keys of different callers never meet."""
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column()
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column()
    response: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_idempotency_keys", "scope", "key", unique=True),)


# -- brand protection: rights holders, the counterfeit feature library, complaints ------


class RightsHolderRow(Base):
    """A company (or its authorised agent) that holds a brand's rights, certified by a
    reviewer from its documents before any of its rights can be enforced."""

    __tablename__ = "rights_holders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand_id: Mapped[str] = mapped_column(String(128), index=True)
    """The brand (``brand.registered``) the holder acts for."""
    company_name: Mapped[str] = mapped_column(String(256))
    registration_number: Mapped[str] = mapped_column(String(64))
    """The company's registration (统一社会信用代码 or its country's equivalent)."""
    country: Mapped[str] = mapped_column(String(2), default="CN")
    """Where the company is registered (ISO 3166 alpha-2): decides how
    ``registration_number`` is checked (a CN number carries a check digit)."""
    agent_name: Mapped[str | None] = mapped_column(String(256))
    """An agent filing for the company, who then needs a letter of authorisation."""
    state: Mapped[str] = mapped_column(String(16), index=True)
    standing: Mapped[int] = mapped_column(default=100)
    """0..100: lowered by notices found malicious or wrong (``brand.standing``)."""
    applied_by: Mapped[str] = mapped_column(String(128))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class BrandDocumentRow(Base):
    """A document a rights holder uploaded: business licence, letter authorising an
    agent, trademark certificate, patent, copyright registration, evidence."""

    __tablename__ = "brand_documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(256))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


STANDING_RIGHT_CONDITION = "state IN ('pending', 'certified')"
"""Rights claimed and not turned down: at most one per (kind, number, territory)."""


class RightRow(Base):
    """One right a holder claims (a trademark, patent or copyright), certified by a
    reviewer, valid from ``valid_from`` until ``valid_until``."""

    __tablename__ = "rights"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"), index=True)
    brand_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(64))
    """The registration number (trademark, patent) or copyright registration."""
    nice_class: Mapped[int | None] = mapped_column()
    """A trademark's Nice class (1..45)."""
    territory: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    state: Mapped[str] = mapped_column(String(16), index=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        # One standing claim per right: a rejected or revoked claim frees the number, so a
        # squatter's rejected claim does not lock the real holder out.
        Index(
            "uq_rights_number",
            "kind",
            "number",
            "territory",
            unique=True,
            sqlite_where=text(STANDING_RIGHT_CONDITION),
            postgresql_where=text(STANDING_RIGHT_CONDITION),
        ),
    )


class ImageRow(Base):
    """An uploaded picture, kept as what matching needs: its local perceptual hashes
    (256-bit binary descriptors around keypoints) and their positions. The picture
    itself is not kept."""

    __tablename__ = "images"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    quality: Mapped[int] = mapped_column()
    """0..100: how much there is to match on (``brand.images.quality_of``)."""
    feature_count: Mapped[int] = mapped_column()
    points: Mapped[bytes] = mapped_column(LargeBinary)
    """float32 (x, y) per hash, in the normalised picture's pixels."""
    hashes: Mapped[bytes] = mapped_column(LargeBinary)
    """uint8, 32 bytes per hash."""
    uploaded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BankEntryRow(Base):
    """One entry of a brand's counterfeit feature bank: a name or fake slang, a genuine,
    logo or known-fake picture, an authorised seller, a price floor or a serial-number
    pattern. ``negative`` entries say what is *not* a fake (a bank that clears), and a
    disabled entry stops matching at once without being forgotten."""

    __tablename__ = "bank_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    brand_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    value: Mapped[str] = mapped_column(Text, default="")
    """The text, merchant id, or regular expression the entry matches."""
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    """A price floor's amount."""
    category: Mapped[str | None] = mapped_column(String(64))
    image_id: Mapped[str | None] = mapped_column(ForeignKey("images.id"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str | None] = mapped_column(String(128))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_bank_entries_brand_kind", "brand_id", "kind"),)


class BrandCheckRow(Base):
    """What matching a listing against the banks found: the brand, counterfeit or
    look-alike, the outcome (intercept, review, monitor), the score and its reasons."""

    __tablename__ = "brand_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    listing_id: Mapped[str] = mapped_column(String(128), index=True)
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    brand_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ComplaintRow(Base):
    """A rights holder's notice against a listing, worked through notice and takedown
    (``brand.complaint_states``) with its timers (``brand.jurisdictions``)."""

    __tablename__ = "ip_complaints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_ref: Mapped[str] = mapped_column(String(128), unique=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"), index=True)
    right_id: Mapped[int] = mapped_column(ForeignKey("rights.id"))
    brand_id: Mapped[str] = mapped_column(String(128), index=True)
    listing_id: Mapped[str] = mapped_column(String(128), index=True)
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    declaration: Mapped[str] = mapped_column(Text, default="")
    """The merchant's declaration of non-infringement, when it answered."""
    action_proof: Mapped[dict[str, Any] | None] = mapped_column(Json)
    """The rights holder's proof of a complaint to the authorities or a lawsuit."""
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    measures_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """When the running timer fires (the lift of the measures, say)."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))


class ComplaintStepRow(Base):
    """One step of a complaint's timeline: who moved it, from which state to which."""

    __tablename__ = "ip_complaint_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("ip_complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")


# -- user listening (voice/): tickets, call-backs, NPS, negative feedback -------------
# (migration 0010)

# tickets (voice/tickets.py, voice/escalation.py) -- first in this section


class TicketRow(Base):
    """One voice of a user in the unified list: a ticket from any channel, or a low
    review or a detractor's survey comment beside them (``source``), with what it is
    about (order, listing, category, merchant, streamer), its problem as classified, its
    SLA and how it ended."""

    __tablename__ = "voice_tickets"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    """The ticket_id; ``review:<id>`` or ``survey:<id>`` for a review or a comment."""
    source: Mapped[str] = mapped_column(String(16))
    """ticket, review or survey."""
    channel: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    order_id: Mapped[str | None] = mapped_column(String(128), index=True)
    merchant_id: Mapped[str | None] = mapped_column(String(128), index=True)
    listing_id: Mapped[str | None] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(64))
    streamer_id: Mapped[str | None] = mapped_column(String(128))
    session_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(String(32), index=True)
    process: Mapped[str] = mapped_column(String(32))
    problem_score: Mapped[float] = mapped_column(Float)
    runner_up: Mapped[str | None] = mapped_column(String(32))
    spans: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    classifier_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    """open or closed (a review or a survey comment is closed when it is posted)."""
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """When the channel's SLA runs out (none for a review or a comment)."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[int | None] = mapped_column()
    escalation_level: Mapped[int] = mapped_column(default=0)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"))

    __table_args__ = (Index("ix_voice_tickets_due", "state", "due_at"),)


class TicketEscalationRow(Base):
    """A ticket escalated past its SLA: once per level (1 at the SLA, 2 at twice it)."""

    __tablename__ = "voice_ticket_escalations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("voice_tickets.id"))
    level: Mapped[int] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the level was reached (the SLA, or twice it, after the opening)."""
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    __table_args__ = (Index("uq_voice_ticket_escalations", "ticket_id", "level", unique=True),)


# end of tickets


# listening (call-backs, NPS, negative feedback): below the tickets' tables

OPEN_CALLBACK_CONDITION = "state <> 'resolved'"


class CallbackRow(Base):
    """A user hurt by several bad experiences, listed to be called back
    (``voice.callback_states``): the reasons are the experiences, with their evidence."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    """Each experience: kind, key, at, order_id/ticket_id, evidence."""
    hurt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the user met the second experience within the window."""
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        # At most one open entry per user: two runs that both find none cannot both list.
        Index(
            "uq_callbacks_open_user",
            "user_id",
            unique=True,
            sqlite_where=text(OPEN_CALLBACK_CONDITION),
            postgresql_where=text(OPEN_CALLBACK_CONDITION),
        ),
    )


class CallbackCallRow(Base):
    """A call made to a listed user, and what came of it."""

    __tablename__ = "callback_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


class VoiceOrderRow(Base):
    """Each paid order as user listening needs it: buyer, merchant, listing category,
    the live session and streamer it came from (the exposure of negative feedback, the
    segments of NPS, the buyer of a late shipment)."""

    __tablename__ = "voice_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128), unique=True)
    buyer_id: Mapped[str] = mapped_column(String(128), index=True)
    merchant_id: Mapped[str] = mapped_column(String(128))
    listing_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(128))
    streamer_id: Mapped[str | None] = mapped_column(String(128))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"))

    __table_args__ = (
        Index("ix_voice_orders_merchant", "merchant_id", "paid_at"),
        Index("ix_voice_orders_streamer", "streamer_id", "paid_at"),
    )


class SurveyAnswerRow(Base):
    """A recommendation survey answer with the segments it is counted in and, for a
    comment, the problem it was classified as."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    survey_id: Mapped[str] = mapped_column(String(128), unique=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str | None] = mapped_column(String(32))
    merchant_id: Mapped[str | None] = mapped_column(String(128))
    order_id: Mapped[str | None] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    """live (the order came from a live session) or shelf; None without an order."""
    buyer: Mapped[str | None] = mapped_column(String(16))
    """new (the survey's order was the buyer's first) or returning; None without one."""
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"))


class NegativeFeedbackRow(Base):
    """One negative signal aimed at a merchant, its listing or live session, or a
    streamer, with the merchant and streamer it counts against. Signals with the same
    ``dedupe_key`` are one negative experience (a bad review posted and flagged)."""

    __tablename__ = "negative_feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(128))
    merchant_id: Mapped[str | None] = mapped_column(String(128))
    streamer_id: Mapped[str | None] = mapped_column(String(128))
    dedupe_key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq"), unique=True)

    __table_args__ = (
        Index("ix_negative_feedback_merchant", "merchant_id", "at"),
        Index("ix_negative_feedback_streamer", "streamer_id", "at"),
    )


class NegativeBandRow(Base):
    """A merchant's or streamer's negative rate over one period, judged against its
    peers; ``over_band`` rows fed enforcement (``event_id``, once per entity and period)."""

    __tablename__ = "negative_bands"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(128))
    period: Mapped[str] = mapped_column(String(10))
    """The ISO week of the judgement (2026-W48, China time): one band event per period."""
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    peer_group: Mapped[str] = mapped_column(String(64))
    negatives: Mapped[int] = mapped_column()
    exposures: Mapped[int] = mapped_column()
    rate: Mapped[float | None] = mapped_column(Float)
    wilson_low: Mapped[float | None] = mapped_column(Float)
    peer_median: Mapped[float | None] = mapped_column(Float)
    peer_p90: Mapped[float | None] = mapped_column(Float)
    over_band: Mapped[bool] = mapped_column(Boolean)
    event_id: Mapped[str | None] = mapped_column(String(128))
    judged_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_negative_bands_period", "entity_type", "entity_id", "period", unique=True),
    )


# -- end of user listening -------------------------------------------------------------


# -- fulfilment (merchant/): shipping deadlines watched, urges ----------------------
# (migration 0011)


Index("ix_order_shipping_kind_at", OrderShippingRow.kind, OrderShippingRow.at)
"""The fulfilment watcher reads deadlines (and shipments) by time, of every merchant."""


class UrgeRow(Base):
    """One urge to a merchant about its orders at risk of missing their shipping
    deadline (``merchant.urges``): a message it reads in the console or the API and a
    ``merchant.urge`` webhook, with a one-click acknowledgement."""

    __tablename__ = "fulfilment_urges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The watcher's time ("as of"), in event time."""
    first_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The earliest deadline among the orders listed (always after ``sent_at``)."""
    orders: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (
        Index("ux_fulfilment_urges_merchant_time", "merchant_id", "sent_at", unique=True),
    )


class UrgeOrderRow(Base):
    """An order an urge listed, with the deadline it was urged about."""

    __tablename__ = "fulfilment_urge_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    urge_id: Mapped[int] = mapped_column(ForeignKey("fulfilment_urges.id"), index=True)
    order_id: Mapped[str] = mapped_column(String(128), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UrgeMarkRow(Base):
    """When each merchant was last urged: the row watchers race on, so a merchant is
    urged at most once per interval however many watchers run."""

    __tablename__ = "fulfilment_urge_marks"

    merchant_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MissedDeadlineRow(Base):
    """An order whose shipping deadline passed before it shipped, found once, with the
    late-shipment compensation posted for it (if its rule paid one)."""

    __tablename__ = "fulfilment_misses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128), unique=True)
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    buyer_id: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rule: Mapped[str] = mapped_column(String(64))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    """The award that paid the buyer (ours, or the guarantee's made earlier)."""


# -- end of fulfilment -----------------------------------------------------------------


# -- merchant support (merchant/): trust scores, early settlement -------------------
# (migration 0012)


class AdvanceRow(Base):
    """An order paid to its merchant on shipment (early settlement), and what became of
    the advance (``merchant.advance_states``): settled on confirmation, or refunded
    before it and owed back. The money is the ledger's; this row is its index."""

    __tablename__ = "settlement_advances"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128), unique=True)
    merchant_id: Mapped[str] = mapped_column(String(128), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[int] = mapped_column()
    """The merchant's trust score when the order shipped."""
    bar: Mapped[int] = mapped_column()
    advanced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    advance_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    close_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    """The settling or refunding posting."""
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    """Of a refunded advance: how much the merchant has given back so far."""
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    rule: Mapped[str] = mapped_column(String(128))


class TrustScoreRow(Base):
    """The trust score a shipment was judged on for early settlement: one per order, so
    every order paid early, or not, can be explained by the score of its moment."""

    __tablename__ = "merchant_trust_scores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128), unique=True)
    merchant_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column()
    """None: too few orders to score."""
    bar: Mapped[int] = mapped_column()
    orders: Mapped[int] = mapped_column()
    early_settlement: Mapped[bool] = mapped_column()
    why: Mapped[str] = mapped_column(Text)
    components: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    __table_args__ = (Index("ix_merchant_trust_scores_merchant", "merchant_id", "at"),)


# -- end of merchant support -----------------------------------------------------------


# -- rule courses (merchant/): courses, exams, sanctions waiting for them ------------
# (migration 0013)


class CourseEnrolmentRow(Base):
    """A merchant or streamer enrolled in a rule course (merchant/exams.py): when it
    first passed the exam, and the satisfaction it gave the course afterwards."""

    __tablename__ = "course_enrolments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enrolled_by: Mapped[str] = mapped_column(String(128))
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column()
    """Satisfaction 1-5, given after finishing (an attempt submitted); may be changed."""
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_course_enrolments", "course_id", "entity_type", "entity_id", unique=True),
        Index("ix_course_enrolments_entity", "entity_type", "entity_id"),
    )


class CourseAttemptRow(Base):
    """One exam attempt: the questions drawn and the order their choices were shown in
    (kept by the server, so an answer is read against what was asked), then the
    answers, the score and whether it passed."""

    __tablename__ = "course_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolments.id"))
    number: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    asked: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    """[{question, choices: [choice ids in the order shown as A, B, C ...]}]"""
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any] | None] = mapped_column(Json)
    correct: Mapped[int | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (Index("uq_course_attempts_number", "enrolment_id", "number", unique=True),)


class CourseHoldRow(Base):
    """A sanction that does not lift, however its term runs, until its holder passes a
    course's exam (passed after the sanction started). ``released_at`` is that pass;
    the sanction is in force until the later of its end and the release
    (``enforce.sanctions.in_force_at``)."""

    __tablename__ = "course_holds"

    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanctions.id"), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("course_attempts.id"))

    __table_args__ = (Index("ix_course_holds_entity", "entity_type", "entity_id", "course_id"),)


# -- end of rule courses ---------------------------------------------------------------
