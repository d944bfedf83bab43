"""The double-entry money ledger: balanced postings in integer fen, never changed.

``post`` is the one way money moves. It checks that the lines balance, that no
account ends up where it may not go (an overdrawn fund or deposit), and that the
posting's purpose (``key``) has not been posted before; then it writes the posting,
its lines and the new balances in the caller's transaction. Postings queue on one
ledger lock, so two requests can never both spend the same fen.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from trustfair.protect.accounts import kind_of, normal_balance, overdrawn
from trustfair.store.models import LedgerBalanceRow, LedgerEntryRow, LedgerTransactionRow

LEDGER_LOCK = 7_310_519_044
"""PostgreSQL advisory lock every posting takes first (SQLite's writer lock serves)."""

Line = tuple[str, int]
"""(account, amount_fen): > 0 debits the account, < 0 credits it."""


class LedgerError(Exception):
    """A posting that may not be written; the message says why."""


class PurposeConflict(LedgerError):
    """The purpose was posted before with other lines (a payment id sent again with
    another amount): the first posting stands, and this one is refused."""


class Overdrawn(LedgerError):
    def __init__(self, account: str, balance_fen: int, needed_fen: int) -> None:
        super().__init__(
            f"{account} holds {balance_fen} fen and may not go below zero; the posting "
            f"needs {needed_fen} fen"
        )
        self.account = account
        self.balance_fen = balance_fen
        self.needed_fen = needed_fen


@dataclass(frozen=True)
class Purpose:
    """What a posting is for: its unique key, its kind and what it is about."""

    key: str
    kind: str
    ref_type: str
    ref_id: str


def lock_ledger(session: Session) -> None:
    """Queue for the ledger: held until the caller's transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})


def posted(session: Session, key: str) -> LedgerTransactionRow | None:
    """The posting made for ``key``, if there is one."""
    return session.scalars(
        select(LedgerTransactionRow).where(LedgerTransactionRow.key == key)
    ).first()


def balances(session: Session, accounts: Iterable[str]) -> dict[str, int]:
    """Debits − credits of each of ``accounts`` (0 for one never posted to)."""
    wanted = sorted(set(accounts))
    found = dict(
        session.execute(
            select(LedgerBalanceRow.account, LedgerBalanceRow.balance_fen).where(
                LedgerBalanceRow.account.in_(wanted)
            )
        ).all()
    )
    return {account: found.get(account, 0) for account in wanted}


def balance(session: Session, account: str) -> int:
    """``account``'s balance read on its normal side (a deposit of 500 fen is 500)."""
    return normal_balance(account, balances(session, [account])[account])


def post(
    session: Session,
    purpose: Purpose,
    lines: Sequence[Line],
    at: datetime,
    actor: str,
    *,
    memo: str = "",
    decision_id: int | None = None,
    rule: str | None = None,
    reverses_id: int | None = None,
) -> tuple[LedgerTransactionRow, bool]:
    """Write the posting for ``purpose``: (the posting, True), or (the posting made for
    it before, False) — so asking twice moves the money once. Raises ``Overdrawn``
    (nothing written) if an account would go where it may not, and ``PurposeConflict``
    if the purpose was posted before with other lines."""
    _check_lines(purpose, lines)
    lock_ledger(session)
    earlier = posted(session, purpose.key)
    if earlier is not None:
        if Counter(lines_of(session, earlier.id)) != Counter(lines):
            raise PurposeConflict(
                f"{purpose.key} was posted before (posting {earlier.id}) with other amounts: "
                + ", ".join(f"{a} {v:+d}" for a, v in lines_of(session, earlier.id))
            )
        return earlier, False
    movement: dict[str, int] = defaultdict(int)
    for account, amount in lines:
        movement[account] += amount
    # Read fresh under the lock (populate_existing): a row this session loaded before
    # it queued for the lock may since have been changed by the one it queued behind.
    kept = {
        row.account: row
        for row in session.scalars(
            select(LedgerBalanceRow)
            .where(LedgerBalanceRow.account.in_(sorted(movement)))
            .execution_options(populate_existing=True)
        )
    }
    before = {account: kept[account].balance_fen if account in kept else 0 for account in movement}
    after = {account: before[account] + movement[account] for account in movement}
    for account in sorted(after):
        if overdrawn(account, after[account]):
            raise Overdrawn(
                account,
                normal_balance(account, before[account]),
                abs(movement[account]),
            )
    row = LedgerTransactionRow(
        key=purpose.key,
        kind=purpose.kind,
        ref_type=purpose.ref_type,
        ref_id=purpose.ref_id,
        at=at,
        actor=actor,
        memo=memo,
        decision_id=decision_id,
        rule=rule,
        reverses_id=reverses_id,
    )
    session.add(row)
    session.flush()
    session.execute(
        insert(LedgerEntryRow),
        [
            {"transaction_id": row.id, "account": account, "amount_fen": amount}
            for account, amount in lines
        ],
    )
    for account in sorted(after):
        if account in kept:
            kept[account].balance_fen, kept[account].updated_at = after[account], at
        else:
            session.add(
                LedgerBalanceRow(account=account, balance_fen=after[account], updated_at=at)
            )
    session.flush()
    return row, True


def _check_lines(purpose: Purpose, lines: Sequence[Line]) -> None:
    where = f"posting {purpose.key!r}"
    if len(lines) < 2:
        raise LedgerError(f"{where}: a posting has at least two lines, got {len(lines)}")
    for account, amount in lines:
        kind_of(account)
        if type(amount) is not int:
            raise LedgerError(f"{where}: {account} amount {amount!r} is not integer fen")
        if amount == 0:
            raise LedgerError(f"{where}: {account} has a zero line")
    total = sum(amount for _, amount in lines)
    if total != 0:
        raise LedgerError(f"{where}: debits and credits differ by {total} fen")


def lines_of(session: Session, transaction_id: int) -> list[Line]:
    """A posting's lines, in the order they were written."""
    return [
        (account, amount)
        for account, amount in session.execute(
            select(LedgerEntryRow.account, LedgerEntryRow.amount_fen)
            .where(LedgerEntryRow.transaction_id == transaction_id)
            .order_by(LedgerEntryRow.id)
        )
    ]


def reverse(
    session: Session, original: LedgerTransactionRow, at: datetime, actor: str, memo: str
) -> tuple[LedgerTransactionRow, bool]:
    """Undo ``original`` with a posting of the opposite lines (once: asking again
    returns the first reversal). A reversal is not itself reversed: post anew."""
    if original.reverses_id is not None:
        raise LedgerError(f"posting {original.id} is a reversal; post the correction anew")
    purpose = Purpose(f"reversal:{original.id}", "reversal", "transaction", str(original.id))
    lines = [(account, -amount) for account, amount in lines_of(session, original.id)]
    return post(session, purpose, lines, at, actor, memo=memo, reverses_id=original.id)
