"""The read-only view of the store that detectors and policies are given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from trustfair.enforce.sanctions import active_sanction_rows
from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import PricePoint
from trustfair.store.models import POINTS_GENERATION, EventRow, ListingPriceRow, PointsEntryRow


class StoreContext:
    """Answers questions inside the batch's transaction, so it sees the batch too."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._with_points: set[EntityRef] | None = None
        self._points_generation = -1

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

    def points_between(self, entity: EntityRef, since: datetime, until: datetime) -> dict[str, int]:
        if entity not in self._entities_with_points():
            return {}  # most accounts have never had a point: no query for them
        rows = self._session.execute(
            select(PointsEntryRow.violation_class, func.sum(PointsEntryRow.points))
            .where(
                PointsEntryRow.entity_type == entity.type,
                PointsEntryRow.entity_id == entity.id,
                PointsEntryRow.at >= since,
                PointsEntryRow.at <= until,
            )
            .group_by(PointsEntryRow.violation_class)
        )
        return {violation_class: int(total or 0) for violation_class, total in rows}

    def _entities_with_points(self) -> set[EntityRef]:
        """Every account with a points entry, reread whenever an effect adds one."""
        generation = self._session.info.get(POINTS_GENERATION, 0)
        if self._points_generation != generation or self._with_points is None:
            self._with_points = {
                EntityRef(entity_type, entity_id)
                for entity_type, entity_id in self._session.execute(
                    select(PointsEntryRow.entity_type, PointsEntryRow.entity_id).distinct()
                )
            }
            self._points_generation = generation
        return self._with_points

    def active_sanctions(self, entity: EntityRef, at: datetime) -> list[tuple[str, int]]:
        return [(row.kind, row.id) for row in active_sanction_rows(self._session, entity, at)]

    def listing_approved(
        self, streamer: EntityRef, listing_id: str, at: datetime, up_to_seq: int
    ) -> bool:
        # The latest answer counts: an approval can be withdrawn.
        latest = self._session.execute(
            select(EventRow.payload)
            .where(
                EventRow.subject_type == streamer.type,
                EventRow.subject_id == streamer.id,
                EventRow.type == "prereview.decided",
                EventRow.occurred_at <= at,
                EventRow.seq <= up_to_seq,
            )
            .order_by(EventRow.occurred_at.desc(), EventRow.seq.desc())
        )
        for (payload,) in latest:
            if payload.get("listing_id") == listing_id:
                return bool(payload.get("approved"))
        return False

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
