"""The unified list of what users tell the marketplace about their orders (a projector).

One list for customer service: every ``ticket.opened`` (in-app, hotline, review, social,
survey comment), closed by its ``ticket.closed``; and beside them the voices nobody
filed as a ticket but a demanding team still answers: a review of 2 stars or fewer
with text (source ``review``, channel ``review``) and a detractor's survey comment
(score 6 or less, with a comment; source ``survey``, channel ``survey_comment``).
Those are ``noted``, not ``open``: they carry no SLA and are never escalated.

Each is classified (``voice.classify``) and placed: its merchant, and through its order
(the order's ``order.paid``) its listing, the listing's category (``listing.published``
/ ``listing.updated``), and the streamer and live session the order came from.
Tickets are due by their channel's SLA (``voice.sla``) from their opening time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import EventRow, TicketRow
from trustfair.voice.classify import default_classifier
from trustfair.voice.problems import PROCESS_OF
from trustfair.voice.sla import SlaTerms, default_sla

OPEN, CLOSED, NOTED = "open", "closed", "noted"
STATES = (OPEN, CLOSED, NOTED)
TICKET, REVIEW, SURVEY = "ticket", "review", "survey"
LOW_RATING = 2
"""A review this many stars or fewer, with text, is a voice in the list."""
DETRACTOR = 6
"""A survey score this low or lower (NPS detractors: 0-6), with a comment, is one too."""


def is_voice(event_type: str, payload: Any) -> bool:
    """Whether an event puts an item in the list."""
    if event_type == "ticket.opened":
        return True
    if event_type == "review.posted":
        return payload.rating <= LOW_RATING and bool(payload.text.strip())
    if event_type == "survey.answered":
        return payload.score <= DETRACTOR and bool(payload.comment.strip())
    return False


@dataclass(frozen=True)
class OrderPlace:
    merchant_id: str | None = None
    listing_id: str | None = None
    category: str | None = None
    streamer_id: str | None = None
    session_id: str | None = None


def places_of(session: Session, order_ids: Iterable[str]) -> dict[str, OrderPlace]:
    """Where each order was bought: merchant, listing and its category, and the live
    session and streamer it came from (its latest ``order.paid``)."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    paid: dict[str, dict[str, Any]] = {}
    for order_id, payload in session.execute(
        select(EventRow.subject_id, EventRow.payload)
        .where(
            EventRow.subject_type == "order",
            EventRow.subject_id.in_(wanted),
            EventRow.type == "order.paid",
        )
        .order_by(EventRow.seq)
    ):
        paid[order_id] = payload
    categories = categories_of(session, {p.get("listing_id") for p in paid.values()} - {None})
    return {
        order_id: OrderPlace(
            merchant_id=payload.get("merchant_id"),
            listing_id=payload.get("listing_id"),
            category=categories.get(payload.get("listing_id")),
            streamer_id=payload.get("streamer_id"),
            session_id=payload.get("session_id"),
        )
        for order_id, payload in paid.items()
    }


def categories_of(session: Session, listing_ids: Iterable[str]) -> dict[str, str]:
    """Each listing's category as its latest publication or update set it."""
    wanted = sorted(set(listing_ids))
    found: dict[str, str] = {}
    if not wanted:
        return found
    for listing_id, payload in session.execute(
        select(EventRow.subject_id, EventRow.payload)
        .where(
            EventRow.subject_type == "listing",
            EventRow.subject_id.in_(wanted),
            EventRow.type.in_(("listing.published", "listing.updated")),
        )
        .order_by(EventRow.seq)
    ):
        if payload.get("category"):
            found[listing_id] = payload["category"]
    return found


@dataclass(frozen=True)
class TicketProjector:
    sla: SlaTerms
    name: str = "voice_tickets"
    event_types: frozenset[str] = frozenset(
        {"ticket.opened", "ticket.closed", "review.posted", "survey.answered"}
    )

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        voices = [e for e in events if is_voice(e.type, e.envelope.payload)]
        orders = {
            e.envelope.payload.order_id  # type: ignore[attr-defined]
            for e in voices
            if getattr(e.envelope.payload, "order_id", None)
        }
        places = places_of(session, orders)
        listed = {
            e.envelope.payload.listing_id  # type: ignore[attr-defined]
            for e in voices
            if getattr(e.envelope.payload, "listing_id", None)
        }
        categories = categories_of(session, listed)
        closes = first_closes_of(
            session,
            {e.envelope.payload.ticket_id for e in voices if e.type == "ticket.opened"},  # type: ignore[attr-defined]
        )
        classifier = default_classifier()
        for event in events:
            payload: Any = event.envelope.payload
            if event.type == "ticket.closed":
                session.flush()
                _close(session, event)
            elif is_voice(event.type, payload):
                row = _row(event, payload, places, self.sla)
                if row["source"] == TICKET and row["id"] in closes:
                    row |= closes[row["id"]]  # its close came first (or in this batch)
                if row["category"] is None and row["listing_id"] in categories:
                    row["category"] = categories[row["listing_id"]]
                found = classifier.classify(row["text"])
                row |= {
                    "problem": found.problem.value,
                    "process": PROCESS_OF[found.problem].value,
                    "problem_score": found.score,
                    "runner_up": found.runner_up.value if found.runner_up else None,
                    "spans": [
                        {
                            "start": s.start,
                            "end": s.end,
                            "problem": s.problem.value,
                            "term": s.term,
                            "negated": s.negated,
                        }
                        for s in found.spans
                    ],
                    "classifier_version": classifier.version,
                }
                # A ticket id sent again (another event for the same ticket) keeps the first.
                session.execute(
                    insert_ignoring_conflicts(session, TicketRow.__table__, ["id"]), row
                )


def _row(
    event: StoredEvent, payload: Any, places: dict[str, OrderPlace], sla: SlaTerms
) -> dict[str, Any]:
    order_id = getattr(payload, "order_id", None)
    place = places.get(order_id, OrderPlace()) if order_id else OrderPlace()
    at = event.occurred_at
    if event.type == "ticket.opened":
        ident, source, channel, user, text = (
            payload.ticket_id,
            TICKET,
            payload.channel,
            payload.user_id,
            payload.text,
        )
        merchant = payload.merchant_id or place.merchant_id
        state, due = OPEN, sla.due_at(payload.channel, at)
    elif event.type == "review.posted":
        ident, source, channel, user, text = (
            f"review:{payload.review_id}",
            REVIEW,
            "review",
            payload.buyer_id,
            payload.text,
        )
        merchant, state, due = payload.merchant_id, NOTED, None
    else:
        ident, source, channel, user, text = (
            f"survey:{payload.survey_id}",
            SURVEY,
            "survey_comment",
            payload.user_id,
            payload.comment,
        )
        merchant, state, due = payload.merchant_id or place.merchant_id, NOTED, None
    listing = getattr(payload, "listing_id", None) or place.listing_id
    return {
        "id": ident,
        "source": source,
        "channel": channel,
        "user_id": user,
        "order_id": order_id,
        "merchant_id": merchant,
        "listing_id": listing,
        "category": getattr(payload, "category", None) or place.category,
        "streamer_id": place.streamer_id,
        "session_id": place.session_id,
        "text": text,
        "state": state,
        "opened_at": at,
        "due_at": due,
        "closed_at": None,
        "resolution": None,
        "satisfaction": None,
        "escalation_level": 0,
        "event_seq": event.seq,
    }


def first_closes_of(session: Session, ticket_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each ticket's first ``ticket.closed`` in the log (by arrival), as the columns a
    closed ticket has. Events reach the projector already in the log, so this finds a
    close that arrived before the opening, in an earlier batch or in the same one."""
    wanted = sorted(set(ticket_ids))
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    for ticket_id, at, payload in session.execute(
        select(EventRow.subject_id, EventRow.occurred_at, EventRow.payload)
        .where(
            EventRow.subject_type == "ticket",
            EventRow.subject_id.in_(wanted),
            EventRow.type == "ticket.closed",
        )
        .order_by(EventRow.seq)
    ):
        found.setdefault(
            ticket_id,
            {
                "state": CLOSED,
                "closed_at": at,
                "resolution": payload.get("resolution"),
                "satisfaction": payload.get("satisfaction"),
            },
        )
    return found


def _close(session: Session, event: StoredEvent) -> None:
    """Close the ticket (the first close counts). A close that arrives before its
    opening finds nothing here: the opening applies it (``first_closes_of``)."""
    payload: Any = event.envelope.payload
    session.execute(
        update(TicketRow)
        .where(TicketRow.id == payload.ticket_id, TicketRow.state == OPEN)
        .values(
            state=CLOSED,
            closed_at=event.occurred_at,
            resolution=payload.resolution,
            satisfaction=payload.satisfaction,
        )
        .execution_options(synchronize_session=False)
    )


@register_projector("voice_tickets")
def make_projector(_: Settings) -> TicketProjector:
    return TicketProjector(sla=default_sla())
