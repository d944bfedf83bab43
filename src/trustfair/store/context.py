"""The read-only view of the store that detectors and policies are given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from trustfair.brand.image_index import ImageIndex
from trustfair.brand.matching import Matcher, PictureHit
from trustfair.brand.pictures import current_index, picture_hits
from trustfair.brand.rights import certified_brands
from trustfair.brand.snapshot import holder_for
from trustfair.enforce.linked import linked_entities
from trustfair.enforce.sanctions import active_sanction_rows
from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import PricePoint, Shipment, ShippingMark
from trustfair.protect.coverage import OrderCover, order_cover
from trustfair.store.models import (
    POINTS_GENERATION,
    SHIPPED,
    SHIPPING_DUE,
    EventRow,
    ListingPriceRow,
    OrderShippingRow,
    PointsEntryRow,
)


class StoreContext:
    """Answers questions inside the batch's transaction, so it sees the batch too."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._ledgers: dict[EntityRef, list[tuple[datetime, str, int]]] = {}
        self._points_generation = -1
        self._last_marks: tuple[tuple[str, int], list[ShippingMark]] | None = None
        self._brand_matcher: Matcher | None = None
        self._picture_index: ImageIndex | None = None

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
        totals: dict[str, int] = {}
        for at, violation_class, points in self._ledger(entity):
            if since <= at <= until:
                totals[violation_class] = totals.get(violation_class, 0) + points
        return totals

    def _ledger(self, entity: EntityRef) -> list[tuple[datetime, str, int]]:
        """``entity``'s points entries, read once per batch and again whenever an effect
        changes the ledger: rules ask about the author of nearly every event."""
        generation = self._session.info.get(POINTS_GENERATION, 0)
        if self._points_generation != generation:
            self._ledgers.clear()
            self._points_generation = generation
        ledger = self._ledgers.get(entity)
        if ledger is None:
            rows = self._session.connection().execute(
                _LEDGER, {"entity_type": entity.type, "entity_id": entity.id}
            )
            ledger = self._ledgers[entity] = [
                (_aware(at), violation_class, points) for at, violation_class, points in rows
            ]
        return ledger

    def active_sanctions(self, entity: EntityRef, at: datetime) -> list[tuple[str, int]]:
        return [(row.kind, row.id) for row in active_sanction_rows(self._session, entity, at)]

    def linked_restrictions(
        self, entity: EntityRef, keys: list[str], at: datetime, up_to_seq: int
    ) -> list[dict[str, Any]]:
        found = []
        for other, by in sorted(linked_entities(self._session, entity, keys, up_to_seq).items()):
            for row in active_sanction_rows(self._session, other, at):
                found.append(
                    {
                        "entity_type": other.type,
                        "entity_id": other.id,
                        "kind": row.kind,
                        "sanction_id": row.id,
                        "linked_by": sorted(by),
                    }
                )
        return found

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

    def order_shipping(self, order_id: str, up_to_seq: int) -> list[ShippingMark]:
        # Two detectors ask this of the same event in turn (late shipment, and the
        # late-shipment guarantee): the last answer is kept. The rows up to a seq do not
        # change once the batch is projected, so it cannot go stale.
        asked = (order_id, up_to_seq)
        if self._last_marks is not None and self._last_marks[0] == asked:
            return list(self._last_marks[1])
        rows = self._session.execute(_MARKS_OF, {"order_id": order_id, "seq": up_to_seq})
        marks = [ShippingMark(kind, _aware(at), seq) for kind, at, seq in rows]
        self._last_marks = (asked, marks)
        return list(marks)

    def shipments(
        self, merchant_id: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[Shipment]:
        rows = self._session.execute(
            _SHIPMENTS,
            {"merchant_id": merchant_id, "since": since, "until": until, "seq": up_to_seq},
        )
        # An order is one shipment however many events say so (a payment or a dispatch
        # resent under a new event id): it shipped when it first did, and it was due by
        # the earliest deadline promised.
        found: dict[str, Shipment] = {}
        for order_id, shipped_at, due_at in rows:
            due = None if due_at is None else _aware(due_at)
            seen = found.get(order_id)
            if seen is None:
                found[order_id] = Shipment(order_id, _aware(shipped_at), due)
            elif due is not None and (seen.due_at is None or due < seen.due_at):
                found[order_id] = Shipment(order_id, seen.shipped_at, due)
        return list(found.values())

    def order_cover(self, order_id: str, up_to_seq: int) -> OrderCover | None:
        return order_cover(self._session, order_id, up_to_seq)

    def listing_as_of(self, listing_id: str, up_to_seq: int) -> dict[str, Any] | None:
        rows = self._session.execute(
            select(EventRow.type, EventRow.payload)
            .where(
                EventRow.subject_type == "listing",
                EventRow.subject_id == listing_id,
                EventRow.type.in_(LISTING_STATE_EVENTS),
                EventRow.seq <= up_to_seq,
            )
            .order_by(EventRow.seq)
        )
        listing: dict[str, Any] | None = None
        for event_type, payload in rows:
            if event_type == "listing.published":
                listing = dict(payload)
            elif listing is not None:
                listing.update({k: v for k, v in payload.items() if v is not None})
        return listing

    def brand_matcher(self, at: datetime) -> Matcher:
        # Asked once per batch: the banks' state is read once, not per listing.
        if self._brand_matcher is None:
            url = self._session.get_bind().engine.url.render_as_string(hide_password=True)
            matcher = holder_for(url).current(self._session, at).matcher
            self._brand_matcher = matcher.with_certified(certified_brands(self._session, at))
        return self._brand_matcher

    def picture_hits(self, image_ids: Sequence[str]) -> list[PictureHit]:
        # The index's staleness is asked once per batch, like the banks' text.
        if self._picture_index is None:
            self._picture_index = current_index(self._session)
        return picture_hits(self._picture_index, self._session, image_ids)


_MARKS_OF = (
    select(OrderShippingRow.kind, OrderShippingRow.at, OrderShippingRow.event_seq)
    .where(
        OrderShippingRow.order_id == bindparam("order_id"),
        OrderShippingRow.event_seq <= bindparam("seq"),
    )
    .order_by(OrderShippingRow.event_seq)
)
_SHIPPED = aliased(OrderShippingRow)
_DUE = aliased(OrderShippingRow)
_SHIPMENTS = (
    select(_SHIPPED.order_id, _SHIPPED.at, _DUE.at)
    .outerjoin(
        _DUE,
        and_(
            _DUE.order_id == _SHIPPED.order_id,
            _DUE.kind == SHIPPING_DUE,
            _DUE.event_seq <= bindparam("seq"),
        ),
    )
    .where(
        _SHIPPED.merchant_id == bindparam("merchant_id"),
        _SHIPPED.kind == SHIPPED,
        _SHIPPED.at >= bindparam("since"),
        _SHIPPED.at <= bindparam("until"),
        _SHIPPED.event_seq <= bindparam("seq"),
    )
    .order_by(_SHIPPED.at, _SHIPPED.event_seq)
)

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

_LEDGER = select(PointsEntryRow.at, PointsEntryRow.violation_class, PointsEntryRow.points).where(
    PointsEntryRow.entity_type == bindparam("entity_type"),
    PointsEntryRow.entity_id == bindparam("entity_id"),
)


LISTING_STATE_EVENTS = ("listing.published", "listing.updated", "listing.price_changed")


def _aware(value: datetime) -> datetime:
    # Core rows of a UTCDateTime column come back through its type: aware already,
    # but a driver that skips it would hand SQLite's naive UTC text.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
