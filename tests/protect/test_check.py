"""``ledger check`` passes a sound ledger and names each kind of breach in one that is
not (the breaches are written past the use cases, straight into the tables)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import delete, insert

from trustfair.protect import fund
from trustfair.protect.check import check_ledger
from trustfair.protect.ledger import Purpose, post
from trustfair.protect.terms import Protection
from trustfair.store.models import (
    ClaimRow,
    LedgerBalanceRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    PayoutQueueRow,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TERMS = Protection()


def a_sound_ledger(store) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        fund.contribute(session, "c1", 10_000, NOW, "admin")
        fund.take_deposit(session, "m1", "p1", 3_000, NOW, "svc", terms=TERMS)
        fund.award(
            session,
            fund.Award("order", "o1", "b1", "m1", 5_000, True, "late_shipment"),
            NOW,
            "pipeline",
            terms=TERMS,
            rule="r",
        )
        fund.withhold_from_settlement(session, "m1", "s1", 1_500, NOW, "svc", terms=TERMS)


def breaches(store) -> list[str]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return [b.invariant for b in check_ledger(session).breaches]


def test_a_sound_ledger_passes_and_the_fund_adds_up(store) -> None:
    a_sound_ledger(store)
    with store.reading() as session:
        report = check_ledger(session)
    assert report.ok, report.breaches
    # 10 000 in; 5 000 paid out; 3 000 back from the deposit and 1 500 from a settlement.
    assert (report.contributions_fen, report.payouts_fen, report.recoveries_fen) == (
        10_000,
        5_000,
        4_500,
    )
    assert report.fund_fen == 9_500


def raw_posting(session, key: str, kind: str, lines) -> int:  # type: ignore[no-untyped-def]
    row = LedgerTransactionRow(
        key=key, kind=kind, ref_type="test", ref_id="x", at=NOW, actor="intruder", memo=""
    )
    session.add(row)
    session.flush()
    for account, amount in lines:
        session.add(LedgerEntryRow(transaction_id=row.id, account=account, amount_fen=amount))
    session.flush()
    return row.id


def test_an_unbalanced_posting_and_stale_balances_are_named(store) -> None:
    a_sound_ledger(store)
    with store.transaction() as session:
        raw_posting(session, "forged", "contribution", [("fund", 700), ("fund_contributions", -1)])
    found = breaches(store)
    assert "every_posting_balanced" in found
    assert "balances_equal_entries" in found  # the forged rows skipped the balances


def test_a_second_payout_of_one_award_is_named(store) -> None:
    a_sound_ledger(store)
    with store.transaction() as session:
        # ``post`` would refuse it (the buyer's payable would go below zero): written
        # past it, only the check can see it.
        raw_posting(
            session,
            "order:o1:late_shipment:payout-again",
            "payout",
            [("payable:b1", 5_000), ("fund", -5_000)],
        )
    assert "paid_at_most_once" in breaches(store)


def test_money_taken_from_the_fund_by_anything_but_a_payout_is_named(store) -> None:
    a_sound_ledger(store)
    with store.transaction() as session:
        post(
            session,
            Purpose("award:sneaky", "award", "order", "o9"),
            [("compensation_expense", 100), ("fund", -100)],
            NOW,
            "intruder",
        )
    assert "fund_adds_up" in breaches(store)


def test_an_overdrawn_deposit_and_a_paid_claim_without_a_payout_are_named(store) -> None:
    a_sound_ledger(store)
    with store.transaction() as session:
        raw_posting(session, "overdraw", "deposit", [("deposit:m2", 50), ("deposit_cash", -50)])
        session.execute(
            insert(LedgerBalanceRow),
            [
                {"account": "deposit:m2", "balance_fen": 50, "updated_at": NOW},
            ],
        )
        session.add(
            ClaimRow(
                claim_ref="cs-9",
                order_id="o9",
                buyer_id="b9",
                merchant_id="m9",
                kind="not_delivered",
                requested_fen=100,
                amount_fen=100,
                state="paid",
                description="",
                filed_by="t",
                filed_at=NOW,
                reason="",
            )
        )
    found = breaches(store)
    assert "no_forbidden_negative" in found
    assert "claims_agree" in found


def test_the_cli_exits_non_zero_naming_the_breach(sqlite_store) -> None:
    a_sound_ledger(sqlite_store)
    url = sqlite_store.engine.url.render_as_string(hide_password=False)
    env = {"TRUSTFAIR_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    passed = subprocess.run(
        [sys.executable, "-m", "trustfair.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "every invariant holds" in passed.stdout
    with sqlite_store.transaction() as session:
        raw_posting(session, "forged", "contribution", [("fund", 700), ("fund_contributions", -1)])
    failed = subprocess.run(
        [sys.executable, "-m", "trustfair.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "BREACH every_posting_balanced" in failed.stdout
    assert "forged" in failed.stdout


def test_a_recovery_that_takes_deposit_money_without_clearing_a_debt_is_named(store) -> None:
    a_sound_ledger(store)
    with store.transaction() as session:
        fund.take_deposit(session, "m2", "p2", 5_000, NOW, "svc", terms=TERMS)
        # Balanced, and through ``post`` (balances kept): only its shape is wrong.
        post(
            session,
            Purpose("recovery:forged", "recovery", "merchant", "m1"),
            [("fund", 300), ("deposit_cash", -300)],
            NOW,
            "intruder",
        )
    found = breaches(store)
    assert "posting_shapes" in found
    assert "fund_adds_up" in found  # the deposits' money no longer equals the deposits


def test_a_claim_paid_again_under_another_key_is_named(store) -> None:
    with store.transaction() as session:
        fund.contribute(session, "c1", 10_000, NOW, "admin")
        for key in ("claim:1", "claim:1:dup"):
            post(
                session,
                Purpose(f"{key}:award", "award", "claim", "1"),
                [("receivable:m1", 1_000), ("payable:b1", -1_000)],
                NOW,
                "intruder",
            )
            post(
                session,
                Purpose(f"{key}:payout", "payout", "claim", "1"),
                [("payable:b1", 1_000), ("fund", -1_000)],
                NOW,
                "intruder",
            )
    with store.reading() as session:
        named = [b.detail for b in check_ledger(session).breaches]
    assert any("claim:1:dup:award" in detail and "not the key" in detail for detail in named)


def test_a_payout_to_another_buyer_than_the_award_owed_is_named(store) -> None:
    with store.transaction() as session:
        fund.contribute(session, "c1", 10_000, NOW, "admin")
        post(
            session,
            Purpose("order:o1:return_shipping:award", "award", "order", "o1"),
            [("compensation_expense", 800), ("payable:b1", -800)],
            NOW,
            "intruder",
        )
        post(
            session,
            Purpose("gift", "award", "order", "o2"),
            [("compensation_expense", 800), ("payable:b2", -800)],
            NOW,
            "intruder",
        )
        post(
            session,
            Purpose("order:o1:return_shipping:payout", "payout", "order", "o1"),
            [("payable:b2", 800), ("fund", -800)],
            NOW,
            "intruder",
        )
    with store.reading() as session:
        named = [b.detail for b in check_ledger(session).breaches]
    assert any("the award owed payable:b1 800 fen, the payout paid payable:b2" in d for d in named)


def test_an_unpaid_award_missing_from_the_payout_queue_is_named(store) -> None:
    with store.transaction() as session:
        fund.award(
            session,
            fund.Award("order", "o1", "b1", "m1", 500, False, "return_shipping"),
            NOW,
            "pipeline",
            terms=TERMS,
            rule="r",
        )
    with store.reading() as session:
        assert check_ledger(session).ok  # the fund is empty: the award waits, queued
        assert [a.key for a in fund.waiting_awards(session)] == ["order:o1:return_shipping:award"]
    with store.transaction() as session:
        session.execute(delete(PayoutQueueRow))
    assert breaches(store) == ["payout_queue"]
