"""Every listing's price history in one table: the prices it was offered at (published,
price changed) and the unit prices buyers paid (order.paid, whose subject is the order).

The price detectors ask "the lowest price paid for this listing in the 7 days before
this event"; reading that from the events' JSON would scan every order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings
from trustfair.store.models import LIST_PRICE, TRANSACTION_PRICE, ListingPriceRow

KIND_OF_EVENT = {
    "listing.published": (LIST_PRICE, "price_fen"),
    "listing.price_changed": (LIST_PRICE, "price_fen"),
    "order.paid": (TRANSACTION_PRICE, "unit_price_fen"),
}


def price_row(event: StoredEvent) -> dict[str, object]:
    kind, field = KIND_OF_EVENT[event.type]
    payload = event.envelope.payload
    return {
        "listing_id": payload.listing_id,  # type: ignore[attr-defined]
        "kind": kind,
        "at": event.occurred_at,
        "price_fen": getattr(payload, field),
        "event_seq": event.seq,
    }


@dataclass(frozen=True)
class ListingPriceProjector:
    name: str = "listing_prices"
    event_types: frozenset[str] = frozenset(KIND_OF_EVENT)

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        session.execute(insert(ListingPriceRow), [price_row(event) for event in events])


@register_projector("listing_prices")
def make_projector(_: Settings) -> ListingPriceProjector:
    return ListingPriceProjector()
