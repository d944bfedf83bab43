"""The consumer-protection section agrees with the money ledger, the claims and the
coverage tables, on both backends."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import ingest
from tests.protect.builders import (
    at,
    balance_of,
    claim,
    fund,
    opted_in,
    paid,
    registered,
    returned,
    shipped,
)
from tests.report.test_figures import breakdowns, figures
from trustfair.protect.fund import withhold_from_settlement
from trustfair.protect.terms import Protection
from trustfair.report.figures import build_report
from trustfair.store.models import LedgerEntryRow, LedgerTransactionRow


def test_protection_figures_agree_with_the_ledger(store, registry) -> None:
    fund(store, 1_000_000)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=1_000),
        registered("m2", deposit_fen=50_000),
        opted_in("g1", "return_shipping", "m1"),
        opted_in("g2", "late_shipment", "m1"),
        opted_in("g3", "late_shipment", "m2", listing_id="l9", when=at(days=35)),
        paid("p1", "o1", amount_fen=30_000, when=at(), ship_by=at(days=2)),
        paid("p2", "o2", amount_fen=4_000, when=at()),
        paid("p3", "o3", amount_fen=9_900, when=at(), merchant_id="m2"),  # not covered
        shipped("s1", "o1", when=at(days=4)),  # late: 3,000 owed by m1, 1,000 recovered
        returned("r2", "o2", fee_fen=1_500),  # 800 by the tier, the platform's
        claim("c1", "cs-1", "o3", "not_delivered", 9_900, at(days=20)),  # paid, m2's deposit
        claim("c2", "cs-2", "o2", "counterfeit", 4_000, at(days=20)),  # in review
        paid("p4", "o4", amount_fen=9_900, when=at(days=36), merchant_id="m2", listing_id="l9"),
    )
    with store.transaction() as session:
        withhold_from_settlement(
            session, "m1", "st-1", 500, at(days=30), "test", terms=Protection()
        )

    report = build_report(store)
    values = figures(report)
    rows = breakdowns(report)
    assert values["fund_contributions_fen"] == 1_000_000
    assert values["fund_payouts"] == 3
    assert values["fund_payouts_fen"] == 3_000 + 800 + 9_900
    assert rows["payouts_by_kind"] == {
        "claim: not_delivered": 1,
        "guarantee: late_shipment": 1,
        "guarantee: return_shipping": 1,
    }
    assert rows["payouts_fen_by_kind"] == {
        "claim: not_delivered": 9_900,
        "guarantee: late_shipment": 3_000,
        "guarantee: return_shipping": 800,
    }
    assert values["fund_recovered_from_deposits_fen"] == 1_000 + 9_900
    assert values["fund_recovered_from_settlements_fen"] == 500
    assert values["receivables_outstanding_fen"] == 3_000 - 1_000 - 500
    assert values["merchants_owing"] == 1
    assert values["deposits_held_fen"] == 50_000 - 9_900
    # The fund's balance, read from the ledger, is what the figures say it must be.
    assert values["fund_balance_fen"] == balance_of(store, "fund")
    assert values["fund_balance_fen"] == (
        values["fund_contributions_fen"]
        - values["fund_payouts_fen"]
        + values["fund_recovered_from_deposits_fen"]
        + values["fund_recovered_from_settlements_fen"]
    )
    # And the payouts, summed straight from the entries.
    with store.reading() as session:
        paid_out = -sum(
            session.scalars(
                select(LedgerEntryRow.amount_fen)
                .join(LedgerTransactionRow)
                .where(LedgerTransactionRow.kind == "payout", LedgerEntryRow.account == "fund")
            )
        )
    assert paid_out == values["fund_payouts_fen"]
    assert values["claims_filed"] == 2
    assert rows["claims_by_state"] == {"in_review": 1, "paid": 1}
    # March: m1 shop-wide; April: m2's listing l9 too (m1's shop-wide still in force).
    assert rows["merchants_offering_by_month"] == {"2026-03": 1, "2026-04": 2}
    assert rows["listings_covered_by_month"] == {"2026-03": 0, "2026-04": 1}
    assert rows["orders_covered_by_month"] == {"2026-03": 2, "2026-04": 1}
    assert rows["orders_covered_share_by_month"] == {"2026-03": 666, "2026-04": 1000}


def test_an_empty_store_reports_no_protection_money(store) -> None:
    values = figures(build_report(store))
    assert values["fund_payouts_fen"] == 0 and values["fund_balance_fen"] == 0
    assert breakdowns(build_report(store))["orders_covered_by_month"] == {}
