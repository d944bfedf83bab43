"""The protection fund's figures, as the API and the trust report show them: one
reading of the ledger for both. (``ledger check`` reads the ledger its own way, on
purpose: a proof that shared this code could not catch a mistake in it.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.protect.accounts import FUND
from trustfair.protect.fund import CONTRIBUTION, PAYOUT, RECOVERY
from trustfair.store.models import LedgerEntryRow, LedgerTransactionRow


def fund_movements(session: Session) -> list[tuple[str, str, str, str, int]]:
    """(kind, key, ref_type, ref_id, fen into the fund) of every posting that moved the
    fund, reversals left out with what they reverse."""
    reversed_ids = set(
        session.scalars(
            select(LedgerTransactionRow.reverses_id).where(
                LedgerTransactionRow.reverses_id.is_not(None)
            )
        )
    )
    rows = session.execute(
        select(
            LedgerTransactionRow.id,
            LedgerTransactionRow.kind,
            LedgerTransactionRow.key,
            LedgerTransactionRow.ref_type,
            LedgerTransactionRow.ref_id,
            func.sum(LedgerEntryRow.amount_fen),
        )
        .join(LedgerEntryRow, LedgerEntryRow.transaction_id == LedgerTransactionRow.id)
        .where(LedgerEntryRow.account == FUND, LedgerTransactionRow.reverses_id.is_(None))
        .group_by(
            LedgerTransactionRow.id,
            LedgerTransactionRow.kind,
            LedgerTransactionRow.key,
            LedgerTransactionRow.ref_type,
            LedgerTransactionRow.ref_id,
        )
        .order_by(LedgerTransactionRow.id)
    )
    return [
        (kind, key, ref_type, ref_id, int(amount))
        for id_, kind, key, ref_type, ref_id, amount in rows
        if id_ not in reversed_ids
    ]


@dataclass(frozen=True)
class FundTotals:
    contributions_fen: int
    payouts_fen: int
    recoveries_fen: int

    @property
    def fund_fen(self) -> int:
        return self.contributions_fen - self.payouts_fen + self.recoveries_fen


def fund_totals(session: Session) -> FundTotals:
    """What the fund received, paid out and recovered, net of reversed postings."""
    moved: dict[str, int] = {CONTRIBUTION: 0, PAYOUT: 0, RECOVERY: 0}
    for kind, _key, _ref_type, _ref_id, amount in fund_movements(session):
        moved[kind] = moved.get(kind, 0) + amount
    return FundTotals(moved[CONTRIBUTION], -moved[PAYOUT], moved[RECOVERY])
