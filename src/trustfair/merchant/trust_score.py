"""A merchant's trust score at a moment: 0–100 from four components read over the window
before it, each with its sub-score and the reason a merchant can check.

- **violations**: net penalty points awarded in the window (each costs
  ``points_cost``); a restricting sanction in force (traffic limit, live suspension,
  settlement freeze, ban) makes it 0.
- **disputes**: approved or paid claims on the protection fund, upheld IP complaints
  and buyer complaints (``complaint.filed`` by a buyer against the merchant), filed in
  the window, per order paid in the window.
- **fulfilment**: the share of the orders shipped in the window that shipped after
  their deadline (the ``order_shipping`` projection: each order's first shipment
  against its first deadline; an order whose payment has not arrived is left out).
- **feedback**: ``voice.negative.negative_rate`` over the window.

Every figure is read from stored records with ``at`` as the end of the window, so the
score of a moment can be asked again and explained. A merchant with fewer than
``min_orders`` orders paid in the window has no score: too little to go on, and so not
trusted by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.brand.complaint_states import ComplaintState
from trustfair.enforce.sanctions import active_sanction_rows
from trustfair.events.payload import EntityRef
from trustfair.merchant.terms import Settlement
from trustfair.policy.schema import RESTRICTING_KINDS
from trustfair.protect.claim_states import APPROVED, PAID
from trustfair.store.models import (
    SHIPPED,
    SHIPPING_DUE,
    ClaimRow,
    ComplaintRow,
    EventRow,
    OrderCoverageRow,
    OrderShippingRow,
    PointsEntryRow,
)
from trustfair.voice.negative import negative_rate

VIOLATIONS, DISPUTES, FULFILMENT, FEEDBACK = "violations", "disputes", "fulfilment", "feedback"
COMPONENTS = (VIOLATIONS, DISPUTES, FULFILMENT, FEEDBACK)
FREEZING_KINDS = frozenset({"settlement_freeze", "ban"})
"""Sanctions under which a merchant is paid nothing early, whatever its score."""


@dataclass(frozen=True)
class Component:
    name: str
    sub_score: int
    """0–100."""
    weight: int
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sub_score": self.sub_score,
            "weight": self.weight,
            "reason": self.reason,
            "figures": self.figures,
        }


@dataclass(frozen=True)
class TrustScore:
    merchant_id: str
    at: datetime
    since: datetime
    orders: int
    score: int | None
    """None: too few orders to judge by (``reason`` says so)."""
    bar: int
    components: tuple[Component, ...]
    reason: str

    @property
    def clears_bar(self) -> bool:
        return self.score is not None and self.score >= self.bar

    def to_record(self) -> dict[str, Any]:
        return {
            "merchant_id": self.merchant_id,
            "at": self.at.isoformat(),
            "since": self.since.isoformat(),
            "orders": self.orders,
            "score": self.score,
            "bar": self.bar,
            "clears_bar": self.clears_bar,
            "reason": self.reason,
            "components": [c.to_record() for c in self.components],
        }


@dataclass(frozen=True)
class EarlySettlement:
    """Whether the merchant is paid on shipment at ``score.at``, and why (not)."""

    on: bool
    why: str
    score: TrustScore
    freezes: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return {"on": self.on, "why": self.why, "freezes": list(self.freezes)}


def trust_score(
    session: Session,
    merchant_id: str,
    at: datetime,
    terms: Settlement,
    up_to_seq: int | None = None,
) -> TrustScore:
    """``merchant_id``'s score at ``at`` under ``terms``. The pipeline passes
    ``up_to_seq`` (the event being judged): orders, shipments and complaints that reach
    the log after it are left out, even within its batch, so the score does not depend
    on how the input was cut into batches."""
    since = at - timedelta(days=terms.window_days)
    orders = orders_paid(session, merchant_id, since, at, up_to_seq)
    days = f"the last {terms.window_days} days"
    components = (
        _violations(session, merchant_id, since, at, terms, days),
        _disputes(session, merchant_id, since, at, terms, orders, up_to_seq),
        _fulfilment(session, merchant_id, since, at, terms, days, up_to_seq),
        _feedback(session, merchant_id, since, at, terms),
    )
    if orders < terms.min_orders:
        return TrustScore(
            merchant_id,
            at,
            since,
            orders,
            None,
            terms.bar,
            components,
            f"{orders} orders paid in {days}; a score needs at least {terms.min_orders}",
        )
    score = round(sum(c.sub_score * c.weight for c in components) / 100)
    verdict = "clears" if score >= terms.bar else "is under"
    return TrustScore(
        merchant_id,
        at,
        since,
        orders,
        score,
        terms.bar,
        components,
        f"score {score} {verdict} the bar of {terms.bar}, from {orders} orders in {days}",
    )


def early_settlement(
    session: Session,
    merchant_id: str,
    at: datetime,
    terms: Settlement,
    up_to_seq: int | None = None,
) -> EarlySettlement:
    """Whether an order of ``merchant_id`` shipped at ``at`` is paid on shipment."""
    score = trust_score(session, merchant_id, at, terms, up_to_seq)
    freezes = tuple(
        sorted(
            {
                row.kind
                for row in active_sanction_rows(session, EntityRef("merchant", merchant_id), at)
                if row.kind in FREEZING_KINDS
            }
        )
    )
    if not terms.early_settlement:
        return EarlySettlement(False, "early settlement is off in the policy", score, freezes)
    if freezes:
        return EarlySettlement(
            False, f"a {', '.join(freezes)} sanction is in force", score, freezes
        )
    if score.score is None:
        return EarlySettlement(False, f"no score yet: {score.reason}", score)
    if not score.clears_bar:
        return EarlySettlement(False, score.reason, score)
    return EarlySettlement(True, score.reason, score)


def sub_score(value: float, zero_at: float) -> int:
    """100 for nothing, falling linearly to 0 at ``zero_at`` and staying there."""
    return round(100 * max(0.0, 1.0 - value / zero_at))


def orders_paid(
    session: Session,
    merchant_id: str,
    since: datetime,
    until: datetime,
    up_to_seq: int | None = None,
) -> int:
    """Distinct orders of the merchant paid in [since, until]."""
    query = select(func.count(func.distinct(OrderCoverageRow.order_id))).where(
        OrderCoverageRow.merchant_id == merchant_id,
        OrderCoverageRow.paid_at >= since,
        OrderCoverageRow.paid_at <= until,
    )
    if up_to_seq is not None:
        query = query.where(OrderCoverageRow.event_seq <= up_to_seq)
    return int(session.scalar(query) or 0)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "0.0 %"


def _violations(
    session: Session, merchant_id: str, since: datetime, at: datetime, terms: Settlement, days: str
) -> Component:
    points = int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntryRow.points), 0)).where(
                PointsEntryRow.entity_type == "merchant",
                PointsEntryRow.entity_id == merchant_id,
                PointsEntryRow.at >= since,
                PointsEntryRow.at <= at,
            )
        )
        or 0
    )
    points = max(points, 0)
    restricting = sorted(
        {
            row.kind
            for row in active_sanction_rows(session, EntityRef("merchant", merchant_id), at)
            if row.kind in RESTRICTING_KINDS
        }
    )
    figures = {"net_points": points, "sanctions_in_force": restricting}
    weight = terms.weights.violations
    if restricting:
        reason = f"a {', '.join(restricting)} sanction is in force"
        return Component(VIOLATIONS, 0, weight, reason, figures)
    score = max(0, 100 - terms.points_cost * points)
    reason = f"{points} net penalty points in {days}" if points else f"no penalty points in {days}"
    return Component(VIOLATIONS, score, weight, reason, figures)


def _disputes(
    session: Session,
    merchant_id: str,
    since: datetime,
    at: datetime,
    terms: Settlement,
    orders: int,
    up_to_seq: int | None,
) -> Component:
    claims = _count(
        session,
        select(func.count()).where(
            ClaimRow.merchant_id == merchant_id,
            ClaimRow.state.in_((APPROVED, PAID)),
            ClaimRow.filed_at >= since,
            ClaimRow.filed_at <= at,
        ),
    )
    ip = _count(
        session,
        select(func.count()).where(
            ComplaintRow.merchant_id == merchant_id,
            ComplaintRow.state == ComplaintState.UPHELD.value,
            ComplaintRow.filed_at >= since,
            ComplaintRow.filed_at <= at,
        ),
    )
    buyer = buyer_complaints(session, merchant_id, since, at, up_to_seq)
    disputes = claims + ip + buyer
    rate = disputes / orders if orders else 0.0
    figures = {
        "approved_claims": claims,
        "upheld_ip_complaints": ip,
        "buyer_complaints": buyer,
        "disputes": disputes,
        "orders": orders,
    }
    reason = (
        f"{disputes} disputes on {orders} orders ({_percent(disputes, orders)}): "
        f"{claims} approved claims, {ip} upheld IP complaints, {buyer} buyer complaints"
    )
    return Component(
        DISPUTES, sub_score(rate, terms.disputes_zero_at), terms.weights.disputes, reason, figures
    )


def buyer_complaints(
    session: Session,
    merchant_id: str,
    since: datetime,
    until: datetime,
    up_to_seq: int | None = None,
) -> int:
    """``complaint.filed`` events by a buyer against the merchant in [since, until]."""
    query = select(EventRow.payload).where(
        EventRow.type == "complaint.filed",
        EventRow.occurred_at >= since,
        EventRow.occurred_at <= until,
    )
    if up_to_seq is not None:
        query = query.where(EventRow.seq <= up_to_seq)
    payloads: Iterable[dict[str, Any]] = session.scalars(query)
    return sum(
        1
        for p in payloads
        if p.get("complainant_type") == "buyer"
        and p.get("target", {}).get("type") == "merchant"
        and p.get("target", {}).get("id") == merchant_id
    )


def _fulfilment(
    session: Session,
    merchant_id: str,
    since: datetime,
    at: datetime,
    terms: Settlement,
    days: str,
    up_to_seq: int | None,
) -> Component:
    shipped, late = late_shipments(session, merchant_id, since, at, up_to_seq)
    share = late / shipped if shipped else 0.0
    reason = (
        f"{late} of {shipped} orders shipped in {days} shipped late ({_percent(late, shipped)})"
    )
    return Component(
        FULFILMENT,
        sub_score(share, terms.late_zero_at),
        terms.weights.fulfilment,
        reason,
        {"shipped": shipped, "late": late},
    )


def late_shipments(
    session: Session,
    merchant_id: str,
    since: datetime,
    until: datetime,
    up_to_seq: int | None = None,
) -> tuple[int, int]:
    """(orders first shipped in [since, until] whose deadline is known, those of them
    shipped after it)."""
    known = [OrderShippingRow.merchant_id == merchant_id]
    if up_to_seq is not None:
        known.append(OrderShippingRow.event_seq <= up_to_seq)
    first_shipped = dict(
        session.execute(
            select(OrderShippingRow.order_id, func.min(OrderShippingRow.at))
            .where(*known, OrderShippingRow.kind == SHIPPED, OrderShippingRow.at <= until)
            .group_by(OrderShippingRow.order_id)
        ).all()
    )
    due = dict(
        session.execute(
            select(OrderShippingRow.order_id, func.min(OrderShippingRow.at))
            .where(*known, OrderShippingRow.kind == SHIPPING_DUE)
            .group_by(OrderShippingRow.order_id)
        ).all()
    )
    shipped = late = 0
    for order_id, at in first_shipped.items():
        deadline = due.get(order_id)
        if deadline is None or not since <= _aware(at) <= until:
            continue
        shipped += 1
        late += _aware(at) > _aware(deadline)
    return shipped, late


def _feedback(
    session: Session, merchant_id: str, since: datetime, at: datetime, terms: Settlement
) -> Component:
    found = negative_rate(session, EntityRef("merchant", merchant_id), since, at)
    rate = found.rate or 0.0
    reason = (
        f"{found.negatives} negative feedback on {found.exposures} orders "
        f"({_percent(found.negatives, found.exposures)})"
    )
    return Component(
        FEEDBACK,
        sub_score(rate, terms.negative_zero_at),
        terms.weights.feedback,
        reason,
        {"negatives": found.negatives, "exposures": found.exposures},
    )


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement) or 0)


def _aware(value: datetime) -> datetime:
    # func.min over a UTC column skips the column type: SQLite hands back naive text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
