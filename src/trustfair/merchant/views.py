"""What a merchant (or staff) is shown of its trust score and its advances: one reading
for the API, the console and the export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.merchant.advances import owed_back
from trustfair.merchant.settlement_terms import Settlement
from trustfair.merchant.trust_score import early_settlement
from trustfair.protect import accounts
from trustfair.protect.ledger import balance
from trustfair.store.models import AdvanceRow


def trust_view(
    session: Session, merchant_id: str, at: datetime, terms: Settlement
) -> dict[str, Any]:
    """The score at ``at`` with each component and its reason, the bar, and whether an
    order shipped now would be paid on shipment, and why (not)."""
    found = early_settlement(session, merchant_id, at, terms)
    return {
        **found.score.to_record(),
        "window_days": terms.window_days,
        "min_orders": terms.min_orders,
        "early_settlement": found.to_record(),
    }


def advance_record(row: AdvanceRow) -> dict[str, Any]:
    return {
        "order_id": row.order_id,
        "merchant_id": row.merchant_id,
        "amount_fen": row.amount_fen,
        "state": row.state,
        "score": row.score,
        "bar": row.bar,
        "advanced_at": row.advanced_at.isoformat(),
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "recovered_fen": row.recovered_fen,
        "advance_posting_id": row.advance_id,
        "close_posting_id": row.close_id,
        "decision_id": row.decision_id,
        "rule": row.rule,
    }


def advances_view(
    session: Session,
    merchant_id: str,
    *,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """The merchant's advances, newest first, with what is out and what is owed back."""
    query = select(AdvanceRow).where(AdvanceRow.merchant_id == merchant_id)
    if state is not None:
        query = query.where(AdvanceRow.state == state)
    rows = session.scalars(
        query.order_by(AdvanceRow.advanced_at.desc(), AdvanceRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return {
        "merchant_id": merchant_id,
        "outstanding_fen": balance(session, accounts.advance(merchant_id)),
        "owed_back_fen": owed_back(session, merchant_id),
        "advances": [advance_record(row) for row in rows],
    }
