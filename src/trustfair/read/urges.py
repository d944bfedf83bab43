"""Urges as the API and the console show them: a merchant's own, newest first, each
with the orders it listed and what became of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.store.models import SHIPPED, OrderShippingRow, UrgeOrderRow, UrgeRow


def _shipments(session: Session, order_ids: list[str]) -> dict[str, datetime]:
    if not order_ids:
        return {}
    rows = session.execute(
        select(OrderShippingRow.order_id, func.min(OrderShippingRow.at))
        .where(OrderShippingRow.order_id.in_(order_ids), OrderShippingRow.kind == SHIPPED)
        .group_by(OrderShippingRow.order_id)
    )
    return {order_id: at for order_id, at in rows}


def urge_record(session: Session, row: UrgeRow) -> dict[str, Any]:
    """An urge with its orders (deadline, and when it shipped if it did)."""
    listed = list(
        session.scalars(
            select(UrgeOrderRow)
            .where(UrgeOrderRow.urge_id == row.id)
            .order_by(UrgeOrderRow.due_at, UrgeOrderRow.order_id)
        )
    )
    shipped = _shipments(session, [o.order_id for o in listed])
    return {
        "id": row.id,
        "merchant_id": row.merchant_id,
        "sent_at": row.sent_at,
        "first_due_at": row.first_due_at,
        "message": row.message,
        "rule": row.rule,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by,
        "orders": [
            {"order_id": o.order_id, "due_at": o.due_at, "shipped_at": shipped.get(o.order_id)}
            for o in listed
        ],
    }


def merchant_urges(
    session: Session, merchant_id: str | None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(how many, a page newest first) of ``merchant_id``'s urges (everyone's: None)."""
    query = select(UrgeRow)
    if merchant_id is not None:
        query = query.where(UrgeRow.merchant_id == merchant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(UrgeRow.sent_at.desc(), UrgeRow.id.desc()).limit(limit).offset(offset)
    )
    return int(total), [urge_record(session, row) for row in rows]
