"""The read-only view of the store that detectors and policies are given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import PricePoint
from trustfair.store.models import EventRow, ListingPriceRow


class StoreContext:
    """Answers questions inside the batch's transaction, so it sees the batch too."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def events_between(
        self, subject: EntityRef, event_type: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[tuple[datetime, dict[str, Any]]]:
        return [
            (at, payload)
            for at, payload in self._session.execute(
                select(EventRow.occurred_at, EventRow.payload).where(
                    EventRow.subject_type == subject.type,
                    EventRow.subject_id == subject.id,
                    EventRow.type == event_type,
                    EventRow.occurred_at >= since,
                    EventRow.occurred_at <= until,
                    EventRow.seq <= up_to_seq,
                )
            )
        ]

    def listing_prices(
        self, listing_id: str, kind: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[PricePoint]:
        rows = self._session.execute(
            _PRICES_BETWEEN,
            {
                "listing_id": listing_id,
                "kind": kind,
                "since": since,
                "until": until,
                "seq": up_to_seq,
            },
        )
        return [PricePoint(at, price, seq) for at, price, seq in rows]

    def last_listing_price(
        self, listing_id: str, kind: str, at: datetime, up_to_seq: int
    ) -> PricePoint | None:
        row = self._session.execute(
            _LAST_PRICE, {"listing_id": listing_id, "kind": kind, "at": at, "seq": up_to_seq}
        ).first()
        return PricePoint(row[0], row[1], row[2]) if row else None


# Built once: the price detector asks these for most listing and live events, and
# building a statement costs more than SQLite takes to answer it.
_PRICE_COLUMNS = (ListingPriceRow.at, ListingPriceRow.price_fen, ListingPriceRow.event_seq)
_PRICES_BETWEEN = (
    select(*_PRICE_COLUMNS)
    .where(
        ListingPriceRow.listing_id == bindparam("listing_id"),
        ListingPriceRow.kind == bindparam("kind"),
        ListingPriceRow.at >= bindparam("since"),
        ListingPriceRow.at <= bindparam("until"),
        ListingPriceRow.event_seq <= bindparam("seq"),
    )
    .order_by(ListingPriceRow.at, ListingPriceRow.event_seq)
)
_LAST_PRICE = (
    select(*_PRICE_COLUMNS)
    .where(
        ListingPriceRow.listing_id == bindparam("listing_id"),
        ListingPriceRow.kind == bindparam("kind"),
        ListingPriceRow.at <= bindparam("at"),
        ListingPriceRow.event_seq <= bindparam("seq"),
    )
    .order_by(ListingPriceRow.at.desc(), ListingPriceRow.event_seq.desc())
    .limit(1)
)
