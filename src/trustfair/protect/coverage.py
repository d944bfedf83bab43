"""Which guarantees cover what: a merchant's opt-ins and opt-outs (``entitlements``),
and, for each order, the guarantees in force for its listing or shop when it was paid
(``order_coverage``). The report counts coverage from these; compensation and claims
read an order's cover from them.

A projector: runs on each batch before the detectors, in the batch's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings
from trustfair.store.models import EntitlementRow, OrderCoverageRow


@dataclass(frozen=True)
class OrderCover:
    order_id: str
    buyer_id: str
    merchant_id: str
    listing_id: str
    amount_fen: int
    paid_at: datetime
    guarantees: dict[str, dict[str, Any]]
    event_seq: int


def order_cover(session: Session, order_id: str, up_to_seq: int | None = None) -> OrderCover | None:
    """The order as paid (its latest payment up to ``up_to_seq``), with its cover."""
    query = select(OrderCoverageRow).where(OrderCoverageRow.order_id == order_id)
    if up_to_seq is not None:
        query = query.where(OrderCoverageRow.event_seq <= up_to_seq)
    row = session.scalars(query.order_by(OrderCoverageRow.event_seq.desc())).first()
    if row is None:
        return None
    return OrderCover(
        row.order_id,
        row.buyer_id,
        row.merchant_id,
        row.listing_id,
        row.amount_fen,
        row.paid_at,
        dict(row.guarantees),
        row.event_seq,
    )


def guarantees_in_force(
    session: Session, merchant_id: str, listing_id: str, at: datetime
) -> dict[str, dict[str, Any]]:
    """{guarantee: terms} the merchant offers on ``listing_id`` (or its whole shop) at
    ``at``; a listing's own terms win over the shop's."""
    rows = session.scalars(
        select(EntitlementRow)
        .where(
            EntitlementRow.merchant_id == merchant_id,
            or_(EntitlementRow.listing_id.is_(None), EntitlementRow.listing_id == listing_id),
            EntitlementRow.starts_at <= at,
            or_(EntitlementRow.ends_at.is_(None), EntitlementRow.ends_at > at),
        )
        .order_by(EntitlementRow.listing_id.is_not(None), EntitlementRow.event_seq)
    )
    return {row.guarantee: dict(row.terms) for row in rows}


def entitlements_in_force(session: Session, merchant_id: str, at: datetime) -> list[dict[str, Any]]:
    """The merchant's guarantees in force at ``at``: shop-wide first, then by listing."""
    rows = session.scalars(
        select(EntitlementRow)
        .where(
            EntitlementRow.merchant_id == merchant_id,
            EntitlementRow.starts_at <= at,
            or_(EntitlementRow.ends_at.is_(None), EntitlementRow.ends_at > at),
        )
        .order_by(
            EntitlementRow.listing_id.is_not(None),
            EntitlementRow.listing_id,
            EntitlementRow.guarantee,
        )
    )
    return [
        {
            "guarantee": row.guarantee,
            "listing_id": row.listing_id,
            "terms": dict(row.terms),
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
        }
        for row in rows
    ]


@dataclass(frozen=True)
class CoverageProjector:
    name: str = "coverage"
    event_types: frozenset[str] = frozenset(
        {"guarantee.opted_in", "guarantee.opted_out", "order.paid"}
    )

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        offering = _merchants_offering(session, events)
        for event in events:
            payload = event.envelope.payload
            if event.type == "guarantee.opted_in":
                _opt_in(session, event)
                offering.add(payload.merchant_id)  # type: ignore[attr-defined]
            elif event.type == "guarantee.opted_out":
                _opt_out(session, event)
            else:
                merchant_id = payload.merchant_id  # type: ignore[attr-defined]
                guarantees = (
                    guarantees_in_force(
                        session,
                        merchant_id,
                        payload.listing_id,  # type: ignore[attr-defined]
                        event.occurred_at,
                    )
                    if merchant_id in offering
                    else {}
                )
                session.add(
                    OrderCoverageRow(
                        order_id=payload.order_id,  # type: ignore[attr-defined]
                        merchant_id=merchant_id,
                        listing_id=payload.listing_id,  # type: ignore[attr-defined]
                        buyer_id=payload.buyer_id,  # type: ignore[attr-defined]
                        amount_fen=payload.amount_fen,  # type: ignore[attr-defined]
                        paid_at=event.occurred_at,
                        guarantees=guarantees,
                        event_seq=event.seq,
                    )
                )
        session.flush()


def _merchants_offering(session: Session, events: Sequence[StoredEvent]) -> set[str]:
    """Merchants of the batch's orders with any guarantee on record: the rest are
    covered by nothing, and need no query each."""
    merchants = {
        e.envelope.payload.merchant_id  # type: ignore[attr-defined]
        for e in events
        if e.type == "order.paid"
    }
    if not merchants:
        return set()
    return set(
        session.scalars(
            select(EntitlementRow.merchant_id)
            .where(EntitlementRow.merchant_id.in_(sorted(merchants)))
            .distinct()
        )
    )


def _opt_in(session: Session, event: StoredEvent) -> None:
    payload = event.envelope.payload
    _opt_out(session, event)  # a new opt-in replaces the terms in force
    terms = {"n": payload.n} if payload.n is not None else {}  # type: ignore[attr-defined]
    session.add(
        EntitlementRow(
            merchant_id=payload.merchant_id,  # type: ignore[attr-defined]
            listing_id=payload.listing_id,  # type: ignore[attr-defined]
            guarantee=payload.guarantee,  # type: ignore[attr-defined]
            terms=terms,
            starts_at=event.occurred_at,
            ends_at=None,
            event_seq=event.seq,
        )
    )
    session.flush()


def _opt_out(session: Session, event: StoredEvent) -> None:
    payload = event.envelope.payload
    listing_id = payload.listing_id  # type: ignore[attr-defined]
    open_rows = session.scalars(
        select(EntitlementRow).where(
            EntitlementRow.merchant_id == payload.merchant_id,  # type: ignore[attr-defined]
            EntitlementRow.guarantee == payload.guarantee,  # type: ignore[attr-defined]
            EntitlementRow.listing_id.is_(None)
            if listing_id is None
            else EntitlementRow.listing_id == listing_id,
            EntitlementRow.ends_at.is_(None),
        )
    )
    for row in open_rows:
        row.ends_at, row.ended_seq = max(event.occurred_at, row.starts_at), event.seq


@register_projector("coverage")
def make_projector(settings: Settings) -> CoverageProjector:
    return CoverageProjector()
