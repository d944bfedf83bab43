"""Each order's shipping deadline and the moment it shipped, under its merchant.

The late-shipment detector asks "of this merchant's orders shipped in the last 30
days, how many shipped after their deadline"; reading that from the events' JSON
would scan every order. An order paid without a ``ship_by`` is due within the
default promise (``TRUSTFAIR_SHIP_WITHIN_HOURS``, 48). A refund closes the order
(kind ``closed`` at the refund's time): refunded before it shipped, it was cancelled,
and the fulfilment watcher no longer urges or compensates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings
from trustfair.store.models import SHIPPED, SHIPPING_CLOSED, SHIPPING_DUE, OrderShippingRow


@dataclass(frozen=True)
class OrderShippingProjector:
    ship_within: timedelta = timedelta(hours=48)
    name: str = "order_shipping"
    event_types: frozenset[str] = frozenset({"order.paid", "order.shipped", "order.refunded"})

    def row(self, event: StoredEvent) -> dict[str, object]:
        payload = event.envelope.payload
        if event.type == "order.paid":
            ship_by = getattr(payload, "ship_by", None)
            kind, at = SHIPPING_DUE, ship_by or event.occurred_at + self.ship_within
        elif event.type == "order.refunded":
            kind, at = SHIPPING_CLOSED, event.occurred_at
        else:
            kind, at = SHIPPED, event.occurred_at
        return {
            "order_id": payload.order_id,  # type: ignore[attr-defined]
            "merchant_id": payload.merchant_id,  # type: ignore[attr-defined]
            "kind": kind,
            "at": at,
            "event_seq": event.seq,
        }

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        session.execute(insert(OrderShippingRow), [self.row(event) for event in events])


@register_projector("order_shipping")
def make_projector(settings: Settings) -> OrderShippingProjector:
    return OrderShippingProjector(ship_within=settings.ship_within)
