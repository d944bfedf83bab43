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

from sqlalchemy import insert, or_, select
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
        # The batch's merchants' entitlements, read once: an order's cover is then found
        # in memory. An opt-in or opt-out in the batch writes its row and reads that
        # merchant's entitlements again (they are few; orders are many).
        offered = _entitlements_of(session, _merchants_of(events))
        covered: list[dict[str, object]] = []
        for event in events:
            payload: Any = event.envelope.payload
            if event.type in ("guarantee.opted_in", "guarantee.opted_out"):
                (_opt_in if event.type == "guarantee.opted_in" else _opt_out)(session, event)
                session.flush()
                offered.update(_entitlements_of(session, {payload.merchant_id}))
                continue
            covered.append(
                {
                    "order_id": payload.order_id,
                    "merchant_id": payload.merchant_id,
                    "listing_id": payload.listing_id,
                    "buyer_id": payload.buyer_id,
                    "amount_fen": payload.amount_fen,
                    "paid_at": event.occurred_at,
                    "guarantees": _in_force(
                        offered.get(payload.merchant_id, ()), payload.listing_id, event.occurred_at
                    ),
                    "event_seq": event.seq,
                }
            )
        if covered:
            session.execute(insert(OrderCoverageRow), covered)


def _merchants_of(events: Sequence[StoredEvent]) -> set[str]:
    return {e.envelope.payload.merchant_id for e in events}  # type: ignore[attr-defined]


def _entitlements_of(session: Session, merchants: set[str]) -> dict[str, list[EntitlementRow]]:
    """Each of ``merchants``' entitlements (every one on record), oldest first; a
    merchant with none is absent."""
    found: dict[str, list[EntitlementRow]] = {merchant: [] for merchant in merchants}
    if merchants:
        for row in session.scalars(
            select(EntitlementRow)
            .where(EntitlementRow.merchant_id.in_(sorted(merchants)))
            .order_by(EntitlementRow.event_seq)
        ):
            found[row.merchant_id].append(row)
    return found


def _in_force(
    rows: Sequence[EntitlementRow], listing_id: str, at: datetime
) -> dict[str, dict[str, Any]]:
    """{guarantee: terms} a merchant offers on ``listing_id`` (or its whole shop) at
    ``at``, from its rows in memory; a listing's own terms win over the shop's."""
    standing = [
        row
        for row in rows
        if row.listing_id in (None, listing_id)
        and row.starts_at <= at
        and (row.ends_at is None or row.ends_at > at)
    ]
    standing.sort(key=lambda row: (row.listing_id is not None, row.event_seq))
    return {row.guarantee: dict(row.terms) for row in standing}


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
