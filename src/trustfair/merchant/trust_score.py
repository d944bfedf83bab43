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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from trustfair.brand.complaint_states import ComplaintState
from trustfair.enforce.sanctions import active_sanction_rows
from trustfair.events.fields import CHINA
from trustfair.events.payload import EntityRef
from trustfair.merchant.settlement_terms import Settlement
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
    TrustScoreRow,
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
    record = _record(session, merchant_id, since, at, up_to_seq)
    orders = record["orders"]
    days = f"the last {terms.window_days} days"
    components = (
        _violations(session, merchant_id, at, record, terms, days),
        _disputes(session, merchant_id, since, at, terms, record, up_to_seq),
        _fulfilment(session, merchant_id, since, at, terms, days, up_to_seq),
        _feedback(session, merchant_id, since, at, terms),
    )
    return _scored(merchant_id, at, orders, components, terms)


def _scored(
    merchant_id: str,
    at: datetime,
    orders: int,
    components: tuple[Component, ...],
    terms: Settlement,
) -> TrustScore:
    """The score its components make, and the sentence that explains it."""
    since = at - timedelta(days=terms.window_days)
    days = f"the last {terms.window_days} days"
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


def start_of_day(at: datetime) -> datetime:
    """Midnight (+08:00, the marketplace's day) of the day ``at`` falls in."""
    local = at.astimezone(CHINA)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def score_of_the_day(
    session: Session,
    merchant_id: str,
    at: datetime,
    terms: Settlement,
    up_to_seq: int | None = None,
) -> TrustScore:
    """The score a merchant's shipments of ``at``'s day are judged on: as of the day's
    start (+08:00), worked out at the day's first shipment and kept with its judgment
    (``merchant_trust_scores``), then read back for every later shipment of the day.

    Why once a day: the score reads the merchant's whole window (orders, shipments,
    complaints, feedback), and working it out again for every shipment made ingestion
    slower with every order in the log; a marketplace's own trust scores are daily too.
    A sanction that freezes settlements still counts at once (``early_settlement``)."""
    day = start_of_day(at)
    kept = session.scalars(
        select(TrustScoreRow)
        .where(TrustScoreRow.merchant_id == merchant_id, TrustScoreRow.at == day)
        .order_by(TrustScoreRow.id)
        .limit(1)
    ).first()
    weights = terms.weights.model_dump()
    if kept is not None and all(c["weight"] == weights[c["name"]] for c in kept.components):
        components = tuple(Component(**c) for c in kept.components)
        return _scored(merchant_id, day, kept.orders, components, terms)
    return trust_score(session, merchant_id, day, terms, up_to_seq)


def early_settlement(
    session: Session,
    merchant_id: str,
    at: datetime,
    terms: Settlement,
    up_to_seq: int | None = None,
    *,
    daily: bool = False,
) -> EarlySettlement:
    """Whether an order of ``merchant_id`` shipped at ``at`` is paid on shipment. With
    ``daily`` (the pipeline), on the score of the day (``score_of_the_day``); the
    sanctions that freeze settlements are read at ``at`` either way."""
    if daily:
        score = score_of_the_day(session, merchant_id, at, terms, up_to_seq)
        freezes = tuple(
            sorted(
                {
                    row.kind
                    for row in active_sanction_rows(session, EntityRef("merchant", merchant_id), at)
                    if row.kind in FREEZING_KINDS
                }
            )
        )
    else:
        score = trust_score(session, merchant_id, at, terms, up_to_seq)
        # The violations component read the restricting sanctions in force (freezes too).
        in_force = next(c for c in score.components if c.name == VIOLATIONS).figures
        freezes = tuple(k for k in in_force["sanctions_in_force"] if k in FREEZING_KINDS)
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


_EVERY_SEQ = 2**62
_M, _SINCE, _UNTIL, _SEQ = (bindparam(n) for n in ("merchant_id", "since", "until", "seq"))
_RECORD = select(
    select(func.count(func.distinct(OrderCoverageRow.order_id)))
    .where(
        OrderCoverageRow.merchant_id == _M,
        OrderCoverageRow.paid_at >= _SINCE,
        OrderCoverageRow.paid_at <= _UNTIL,
        OrderCoverageRow.event_seq <= _SEQ,
    )
    .scalar_subquery()
    .label("orders"),
    select(func.coalesce(func.sum(PointsEntryRow.points), 0))
    .where(
        PointsEntryRow.entity_type == "merchant",
        PointsEntryRow.entity_id == _M,
        PointsEntryRow.at >= _SINCE,
        PointsEntryRow.at <= _UNTIL,
    )
    .scalar_subquery()
    .label("points"),
    select(func.count(ClaimRow.id))
    .where(
        ClaimRow.merchant_id == _M,
        ClaimRow.state.in_((APPROVED, PAID)),
        ClaimRow.filed_at >= _SINCE,
        ClaimRow.filed_at <= _UNTIL,
    )
    .scalar_subquery()
    .label("claims"),
    select(func.count(ComplaintRow.id))
    .where(
        ComplaintRow.merchant_id == _M,
        ComplaintRow.state == ComplaintState.UPHELD.value,
        ComplaintRow.filed_at >= _SINCE,
        ComplaintRow.filed_at <= _UNTIL,
    )
    .scalar_subquery()
    .label("ip_complaints"),
)
"""The merchant's counts in the window in one round trip, built once: the pipeline asks
it for every shipment, and building a statement costs more than answering it."""


def _record(
    session: Session, merchant_id: str, since: datetime, until: datetime, up_to_seq: int | None
) -> dict[str, int]:
    row = session.execute(
        _RECORD,
        {
            "merchant_id": merchant_id,
            "since": since,
            "until": until,
            "seq": _EVERY_SEQ if up_to_seq is None else up_to_seq,
        },
    ).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def orders_paid(session: Session, merchant_id: str, since: datetime, until: datetime) -> int:
    """Distinct orders of the merchant paid in [since, until]."""
    return _record(session, merchant_id, since, until, None)["orders"]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "0.0 %"


def _violations(
    session: Session,
    merchant_id: str,
    at: datetime,
    record: dict[str, int],
    terms: Settlement,
    days: str,
) -> Component:
    points = max(record["points"], 0)
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
    record: dict[str, int],
    up_to_seq: int | None,
) -> Component:
    orders, claims, ip = record["orders"], record["claims"], record["ip_complaints"]
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
    shipped after it).

    Three indexed lookups and a count here, not one SQL statement: SQLite planned the
    statement with correlated subqueries at tens of milliseconds a merchant, which made
    early settlement the slowest part of ingestion."""
    seq = _EVERY_SEQ if up_to_seq is None else up_to_seq
    first: dict[str, datetime] = {}
    for order_id, at in session.execute(
        select(OrderShippingRow.order_id, OrderShippingRow.at).where(
            OrderShippingRow.merchant_id == merchant_id,
            OrderShippingRow.kind == SHIPPED,
            OrderShippingRow.at >= since,
            OrderShippingRow.at <= until,
            OrderShippingRow.event_seq <= seq,
        )
    ):
        if order_id not in first or at < first[order_id]:
            first[order_id] = at
    if not first:
        return 0, 0
    orders = sorted(first)
    # A re-scan in the window of an order first shipped before it is not a shipment of
    # the window.
    earlier = set(
        session.scalars(
            select(OrderShippingRow.order_id).where(
                OrderShippingRow.order_id.in_(orders),
                OrderShippingRow.kind == SHIPPED,
                OrderShippingRow.at < since,
                OrderShippingRow.event_seq <= seq,
            )
        )
    )
    due: dict[str, datetime] = {}
    for order_id, at in session.execute(
        select(OrderShippingRow.order_id, OrderShippingRow.at).where(
            OrderShippingRow.order_id.in_(orders),
            OrderShippingRow.kind == SHIPPING_DUE,
            OrderShippingRow.event_seq <= seq,
        )
    ):
        if order_id not in due or at < due[order_id]:
            due[order_id] = at
    judged = [o for o in orders if o not in earlier and o in due]
    return len(judged), sum(first[o] > due[o] for o in judged)


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
