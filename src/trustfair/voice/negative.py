"""A merchant's or streamer's negative-experience rate: negative signals per order.

``negative_rate`` is the one definition; the peer comparison, the band and the
enforcement it feeds build on it, and the merchant trust score reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.store.models import SHIPPING_DUE, EventRow, OrderShippingRow


@dataclass(frozen=True)
class NegativeRate:
    """``negatives`` negative signals against ``exposures`` orders in a window."""

    negatives: int
    exposures: int

    @property
    def rate(self) -> float | None:
        """Negatives per order; None with no orders to judge by."""
        return self.negatives / self.exposures if self.exposures else None


def negative_rate(
    session: Session, entity: EntityRef, since: datetime, until: datetime
) -> NegativeRate:
    """``entity``'s negative feedback (``feedback.negative`` aimed at it) per order paid
    in [since, until]. A first version: only feedback aimed at the merchant itself, and
    orders counted by their shipping deadlines (one per payment)."""
    negatives = session.scalar(
        select(func.count())
        .select_from(EventRow)
        .where(
            EventRow.subject_type == entity.type,
            EventRow.subject_id == entity.id,
            EventRow.type == "feedback.negative",
            EventRow.occurred_at >= since,
            EventRow.occurred_at <= until,
        )
    )
    exposures = 0
    if entity.type == "merchant":
        exposures = session.scalar(
            select(func.count(func.distinct(OrderShippingRow.order_id))).where(
                OrderShippingRow.merchant_id == entity.id,
                OrderShippingRow.kind == SHIPPING_DUE,
                OrderShippingRow.at >= since,
                OrderShippingRow.at <= until,
            )
        )
    return NegativeRate(int(negatives or 0), int(exposures or 0))
