"""Early settlement: an order of a trusted merchant is paid to it when it ships, as a
ledger advance, settled when the order is confirmed and given back if it is refunded
before that (the postings are listed in ``protect.accounts``).

Each function is a use case that moves money in the caller's transaction by
``ledger.post``, under purpose keys made from the order (``advance:order:{id}`` and its
``:settled``, ``:refunded``, ``:recovery``, ``:kept_back``), so a re-sent shipment, a
replayed event or a retried batch moves the money once. The ``settlement_advances`` row
is the advance's state (``advance_states``); it is written with the posting, in the same
transaction, with the command the marketplace's payments act on (an outbox row: pay the
order now, net its settlement on confirmation, collect what is owed back).

What a merchant owes back after a refund is taken from its deposit at once as far as
the deposit goes (the fund recovers its own debts from the deposit when it pays, so the
deposit read here is already net of them); the rest is kept back from the merchant's
next advances, and recovered from its deposit when the deposit is topped up
(``recover_advances_from_deposit``, called by ``protect.fund.take_deposit`` after the
fund's own debts). The ledger collects the debt, and only the ledger: the
``settlement.advance_owed_back`` command is informational (``"collect": false``), it
tells the marketplace what this one order still leaves owed, never to collect it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.merchant.advance_states import ADVANCED, REFUNDED, can, move
from trustfair.merchant.settlement_terms import Settlement
from trustfair.merchant.trust_score import EarlySettlement, early_settlement
from trustfair.pipeline.outbox import enqueue
from trustfair.protect import accounts
from trustfair.protect.accounts import ADVANCE_CLEARING, DEPOSIT_CASH
from trustfair.protect.ledger import LedgerError, Purpose, balance, lock_ledger, post
from trustfair.store.models import AdvanceRow, TrustScoreRow

ADVANCE = "advance"
ADVANCE_SETTLED = "advance_settled"
ADVANCE_REFUNDED = "advance_refunded"
ADVANCE_RECOVERY = "advance_recovery"
PAY_EARLY = "settlement.pay_early"
ADVANCE_SETTLED_TOPIC = "settlement.advance_settled"
OWED_BACK = "settlement.advance_owed_back"
"""Outbox topics: the marketplace's payments act on them (``_command``)."""
POSTING_KINDS = (ADVANCE, ADVANCE_SETTLED, ADVANCE_REFUNDED, ADVANCE_RECOVERY)


@dataclass(frozen=True)
class Advanced:
    """What a shipment came to: the advance (new or made before), or None and why not."""

    row: AdvanceRow | None
    created: bool
    why: str
    eligibility: EarlySettlement | None = None


def advance_key(order_id: str) -> str:
    return f"advance:order:{order_id}"


def advance_of(session: Session, order_id: str) -> AdvanceRow | None:
    return session.scalars(select(AdvanceRow).where(AdvanceRow.order_id == order_id)).first()


def advance_on_shipment(
    session: Session,
    order_id: str,
    merchant_id: str,
    amount_fen: int,
    at: datetime,
    actor: str,
    *,
    terms: Settlement,
    decision_id: int | None = None,
    rule: str = "settlement.advance",
    up_to_seq: int | None = None,
) -> Advanced:
    """Pay ``amount_fen`` for the order shipped at ``at`` to its merchant now, if the
    merchant's score of the day (``trust_score.score_of_the_day``) clears the bar and
    nothing freezes its settlements at ``at``.
    Once per order: the score it was judged on is recorded (``merchant_trust_scores``),
    and asking again returns the first advance, or the first judgment's reason."""
    if type(amount_fen) is not int or amount_fen <= 0:
        raise LedgerError(f"an advance must be a positive whole number of fen, got {amount_fen!r}")
    lock_ledger(session)
    earlier = advance_of(session, order_id)
    if earlier is not None:
        return Advanced(earlier, False, f"order {order_id} was advanced before ({earlier.state})")
    judged = session.scalars(
        select(TrustScoreRow).where(TrustScoreRow.order_id == order_id)
    ).first()
    if judged is not None:
        # Judged before and not paid early: the judgment of its moment stands.
        return Advanced(None, False, f"not paid on shipment: {judged.why}")
    eligibility = early_settlement(session, merchant_id, at, terms, up_to_seq, daily=True)
    _record_judgment(session, order_id, eligibility, decision_id)
    if not eligibility.on:
        return Advanced(None, False, f"not paid on shipment: {eligibility.why}", eligibility)
    posting, _ = post(
        session,
        Purpose(advance_key(order_id), ADVANCE, "order", order_id),
        [(accounts.advance(merchant_id), amount_fen), (ADVANCE_CLEARING, -amount_fen)],
        at,
        actor,
        memo=f"order {order_id} paid on shipment ({eligibility.score.score} ≥ {terms.bar})",
        decision_id=decision_id,
        rule=rule,
    )
    row = AdvanceRow(
        order_id=order_id,
        merchant_id=merchant_id,
        amount_fen=amount_fen,
        state=ADVANCED,
        score=eligibility.score.score,
        bar=terms.bar,
        advanced_at=at,
        advance_id=posting.id,
        recovered_fen=0,
        decision_id=decision_id,
        rule=rule,
    )
    session.add(row)
    session.flush()
    kept = _keep_back_from(session, row, at, actor, decision_id, rule)
    _command(session, PAY_EARLY, row, decision_id, pay_fen=amount_fen - kept, kept_back_fen=kept)
    return Advanced(row, True, eligibility.why, eligibility)


def settle_on_confirmation(
    session: Session,
    order_id: str,
    at: datetime,
    actor: str,
    *,
    decision_id: int | None = None,
    rule: str = "settlement.settle",
) -> AdvanceRow | None:
    """The order is confirmed: its escrowed payment repays the platform's advance, and
    the merchant's normal settlement of it is netted to nothing. An order never
    advanced, or whose advance is closed already, moves nothing."""
    lock_ledger(session)
    row = advance_of(session, order_id)
    if row is None or not can(row, "settle"):
        return row
    posting, _ = post(
        session,
        Purpose(f"{advance_key(order_id)}:settled", ADVANCE_SETTLED, "order", order_id),
        [(ADVANCE_CLEARING, row.amount_fen), (accounts.advance(row.merchant_id), -row.amount_fen)],
        at,
        actor,
        memo=f"order {order_id} confirmed: its settlement repays the advance",
        decision_id=decision_id,
        rule=rule,
    )
    move(row, "settle")
    row.close_id, row.closed_at = posting.id, at
    session.flush()
    _command(session, ADVANCE_SETTLED_TOPIC, row, decision_id)
    return row


def reverse_on_refund(
    session: Session,
    order_id: str,
    at: datetime,
    actor: str,
    *,
    decision_id: int | None = None,
    rule: str = "settlement.reverse",
) -> AdvanceRow | None:
    """The order was refunded before its confirmation: the advance already left, so the
    merchant owes it back (``advance_owed``), taken from its deposit as far as it goes.
    Once per order; an order never advanced, or confirmed first, moves nothing."""
    lock_ledger(session)
    row = advance_of(session, order_id)
    if row is None or not can(row, "refund"):
        return row
    posting, _ = post(
        session,
        Purpose(f"{advance_key(order_id)}:refunded", ADVANCE_REFUNDED, "order", order_id),
        [
            (accounts.advance_owed(row.merchant_id), row.amount_fen),
            (accounts.advance(row.merchant_id), -row.amount_fen),
        ],
        at,
        actor,
        memo=f"order {order_id} refunded before confirmation: the advance is owed back",
        decision_id=decision_id,
        rule=rule,
    )
    move(row, "refund")
    row.close_id, row.closed_at = posting.id, at
    session.flush()
    taken = _take_from_deposit(
        session,
        row.merchant_id,
        Purpose(f"{advance_key(order_id)}:recovery", ADVANCE_RECOVERY, "order", order_id),
        at,
        actor,
        decision_id,
        rule,
    )
    # This order's own debt left after the deposit (not the merchant's total: one
    # command per order, and their sum is what the merchant owes). Informational: the
    # ledger keeps it back from the next advances and recovers it from the next deposit.
    _command(
        session,
        OWED_BACK,
        row,
        decision_id,
        from_deposit_fen=taken,
        owed_back_fen=row.amount_fen - row.recovered_fen,
        collect=False,
    )
    return row


def recover_advances_from_deposit(
    session: Session,
    merchant_id: str,
    trigger_key: str,
    at: datetime,
    actor: str,
    *,
    decision_id: int | None = None,
    rule: str | None = None,
) -> int:
    """The merchant's deposit was topped up (by the posting ``trigger_key``): take what
    it owes back of refunded advances from it, as far as it goes. Once per top-up; fen
    taken."""
    lock_ledger(session)
    return _take_from_deposit(
        session,
        merchant_id,
        Purpose(f"{trigger_key}:advance_recovery", ADVANCE_RECOVERY, "merchant", merchant_id),
        at,
        actor,
        decision_id,
        rule or "settlement.recover",
    )


def _take_from_deposit(
    session: Session,
    merchant_id: str,
    purpose: Purpose,
    at: datetime,
    actor: str,
    decision_id: int | None,
    rule: str,
) -> int:
    """Give back what the merchant owes of refunded advances from its deposit, as far as
    the deposit goes; fen taken (0 if nothing was owed or held, or it was taken before)."""
    taken = min(
        balance(session, accounts.deposit(merchant_id)),
        owed_back(session, merchant_id),
    )
    if taken <= 0:
        return 0
    _, created = post(
        session,
        purpose,
        [
            (accounts.deposit(merchant_id), taken),
            (DEPOSIT_CASH, -taken),
            (ADVANCE_CLEARING, taken),
            (accounts.advance_owed(merchant_id), -taken),
        ],
        at,
        actor,
        memo="advance given back from the deposit",
        decision_id=decision_id,
        rule=rule,
    )
    if not created:
        return 0
    _repaid(session, merchant_id, taken)
    return taken


def _record_judgment(
    session: Session, order_id: str, eligibility: EarlySettlement, decision_id: int | None
) -> None:
    score = eligibility.score
    session.add(
        TrustScoreRow(
            order_id=order_id,
            merchant_id=score.merchant_id,
            at=score.at,
            score=score.score,
            bar=score.bar,
            orders=score.orders,
            early_settlement=eligibility.on,
            why=eligibility.why,
            components=[c.to_record() for c in score.components],
            decision_id=decision_id,
        )
    )
    session.flush()


def owed_back(session: Session, merchant_id: str) -> int:
    """What the merchant still owes of advances refunded before confirmation."""
    return balance(session, accounts.advance_owed(merchant_id))


def _keep_back_from(
    session: Session,
    row: AdvanceRow,
    at: datetime,
    actor: str,
    decision_id: int | None,
    rule: str,
) -> int:
    """Keep back from the new advance what the merchant owes of refunded ones; fen kept."""
    kept = min(owed_back(session, row.merchant_id), row.amount_fen)
    if kept <= 0:
        return 0
    post(
        session,
        Purpose(f"{advance_key(row.order_id)}:kept_back", ADVANCE_RECOVERY, "order", row.order_id),
        [(ADVANCE_CLEARING, kept), (accounts.advance_owed(row.merchant_id), -kept)],
        at,
        actor,
        memo=f"kept back from the advance of order {row.order_id}",
        decision_id=decision_id,
        rule=rule,
    )
    _repaid(session, row.merchant_id, kept)
    return kept


def _command(
    session: Session,
    topic: str,
    row: AdvanceRow,
    decision_id: int | None,
    **figures: int | bool,
) -> None:
    """Tell the marketplace's payments about the order, by the outbox: pay it now
    (``pay_fen``, what is left after what was kept back), net its settlement to nothing
    on confirmation, or (for information only, ``collect`` false) what the merchant
    still owes back of it: the ledger recovers that itself."""
    enqueue(
        session,
        topic,
        f"{topic}:order:{row.order_id}",
        {
            "command": topic,
            "order_id": row.order_id,
            "merchant_id": row.merchant_id,
            "amount_fen": row.amount_fen,
            "state": row.state,
            **figures,
        },
        decision_id,
    )


def _repaid(session: Session, merchant_id: str, amount_fen: int) -> None:
    """Credit ``amount_fen`` given back to the merchant's refunded advances, oldest first."""
    left = amount_fen
    for row in session.scalars(
        select(AdvanceRow)
        .where(AdvanceRow.merchant_id == merchant_id, AdvanceRow.state == REFUNDED)
        .order_by(AdvanceRow.closed_at, AdvanceRow.id)
    ):
        if left <= 0:
            break
        part = min(left, row.amount_fen - row.recovered_fen)
        row.recovered_fen += part
        left -= part
        if row.recovered_fen == row.amount_fen:
            move(row, "repay")
    session.flush()
