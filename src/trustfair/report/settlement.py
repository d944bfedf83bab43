"""The trust report's early-settlement section: which merchants were scored and cleared
the bar, how many orders were paid on shipment and for how much, what came back on
refunds, what was settled and what is still out, and how the scores spread — read from
``merchant_trust_scores`` (the score each shipment was judged on), ``settlement_advances``
and the ledger (``trustfair export trust_scores`` and ``export advances`` give the rows).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.merchant.advance_states import ADVANCED, REFUNDED, REPAID, SETTLED
from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import AdvanceRow, LedgerBalanceRow, TrustScoreRow

BANDS = ((90, "90-100"), (80, "80-89"), (70, "70-79"), (60, "60-69"), (0, "0-59"))


def score_band(score: int | None) -> str:
    """The band a score falls in; "no score" for a merchant with too few orders."""
    if score is None:
        return "no score"
    return next(name for floor, name in BANDS if score >= floor)


def _advances(session: Session, *states: str) -> tuple[int, int]:
    count, fen = session.execute(
        select(func.count(), func.coalesce(func.sum(AdvanceRow.amount_fen), 0)).where(
            AdvanceRow.state.in_(states)
        )
    ).one()
    return int(count), int(fen)


def _accounts_total(session: Session, kind: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerBalanceRow.balance_fen), 0)).where(
            LedgerBalanceRow.account.like(f"{kind}:%")
        )
    )
    return int(total or 0)


def settlement_section(session: Session) -> Section:
    section = Section("settlement", "Early settlement")
    latest: dict[str, TrustScoreRow] = {}
    outcomes: dict[str, int] = {}
    for row in session.scalars(select(TrustScoreRow).order_by(TrustScoreRow.at, TrustScoreRow.id)):
        latest[row.merchant_id] = row
        outcome = (
            "paid on shipment"
            if row.early_settlement
            else "no score yet"
            if row.score is None
            else "under the bar"
            if row.score < row.bar
            else "frozen or switched off"
        )
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    scored = [row for row in latest.values() if row.score is not None]
    advanced = _advances(session, ADVANCED, SETTLED, REFUNDED, REPAID)
    settled = _advances(session, SETTLED)
    reversed_ = _advances(session, REFUNDED, REPAID)
    recovered = session.scalar(select(func.coalesce(func.sum(AdvanceRow.recovered_fen), 0)))
    section.figures = [
        Figure(
            "merchants_scored",
            "Merchants scored (enough orders in the window)",
            len(scored),
            "merchant_trust_scores: distinct merchants whose latest score is not null",
        ),
        Figure(
            "merchants_over_bar",
            "Merchants whose latest score cleared the bar",
            sum(row.score >= row.bar for row in scored),
            "merchant_trust_scores: latest row per merchant with score ≥ bar",
        ),
        Figure(
            "shipments_judged",
            "Shipments judged for early settlement",
            sum(outcomes.values()),
            "merchant_trust_scores",
        ),
        Figure(
            "orders_advanced",
            "Orders paid on shipment",
            advanced[0],
            "settlement_advances",
        ),
        Figure(
            "fen_advanced",
            "Paid on shipment",
            advanced[1],
            "settlement_advances: sum of amount_fen",
            unit="fen",
        ),
        Figure(
            "orders_settled",
            "Advances settled on confirmation",
            settled[0],
            "settlement_advances in state settled",
        ),
        Figure(
            "fen_settled",
            "Settled on confirmation",
            settled[1],
            "settlement_advances in state settled: sum of amount_fen",
            unit="fen",
        ),
        Figure(
            "orders_reversed",
            "Advances reversed on a refund before confirmation",
            reversed_[0],
            "settlement_advances in state refunded or repaid",
        ),
        Figure(
            "fen_reversed",
            "Reversed on refund",
            reversed_[1],
            "settlement_advances in state refunded or repaid: sum of amount_fen",
            unit="fen",
        ),
        Figure(
            "fen_given_back",
            "Given back by merchants (deposit, later advances)",
            int(recovered or 0),
            "settlement_advances: sum of recovered_fen",
            unit="fen",
        ),
        Figure(
            "fen_outstanding",
            "Paid on shipment, not yet confirmed",
            _accounts_total(session, "advance"),
            "ledger balances of advance:* accounts",
            unit="fen",
        ),
        Figure(
            "fen_owed_back",
            "Owed back by merchants after refunds",
            _accounts_total(session, "advance_owed"),
            "ledger balances of advance_owed:* accounts",
            unit="fen",
        ),
    ]
    bands: dict[str, int] = {name: 0 for _, name in reversed(BANDS)}
    bands["no score"] = 0
    for row in latest.values():
        bands[score_band(row.score)] += 1
    section.breakdowns = [
        Breakdown(
            "score_distribution",
            "Merchants by latest trust score",
            bands,
            "merchant_trust_scores: latest row per merchant, by score band",
        ),
        Breakdown(
            "shipments_by_outcome",
            "Shipments judged, by outcome",
            dict(sorted(outcomes.items())),
            "merchant_trust_scores: early_settlement, score and bar",
        ),
    ]
    return section
