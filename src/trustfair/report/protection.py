"""The trust report's consumer-protection section: the fund's money, claims and the
guarantees' coverage, all read from stored records (``trustfair export ledger``,
``export claims``; the ``entitlements`` and ``order_coverage`` tables).

Amounts are the fund's side of each posting: a contribution or a recovery is what it
put into ``fund``, a payout what it took out. So contributions − payouts + recoveries
is the fund's balance, which the section shows too, from the balances.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.events.fields import CHINA
from trustfair.protect.accounts import FUND
from trustfair.protect.figures import fund_movements
from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import (
    ClaimRow,
    EntitlementRow,
    LedgerBalanceRow,
    OrderCoverageRow,
)


def _payout_kind(key: str, ref_type: str, ref_id: str, claim_kinds: dict[str, str]) -> str:
    if ref_type == "claim":
        return f"claim: {claim_kinds.get(ref_id, 'unknown')}"
    parts = key.split(":")
    # order:{order_id}:{guarantee}:payout
    return f"guarantee: {parts[-2]}" if ref_type == "order" and len(parts) >= 4 else ref_type


def _month(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m")


def _months_between(first: datetime, last: datetime) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) of each month of the platform's calendar from ``first``'s
    to ``last``'s."""
    local = first.astimezone(CHINA)
    year, month = local.year, local.month
    stop = _month(last)
    found = []
    while True:
        start = datetime(year, month, 1, tzinfo=CHINA)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = datetime(year, month, 1, tzinfo=CHINA)
        found.append((start.strftime("%Y-%m"), start, end))
        if found[-1][0] >= stop:
            return found


def _coverage_by_month(session: Session) -> tuple[dict, dict, dict, dict]:
    orders: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    first = last = None
    query = select(OrderCoverageRow.paid_at, OrderCoverageRow.guarantees)
    for paid_at, guarantees in session.execute(query.execution_options(yield_per=10_000)):
        month = _month(paid_at)
        orders[month] += 1
        covered[month] += bool(guarantees)
        first = paid_at if first is None or paid_at < first else first
        last = paid_at if last is None or paid_at > last else last
    entitlements = session.execute(
        select(
            EntitlementRow.merchant_id,
            EntitlementRow.listing_id,
            EntitlementRow.starts_at,
            EntitlementRow.ends_at,
        )
    ).all()
    for _, _, starts_at, _ in entitlements:
        first = starts_at if first is None or starts_at < first else first
        last = starts_at if last is None or starts_at > last else last
    merchants: dict[str, int] = {}
    listings: dict[str, int] = {}
    if first is not None and last is not None:
        for month, start, end in _months_between(first, last):
            active = [
                (merchant, listing)
                for merchant, listing, starts_at, ends_at in entitlements
                if starts_at < end and (ends_at is None or ends_at > start)
            ]
            merchants[month] = len({merchant for merchant, _ in active})
            listings[month] = len({listing for _, listing in active if listing is not None})
    # Per mille, in whole numbers: breakdown rows are counts (the API says so).
    share = {month: 1000 * covered[month] // orders[month] for month in sorted(orders)}
    return (
        merchants,
        listings,
        {month: covered[month] for month in sorted(orders)},
        share,
    )


def protection_section(session: Session) -> Section:
    movements = fund_movements(session)
    claim_kinds = {
        str(claim_id): kind
        for claim_id, kind in session.execute(select(ClaimRow.id, ClaimRow.kind))
    }
    contributions = [fen for kind, _, _, _, fen in movements if kind == "contribution"]
    payouts: Counter[str] = Counter()
    payouts_fen: defaultdict[str, int] = defaultdict(int)
    recoveries: defaultdict[str, int] = defaultdict(int)
    for kind, key, ref_type, ref_id, fen in movements:
        if kind == "payout":
            what = _payout_kind(key, ref_type, ref_id, claim_kinds)
            payouts[what] += 1
            payouts_fen[what] += -fen
        elif kind == "recovery":
            source = "settlements" if key.startswith("settlement:") else "deposits"
            recoveries[source] += fen
    balances = {
        account: int(fen)
        for account, fen in session.execute(
            select(LedgerBalanceRow.account, LedgerBalanceRow.balance_fen)
        )
    }
    receivables = {a: b for a, b in balances.items() if a.startswith("receivable:") and b > 0}
    deposits_held = sum(-b for a, b in balances.items() if a.startswith("deposit:"))
    claims = session.execute(select(ClaimRow.state, func.count()).group_by(ClaimRow.state)).all()
    merchants, listings, orders_covered, share = _coverage_by_month(session)

    section = Section("protection", "Consumer protection")
    section.figures = [
        Figure(
            "fund_contributions_fen",
            "Contributions to the protection fund",
            sum(contributions),
            "ledger postings of kind contribution: their fund lines",
            unit="fen",
        ),
        Figure(
            "fund_payouts",
            "Payouts to buyers",
            sum(payouts.values()),
            "ledger postings of kind payout",
        ),
        Figure(
            "fund_payouts_fen",
            "Paid to buyers",
            sum(payouts_fen.values()),
            "ledger postings of kind payout: their fund lines",
            unit="fen",
        ),
        Figure(
            "fund_recovered_from_deposits_fen",
            "Recovered from merchants' deposits",
            recoveries["deposits"],
            "ledger postings of kind recovery made from a deposit: their fund lines",
            unit="fen",
        ),
        Figure(
            "fund_recovered_from_settlements_fen",
            "Recovered from settlements",
            recoveries["settlements"],
            "ledger postings of kind recovery keyed settlement:…: their fund lines",
            unit="fen",
        ),
        Figure(
            "fund_balance_fen",
            "Protection fund balance",
            balances.get(FUND, 0),
            "ledger balance of account fund (= contributions − payouts + recoveries)",
            unit="fen",
        ),
        Figure(
            "receivables_outstanding_fen",
            "Owed to the fund by merchants",
            sum(receivables.values()),
            "ledger balances of receivable:* accounts",
            unit="fen",
        ),
        Figure(
            "merchants_owing",
            "Merchants owing the fund",
            len(receivables),
            "receivable:* accounts with a balance",
        ),
        Figure(
            "deposits_held_fen",
            "Merchants' deposits held",
            deposits_held,
            "ledger balances of deposit:* accounts",
            unit="fen",
        ),
        Figure(
            "claims_filed",
            "Claims filed",
            sum(int(count) for _, count in claims),
            "claims",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "payouts_by_kind",
            "Payouts by kind",
            dict(sorted(payouts.items())),
            "payout postings: claims by the claim's kind, compensation by guarantee",
        ),
        Breakdown(
            "payouts_fen_by_kind",
            "Paid by kind",
            dict(sorted(payouts_fen.items())),
            "payout postings' fund lines: claims by the claim's kind, compensation by guarantee",
            unit="fen",
        ),
        Breakdown(
            "claims_by_state",
            "Claims by state",
            {str(state): int(count) for state, count in sorted(claims)},
            "claims, grouped by state",
        ),
        Breakdown(
            "merchants_offering_by_month",
            "Merchants offering a guarantee, by month",
            merchants,
            "entitlements in force at any time of the month (+08:00), distinct merchant_id",
        ),
        Breakdown(
            "listings_covered_by_month",
            "Listings with a guarantee of their own, by month",
            listings,
            "listing entitlements in force at any time of the month, distinct listing_id",
        ),
        Breakdown(
            "orders_covered_by_month",
            "Orders paid under a guarantee, by month",
            orders_covered,
            "order_coverage rows paid in the month with any guarantee",
        ),
        Breakdown(
            "orders_covered_share_by_month",
            "Share of orders paid under a guarantee (‰, rounded down), by month",
            share,
            "order_coverage rows with any guarantee ÷ all order_coverage rows of the month",
            unit="‰",
        ),
    ]
    return section
