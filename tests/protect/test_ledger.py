"""The ledger itself: balanced postings in fen, once per purpose, never overdrawn, and
rows the store refuses to change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from trustfair.protect import accounts
from trustfair.protect.ledger import (
    LedgerError,
    Overdrawn,
    Purpose,
    PurposeConflict,
    balance,
    balances,
    post,
    reverse,
)
from trustfair.store.models import LedgerEntryRow, LedgerTransactionRow

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def contribution(ref: str) -> Purpose:
    return Purpose(f"contribution:{ref}", "contribution", "fund", ref)


def test_a_posting_moves_balances_on_their_normal_side(store) -> None:
    with store.transaction() as session:
        post(session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t")
    with store.reading() as session:
        assert balance(session, "fund") == 500
        assert balance(session, "fund_contributions") == 500
        assert balances(session, ["fund", "fund_contributions"]) == {
            "fund": 500,
            "fund_contributions": -500,
        }


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([("fund", 500), ("fund_contributions", -400)], "differ by 100 fen"),
        ([("fund", 500)], "at least two lines"),
        ([("fund", 0), ("fund_contributions", 0)], "zero line"),
        ([("fund", 5.0), ("fund_contributions", -5.0)], "not integer fen"),
        ([("fund", True), ("fund_contributions", -1)], "not integer fen"),
        ([("cash", 5), ("fund_contributions", -5)], "no account kind 'cash'"),
        ([("deposit", 5), ("deposit_cash", -5)], "names its merchant"),
    ],
)
def test_a_posting_that_does_not_balance_is_refused_naming_why(store, lines, problem) -> None:
    with pytest.raises((LedgerError, ValueError), match=problem), store.transaction() as session:
        post(session, contribution("bad"), lines, NOW, "t")
    with store.reading() as session:
        assert session.query(LedgerTransactionRow).count() == 0


def test_the_same_purpose_is_posted_once(store) -> None:
    with store.transaction() as session:
        first, created = post(
            session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t"
        )
        again, created_again = post(
            session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t"
        )
    assert created and not created_again and again.id == first.id
    # The same purpose told with another amount is refused, naming what stands.
    with pytest.raises(PurposeConflict, match="fund \\+500"), store.transaction() as session:
        post(session, contribution("c1"), [("fund", 900), ("fund_contributions", -900)], NOW, "t")
    with store.reading() as session:
        assert balance(session, "fund") == 500


def test_no_posting_overdraws_the_fund_or_a_deposit(store) -> None:
    with store.transaction() as session:
        post(session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t")
    payout = Purpose("claim:1:payout", "payout", "claim", "1")
    with pytest.raises(Overdrawn, match="fund holds 500 fen"), store.transaction() as session:
        post(session, payout, [(accounts.payable("b1"), 600), ("fund", -600)], NOW, "t")
    with store.reading() as session:
        assert balance(session, "fund") == 500
        assert balance(session, accounts.payable("b1")) == 0


def test_the_store_refuses_to_change_or_delete_ledger_rows(store) -> None:
    with store.transaction() as session:
        post(session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t")
    for change in (
        update(LedgerEntryRow).values(amount_fen=1),
        delete(LedgerEntryRow),
        update(LedgerTransactionRow).values(memo="edited"),
        delete(LedgerTransactionRow),
    ):
        with pytest.raises(DBAPIError, match="immutable"), store.transaction() as session:
            session.execute(change)


def test_a_correction_is_a_reversing_posting_made_once(store) -> None:
    with store.transaction() as session:
        original, _ = post(
            session, contribution("c1"), [("fund", 500), ("fund_contributions", -500)], NOW, "t"
        )
        reversal, created = reverse(session, original, NOW, "admin", "typo")
        again, created_again = reverse(session, original, NOW, "admin", "typo")
        assert created and not created_again and again.id == reversal.id
        assert reversal.reverses_id == original.id
        with pytest.raises(LedgerError, match="is a reversal"):
            reverse(session, reversal, NOW, "admin", "undo the undo")
    with store.reading() as session:
        assert balance(session, "fund") == 0
        assert session.query(LedgerTransactionRow).count() == 2
