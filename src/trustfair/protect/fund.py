"""The protection fund: it is topped up, pays buyers first, and recovers what it paid
from the merchant's deposit or later settlements.

Each function here is a use case that moves money in the caller's transaction, by
``ledger.post``; a purpose key says what each posting is for, so asking twice (a
retried request, a replayed event) moves the money once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.protect import accounts
from trustfair.protect.accounts import (
    COMPENSATION_EXPENSE,
    DEPOSIT_CASH,
    FUND,
    FUND_CONTRIBUTIONS,
)
from trustfair.protect.claim_states import move
from trustfair.protect.ledger import (
    LedgerError,
    Purpose,
    PurposeConflict,
    balance,
    lines_of,
    lock_ledger,
    post,
    posted,
)
from trustfair.protect.terms import Protection
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import ClaimRow, LedgerTransactionRow, PayoutQueueRow, SettlementRow

SHORTFALL_NODE = "protection.deposit_shortfall"
"""The sanction node of a merchant the fund could not recover from."""

AWARD, PAYOUT, RECOVERY = "award", "payout", "recovery"
CONTRIBUTION, DEPOSIT, REVERSAL = "contribution", "deposit", "reversal"


@dataclass(frozen=True)
class Award:
    """Money owed to a buyer: for a claim (``ref_type`` claim) or an order's
    compensation under a guarantee (``ref_type`` order, ``guarantee`` set)."""

    ref_type: str
    ref_id: str
    buyer_id: str
    merchant_id: str
    amount_fen: int
    borne_by_merchant: bool
    guarantee: str | None = None

    @property
    def base(self) -> str:
        if self.guarantee:
            return f"{self.ref_type}:{self.ref_id}:{self.guarantee}"
        return f"{self.ref_type}:{self.ref_id}"


def contribute(
    session: Session, ref: str, amount_fen: int, at: datetime, actor: str, memo: str = ""
) -> LedgerTransactionRow:
    """The platform puts ``amount_fen`` into the fund; awards waiting for money are paid."""
    _positive(amount_fen, "a contribution")
    row, _ = post(
        session,
        Purpose(f"contribution:{ref}", CONTRIBUTION, "fund", ref),
        [(FUND, amount_fen), (FUND_CONTRIBUTIONS, -amount_fen)],
        at,
        actor,
        memo=memo,
    )
    pay_waiting(session, at, actor)
    return row


def payment_ref(payment_id: str) -> str:
    """The deposit reference of a payment the marketplace names (by event or API)."""
    return f"payment:{payment_id}"


def registration_ref(merchant_id: str) -> str:
    """The deposit reference of what a merchant paid on registering: apart from payment
    ids, so no payment id can be mistaken for it."""
    return f"registered:{merchant_id}"


def take_deposit(
    session: Session,
    merchant_id: str,
    ref: str,
    amount_fen: int,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
    decision_id: int | None = None,
    rule: str | None = None,
) -> LedgerTransactionRow:
    """A merchant pays ``amount_fen`` into its deposit; what it owes the fund is
    recovered from it at once, then what it owes back of refunded early-settlement
    advances (``merchant.advances.recover_advances_from_deposit``)."""
    _positive(amount_fen, "a deposit")
    row, created = post(
        session,
        Purpose(f"deposit:{ref}", DEPOSIT, "merchant", merchant_id),
        [(DEPOSIT_CASH, amount_fen), (accounts.deposit(merchant_id), -amount_fen)],
        at,
        actor,
        decision_id=decision_id,
        rule=rule,
    )
    if created:
        # Imported here: early settlement builds on the ledger, not the other way round.
        from trustfair.merchant.advances import recover_advances_from_deposit

        recover_from_deposit(session, merchant_id, row.key, at, actor, terms=terms)
        recover_advances_from_deposit(
            session, merchant_id, row.key, at, actor, decision_id=decision_id, rule=rule
        )
        pay_waiting(session, at, actor)
    return row


def award(
    session: Session,
    owed: Award,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
    rule: str,
    memo: str = "",
    decision_id: int | None = None,
) -> LedgerTransactionRow:
    """Owe the buyer ``owed.amount_fen``, pay it from the fund if the fund can, and
    recover it from the merchant when the merchant bears it. Once per purpose."""
    _positive(owed.amount_fen, "an award")
    debit = (
        accounts.receivable(owed.merchant_id) if owed.borne_by_merchant else COMPENSATION_EXPENSE
    )
    lock_ledger(session)
    earlier = posted(session, f"{owed.base}:{AWARD}")
    if earlier is not None:
        # Once per purpose, whatever amount is asked the second time: an order's return
        # shipping is compensated for its first return, not again for its second.
        return earlier
    row, created = post(
        session,
        Purpose(f"{owed.base}:{AWARD}", AWARD, owed.ref_type, owed.ref_id),
        [(debit, owed.amount_fen), (accounts.payable(owed.buyer_id), -owed.amount_fen)],
        at,
        actor,
        memo=memo,
        decision_id=decision_id,
        rule=rule,
    )
    if created:
        pay(session, row, at, actor)
        if owed.borne_by_merchant:
            recover_from_deposit(session, owed.merchant_id, row.key, at, actor, terms=terms)
            # What came back from the deposit may be what this award (or an older one)
            # was waiting for.
            pay_waiting(session, at, actor)
    return row


def pay(session: Session, award_row: LedgerTransactionRow, at: datetime, actor: str) -> bool:
    """Pay an award's buyer from the fund; False (nothing written) while the fund is
    short: the award waits for the next contribution or recovery."""
    payout_key = _payout_key(award_row.key)
    if posted(session, payout_key) is not None:
        return True
    buyer_account, owed = _payable_line(session, award_row)
    if balance(session, FUND) < owed:
        session.execute(
            insert_ignoring_conflicts(session, PayoutQueueRow.__table__, ["award_id"]),
            {"award_id": award_row.id, "since": at},
        )
        return False
    post(
        session,
        Purpose(payout_key, PAYOUT, award_row.ref_type, award_row.ref_id),
        [(buyer_account, owed), (FUND, -owed)],
        at,
        actor,
        rule=award_row.rule,
    )
    session.execute(delete(PayoutQueueRow).where(PayoutQueueRow.award_id == award_row.id))
    if award_row.ref_type == "claim":
        claim = session.get(ClaimRow, int(award_row.ref_id))
        if claim is not None:
            move(claim, "pay")
    return True


def pay_waiting(session: Session, at: datetime, actor: str) -> int:
    """Pay the awards still waiting for money, oldest first, while the fund lasts; how
    many were paid."""
    paid = 0
    for award_row in waiting_awards(session):
        if not pay(session, award_row, at, actor):
            break
        paid += 1
    return paid


def waiting_awards(session: Session) -> list[LedgerTransactionRow]:
    """Awards the fund could not pay yet, oldest first (the payout queue)."""
    return list(
        session.scalars(
            select(LedgerTransactionRow)
            .join(PayoutQueueRow, PayoutQueueRow.award_id == LedgerTransactionRow.id)
            .order_by(PayoutQueueRow.award_id)
        )
    )


def recover_from_deposit(
    session: Session,
    merchant_id: str,
    trigger_key: str,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
) -> int:
    """Move what the merchant owes the fund out of its deposit, as far as the deposit
    goes; restrict the merchant if debt is left, lift that once none is. Fen moved."""
    lock_ledger(session)
    owed = balance(session, accounts.receivable(merchant_id))
    held = balance(session, accounts.deposit(merchant_id))
    amount = min(owed, held)
    if amount > 0:
        post(
            session,
            Purpose(f"{trigger_key}:{RECOVERY}", RECOVERY, "merchant", merchant_id),
            [
                (accounts.deposit(merchant_id), amount),
                (DEPOSIT_CASH, -amount),
                (FUND, amount),
                (accounts.receivable(merchant_id), -amount),
            ],
            at,
            actor,
            memo="recovered from the deposit",
        )
    _restrict_while_owing(session, merchant_id, owed - amount, at, actor, terms)
    return amount


def withhold_from_settlement(
    session: Session,
    merchant_id: str,
    settlement_ref: str,
    settlement_fen: int,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
) -> int:
    """The marketplace is about to settle ``settlement_fen`` to the merchant: keep back
    what the merchant owes the fund (at most the settlement). Fen kept back."""
    _positive(settlement_fen, "a settlement")
    # Queue for the ledger before reading what is owed: a settlement read beside
    # another's would keep back what that one already took (PostgreSQL).
    lock_ledger(session)
    earlier = session.scalars(
        select(SettlementRow).where(SettlementRow.settlement_ref == settlement_ref)
    ).first()
    if earlier is not None:
        # One answer per settlement: the same one again, or a refusal if it is told
        # differently now.
        if (earlier.merchant_id, earlier.amount_fen) != (merchant_id, settlement_fen):
            raise PurposeConflict(
                f"settlement {settlement_ref!r} was asked about before as {earlier.amount_fen} "
                f"fen to {earlier.merchant_id}"
            )
        return earlier.withheld_fen
    owed = balance(session, accounts.receivable(merchant_id))
    amount = min(owed, settlement_fen)
    posting = None
    if amount > 0:
        posting, _ = post(
            session,
            Purpose(f"settlement:{settlement_ref}", RECOVERY, "merchant", merchant_id),
            [(FUND, amount), (accounts.receivable(merchant_id), -amount)],
            at,
            actor,
            memo=f"kept back from settlement {settlement_ref}",
        )
        pay_waiting(session, at, actor)
    session.add(
        SettlementRow(
            settlement_ref=settlement_ref,
            merchant_id=merchant_id,
            amount_fen=settlement_fen,
            withheld_fen=amount,
            at=at,
            transaction_id=posting.id if posting is not None else None,
        )
    )
    session.flush()
    _restrict_while_owing(session, merchant_id, owed - amount, at, actor, terms)
    return amount


def _restrict_while_owing(
    session: Session, merchant_id: str, still_owed: int, at: datetime, actor: str, terms: Protection
) -> None:
    from trustfair.enforce.sanctions import active_sanction_rows, issue_sanction, lift_sanction

    merchant = EntityRef("merchant", merchant_id)
    standing = [
        row for row in active_sanction_rows(session, merchant, at) if row.node == SHORTFALL_NODE
    ]
    if still_owed > 0 and not standing:
        issue_sanction(
            session,
            merchant,
            terms.deposit.restriction,
            None,
            SHORTFALL_NODE,
            at,
            decision_id=None,
            policy_version="protection",
            statement={
                "rule": SHORTFALL_NODE,
                "explanation": (
                    "The protection fund paid your buyers first and your deposit could not "
                    f"cover it: {still_owed} fen is still owed. Top up the deposit to lift this."
                ),
                "owed_fen": still_owed,
            },
        )
    elif still_owed <= 0:
        for row in standing:
            lift_sanction(session, row, actor, "the fund was repaid", at)


def _payout_key(award_key: str) -> str:
    return award_key.removesuffix(f":{AWARD}") + f":{PAYOUT}"


def _payable_line(session: Session, award_row: LedgerTransactionRow) -> tuple[str, int]:
    for account, amount in lines_of(session, award_row.id):
        if account.startswith("payable:"):
            return account, -amount
    raise LedgerError(f"award {award_row.key!r} has no payable line")


def _positive(amount_fen: int, what: str) -> None:
    if type(amount_fen) is not int or amount_fen <= 0:
        raise LedgerError(f"{what} must be a positive whole number of fen, got {amount_fen!r}")
