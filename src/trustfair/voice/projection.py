"""The tables user listening reads, projected from the log as events arrive:

- ``voice_orders``: each paid order with its buyer, merchant, listing category, live
  session and streamer (the exposure of negative feedback, NPS segments, whose late
  shipment it was);
- ``survey_answers``: each NPS answer with its segments and its comment's problem;
- ``negative_feedback``: each negative signal (``feedback.negative``, ``report.filed``,
  ``review.posted`` rated 2 or less) with the merchant and streamer it counts against.

Owners are looked up when the signal arrives (the listing's publication, the live
session's start, the order's payment, all earlier in the log); a signal whose target
is unknown then is kept with no owner rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import (
    EventRow,
    NegativeFeedbackRow,
    SurveyAnswerRow,
    VoiceOrderRow,
)
from trustfair.voice.classify import classify

BAD_REVIEW_AT_MOST = 2
"""A review rated this or lower is a bad review."""

NEGATIVE_TYPES = frozenset({"feedback.negative", "report.filed", "review.posted"})
OWNED_TARGETS = frozenset({"merchant", "listing", "live_session", "streamer", "order"})


def _first_payloads(session: Session, event_type: str, ids: Iterable[str]) -> dict[str, Any]:
    """The payload of the first ``event_type`` event of each subject in ``ids``."""
    wanted = sorted(set(ids))
    found: dict[str, Any] = {}
    subject_type = {"listing.published": "listing", "live.started": "live_session"}[event_type]
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(EventRow.subject_id, EventRow.payload)
            .where(
                EventRow.subject_type == subject_type,
                EventRow.subject_id.in_(wanted[start : start + 500]),
                EventRow.type == event_type,
            )
            .order_by(EventRow.seq)
        )
        for subject_id, payload in rows:
            found.setdefault(subject_id, payload)
    return found


def _orders(session: Session, ids: Iterable[str]) -> dict[str, VoiceOrderRow]:
    wanted = sorted(set(ids))
    found: dict[str, VoiceOrderRow] = {}
    for start in range(0, len(wanted), 500):
        rows = session.scalars(
            select(VoiceOrderRow).where(VoiceOrderRow.order_id.in_(wanted[start : start + 500]))
        )
        found.update((row.order_id, row) for row in rows)
    return found


@dataclass(frozen=True)
class ListeningProjector:
    name: str = "listening"
    event_types: frozenset[str] = frozenset({"order.paid", "survey.answered"}) | NEGATIVE_TYPES

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        orders = [e for e in events if e.type == "order.paid"]
        if orders:
            self._orders(orders, session)
        surveys = [e for e in events if e.type == "survey.answered"]
        if surveys:
            self._surveys(surveys, session)
        negatives = [e for e in events if e.type in NEGATIVE_TYPES]
        if negatives:
            self._negatives(negatives, session)

    def _orders(self, events: list[StoredEvent], session: Session) -> None:
        listings = _first_payloads(
            session, "listing.published", (e.envelope.payload.listing_id for e in events)
        )
        rows = []
        for event in events:
            p: Any = event.envelope.payload
            rows.append(
                {
                    "order_id": p.order_id,
                    "buyer_id": p.buyer_id,
                    "merchant_id": p.merchant_id,
                    "listing_id": p.listing_id,
                    "category": listings.get(p.listing_id, {}).get("category"),
                    "session_id": p.session_id,
                    "streamer_id": p.streamer_id,
                    "paid_at": event.occurred_at,
                    "event_seq": event.seq,
                }
            )
        session.execute(
            insert_ignoring_conflicts(session, VoiceOrderRow.__table__, ["order_id"]), rows
        )

    def _surveys(self, events: list[StoredEvent], session: Session) -> None:
        orders = _orders(
            session, (e.envelope.payload.order_id for e in events if e.envelope.payload.order_id)
        )
        first_orders = self._first_orders(session, {o.buyer_id for o in orders.values()})
        rows = []
        for event in events:
            p: Any = event.envelope.payload
            order = orders.get(p.order_id) if p.order_id else None
            channel = buyer = None
            if order is not None:
                channel = "live" if order.session_id else "shelf"
                buyer = "new" if first_orders.get(order.buyer_id) == order.order_id else "returning"
            rows.append(
                {
                    "survey_id": p.survey_id,
                    "user_id": p.user_id,
                    "at": event.occurred_at,
                    "score": p.score,
                    "comment": p.comment,
                    "problem": classify(p.comment).problem.value if p.comment.strip() else None,
                    "merchant_id": p.merchant_id or (order.merchant_id if order else None),
                    "order_id": p.order_id,
                    "category": p.category or (order.category if order else None),
                    "channel": channel,
                    "buyer": buyer,
                    "event_seq": event.seq,
                }
            )
        session.execute(
            insert_ignoring_conflicts(session, SurveyAnswerRow.__table__, ["survey_id"]), rows
        )

    @staticmethod
    def _first_orders(session: Session, buyers: set[str]) -> dict[str, str]:
        """Each buyer's first paid order (by payment time)."""
        wanted = sorted(buyers)
        first: dict[str, tuple[Any, str]] = {}
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(VoiceOrderRow.buyer_id, VoiceOrderRow.paid_at, VoiceOrderRow.order_id).where(
                    VoiceOrderRow.buyer_id.in_(wanted[start : start + 500])
                )
            )
            for buyer_id, paid_at, order_id in rows:
                if buyer_id not in first or (paid_at, order_id) < first[buyer_id]:
                    first[buyer_id] = (paid_at, order_id)
        return {buyer: order_id for buyer, (_, order_id) in first.items()}

    def _negatives(self, events: list[StoredEvent], session: Session) -> None:
        found = [n for n in (negative_of(e) for e in events) if n is not None]
        if not found:
            return
        listings = _first_payloads(
            session, "listing.published", (n.target_id for n in found if n.target_type == "listing")
        )
        sessions = _first_payloads(
            session, "live.started", (n.target_id for n in found if n.target_type == "live_session")
        )
        orders = _orders(session, (n.order_id for n in found if n.order_id))
        rows = []
        for n in found:
            merchant, streamer = n.owners(listings, sessions, orders)
            if merchant is None and streamer is None:
                continue
            key_owner = merchant if n.kind == "bad_review" else None
            rows.append(
                {
                    "kind": n.kind,
                    "user_id": n.user_id,
                    "target_type": n.target_type,
                    "target_id": n.target_id,
                    "merchant_id": merchant,
                    "streamer_id": streamer,
                    "dedupe_key": n.dedupe_key(key_owner),
                    "at": n.at,
                    "event_seq": n.seq,
                }
            )
        if rows:
            session.execute(
                insert_ignoring_conflicts(session, NegativeFeedbackRow.__table__, ["event_seq"]),
                rows,
            )


@dataclass(frozen=True)
class Negative:
    """One negative signal before its owners are known."""

    seq: int
    at: Any
    kind: str
    user_id: str
    target_type: str
    target_id: str
    order_id: str | None = None

    def owners(
        self,
        listings: dict[str, Any],
        sessions: dict[str, Any],
        orders: dict[str, VoiceOrderRow],
    ) -> tuple[str | None, str | None]:
        """(merchant, streamer) this signal counts against."""
        if self.order_id is not None:
            order = orders.get(self.order_id)
            if order is not None:
                return order.merchant_id, order.streamer_id
        match self.target_type:
            case "merchant":
                return self.target_id, None
            case "streamer":
                return None, self.target_id
            case "listing":
                return listings.get(self.target_id, {}).get("merchant_id"), None
            case "live_session":
                started = sessions.get(self.target_id, {})
                return started.get("merchant_id"), started.get("streamer_id")
        return None, None

    def dedupe_key(self, merchant: str | None) -> str:
        """One negative experience per user and thing: reporting a session twice (by
        a report and a feedback button) is one; a bad review is one per user and
        merchant, whether posted as a review, flagged as feedback, or both."""
        if self.kind == "bad_review" and merchant is not None:
            return f"bad_review:{self.user_id}:merchant:{merchant}"
        return f"{self.kind}:{self.user_id}:{self.target_type}:{self.target_id}"


def negative_of(event: StoredEvent) -> Negative | None:
    p: Any = event.envelope.payload
    if event.type == "review.posted":
        if p.rating > BAD_REVIEW_AT_MOST:
            return None
        return Negative(
            event.seq,
            event.occurred_at,
            "bad_review",
            p.buyer_id,
            "merchant",
            p.merchant_id,
            order_id=p.order_id,
        )
    if event.type == "report.filed":
        user, kind = p.reporter_id, "report"
    else:
        user, kind = p.user_id, p.kind
    if p.target.type not in OWNED_TARGETS:
        return None
    order_id = p.target.id if p.target.type == "order" else None
    return Negative(
        event.seq, event.occurred_at, kind, user, p.target.type, p.target.id, order_id=order_id
    )


@register_projector("listening")
def make_projector(_: Settings) -> ListeningProjector:
    return ListeningProjector()
