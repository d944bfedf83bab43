"""Claims and their postings as the API and the console read them."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.protect.ledger import Line, lines_of
from trustfair.store.models import ClaimRow, LedgerTransactionRow


def visible_claims(principal: Principal) -> Select[tuple[ClaimRow]]:
    """The claims ``principal`` may see: every one for staff, a party its own shops'."""
    query = select(ClaimRow)
    if not principal.sees_everything:
        own = sorted(p.id for p in principal.owns if p.type == "merchant")
        query = query.where(ClaimRow.merchant_id.in_(own))
    return query


def claim_postings(
    session: Session, claim_id: int
) -> list[tuple[LedgerTransactionRow, list[Line]]]:
    """The ledger postings made for a claim (its award and payout), oldest first."""
    rows = session.scalars(
        select(LedgerTransactionRow)
        .where(
            LedgerTransactionRow.ref_type == "claim", LedgerTransactionRow.ref_id == str(claim_id)
        )
        .order_by(LedgerTransactionRow.id)
    )
    return [(row, lines_of(session, row.id)) for row in rows]
