"""The trust report's fulfilment section: orders paid and their shipping deadlines,
the merchants urged before they missed them and what they did, the deadlines missed
and the late-shipment compensation paid for them, and what was recovered from the
merchants who bore it. All read from stored records (``order_shipping``,
``fulfilment_urges`` and their orders, ``fulfilment_misses``, the money ledger;
``trustfair export urges`` gives the urges row by row).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.merchant.terms import FulfilmentTerms, default_terms
from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import (
    SHIPPED,
    SHIPPING_CLOSED,
    SHIPPING_DUE,
    EventRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    MissedDeadlineRow,
    OrderShippingRow,
    UrgeOrderRow,
    UrgeRow,
)

LATE_AWARD_KEY = "order:%:late_shipment:award"


def _first(session: Session, kind: str) -> dict[str, datetime]:
    rows = session.execute(
        select(OrderShippingRow.order_id, func.min(OrderShippingRow.at))
        .where(OrderShippingRow.kind == kind)
        .group_by(OrderShippingRow.order_id)
    )
    return {order_id: at for order_id, at in rows}


def late_shipment_recovered(session: Session) -> tuple[int, int]:
    """(fen of late-shipment compensation borne by merchants, fen recovered from them
    for it). A merchant's recoveries are not earmarked for one debt: they are taken to
    repay its debts oldest first (first in, first out), as far as they go."""
    lines = session.execute(
        select(
            LedgerEntryRow.account,
            LedgerEntryRow.amount_fen,
            LedgerTransactionRow.kind,
            LedgerTransactionRow.key.like(LATE_AWARD_KEY),
        )
        .join(LedgerTransactionRow, LedgerTransactionRow.id == LedgerEntryRow.transaction_id)
        .where(LedgerEntryRow.account.like("receivable:%"))
        .order_by(LedgerTransactionRow.id)
    )
    debts: defaultdict[str, list[tuple[int, bool]]] = defaultdict(list)
    repaid: defaultdict[str, int] = defaultdict(int)
    for account, fen, kind, late in lines:
        if fen > 0:
            debts[account].append((int(fen), bool(late)))
        elif kind == "recovery":
            repaid[account] += -int(fen)
    borne = recovered = 0
    for account, owed in debts.items():
        left = repaid[account]
        for fen, late in owed:
            covered = min(fen, left)
            left -= covered
            if late:
                borne += fen
                recovered += covered
    return borne, recovered


def fulfilment_section(session: Session, terms: FulfilmentTerms | None = None) -> Section:
    terms = terms or default_terms()
    due = _first(session, SHIPPING_DUE)
    shipped = _first(session, SHIPPED)
    closed = _first(session, SHIPPING_CLOSED)  # refunded: cancelled if before shipping
    last_event = session.scalar(select(func.max(EventRow.occurred_at)))
    at_risk = sum(
        last_event is not None
        and deadline - terms.horizon <= last_event
        and (order_id not in shipped or shipped[order_id] > deadline - terms.horizon)
        # refunded by the deadline: cancelled, nothing was owed in the end
        and (order_id not in closed or closed[order_id] > deadline)
        for order_id, deadline in due.items()
    )
    first_urged: dict[str, tuple[datetime, datetime]] = {}
    for order_id, sent_at, due_at in session.execute(
        select(UrgeOrderRow.order_id, UrgeRow.sent_at, UrgeOrderRow.due_at)
        .join(UrgeRow, UrgeRow.id == UrgeOrderRow.urge_id)
        .order_by(UrgeRow.sent_at)
    ):
        first_urged.setdefault(order_id, (sent_at, due_at))
    after = defaultdict(int)
    for order_id, (sent_at, due_at) in first_urged.items():
        at = shipped.get(order_id)
        if at is None or at <= sent_at:
            after["not shipped after it"] += 1
        else:
            after["in time" if at <= due_at else "late"] += 1
    urges, merchants, acknowledged = session.execute(
        select(
            func.count(),
            func.count(func.distinct(UrgeRow.merchant_id)),
            func.count(UrgeRow.acknowledged_at),
        )
    ).one()
    misses = int(session.scalar(select(func.count()).select_from(MissedDeadlineRow)) or 0)
    awards = session.execute(
        select(LedgerTransactionRow.rule, func.count(), func.sum(-LedgerEntryRow.amount_fen))
        .join(LedgerEntryRow, LedgerEntryRow.transaction_id == LedgerTransactionRow.id)
        .where(
            LedgerTransactionRow.key.like(LATE_AWARD_KEY),
            LedgerEntryRow.account.like("payable:%"),
        )
        .group_by(LedgerTransactionRow.rule)
    ).all()
    by_rule = {str(rule): int(count) for rule, count, _ in awards}
    borne, recovered = late_shipment_recovered(session)

    section = Section("fulfilment", "Fulfilment")
    section.figures = [
        Figure(
            "orders_paid",
            "Orders paid (with a shipping deadline)",
            len(due),
            "order_shipping: distinct orders with a deadline",
        ),
        Figure(
            "orders_at_risk",
            f"Orders at risk (not shipped {terms.horizon_hours} h before the deadline)",
            at_risk,
            "order_shipping: deadlines reached by the last event's time, neither shipped "
            "by the horizon before them, nor refunded (cancelled) by them",
        ),
        Figure(
            "orders_urged",
            "Orders urged",
            len(first_urged),
            "fulfilment_urge_orders: distinct orders",
        ),
        Figure("urges_sent", "Urges sent", int(urges), "fulfilment_urges"),
        Figure(
            "merchants_urged",
            "Merchants urged",
            int(merchants),
            "fulfilment_urges: distinct merchants",
        ),
        Figure(
            "urges_acknowledged",
            "Urges acknowledged",
            int(acknowledged),
            "fulfilment_urges with acknowledged_at",
        ),
        Figure(
            "shipped_after_urge_in_time",
            "Urged orders shipped after the urge, by the deadline",
            after["in time"],
            "urged orders (their first urge): first shipment after it, by the deadline",
        ),
        Figure(
            "shipped_after_urge_late",
            "Urged orders shipped after the urge, after the deadline",
            after["late"],
            "urged orders (their first urge): first shipment after the deadline",
        ),
        Figure("deadlines_missed", "Shipping deadlines missed", misses, "fulfilment_misses"),
        Figure(
            "late_shipment_compensated_orders",
            "Orders compensated for late shipment",
            sum(int(count) for _, count, _ in awards),
            "ledger awards keyed order:…:late_shipment (one per order)",
        ),
        Figure(
            "late_shipment_compensation_fen",
            "Late-shipment compensation awarded",
            sum(int(fen or 0) for _, _, fen in awards),
            "ledger awards keyed order:…:late_shipment: their payable lines",
            "fen",
        ),
        Figure(
            "late_shipment_borne_by_merchants_fen",
            "Late-shipment compensation borne by merchants",
            borne,
            "those awards' receivable lines",
            "fen",
        ),
        Figure(
            "late_shipment_recovered_fen",
            "Recovered from merchants for it",
            recovered,
            "per merchant: its recovery postings (deposits, settlements kept back) taken "
            "to repay its debts to the fund oldest first; the part that repaid "
            "late-shipment awards",
            "fen",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "late_shipment_awards_by_rule",
            "Late-shipment compensation by the rule that paid it",
            dict(sorted(by_rule.items())),
            "ledger awards keyed order:…:late_shipment, grouped by rule",
        ),
        Breakdown(
            "urged_orders_by_outcome",
            "Urged orders by what followed",
            dict(sorted(after.items())),
            "urged orders (their first urge) and their first shipment",
        ),
    ]
    return section
