"""Each user's bad experiences (``Experience``), read from the log and its projections,
each counted once per incident as the simulator's truth counts them:

- ``late_shipment``: an order shipped after its deadline, or refunded as not shipped;
  one per order, dated at the deadline;
- ``refund_refused``: ``order.refund_refused``, or the buyer's ticket or survey comment
  about the order classified as a refused refund; one per order, dated at the refusal
  (the ticket's opening when only the ticket tells);
- ``counterfeit``: a delivered order of a listing the platform judged counterfeit
  (brand check intercepted or sent to review, a ``counterfeit`` signal of at least the
  review threshold on the listing, an upheld IP notice), or the buyer's ticket,
  complaint or comment saying so; one per order, dated at delivery when known;
- ``rude_service``: a ticket (or survey comment) classified as rude service; one each,
  dated at its opening (a comment routed to service as a ``survey_comment`` ticket of
  the same words is that ticket);
- ``unresolved_ticket``: a ticket closed ``unresolved``; one per ticket, dated at the close.

A ticket (or comment) about a refused refund or a counterfeit that names no order is
attached to the user's order it most likely speaks of, so one incident told twice
counts once: the user's order (of the ticket's merchant, when it names one) with the
same experience already shown, nearest before it within ``ATTACH_WITHIN``; else the
user's order paid nearest before it within that time; else it stays the ticket's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.store.models import (
    SHIPPED,
    SHIPPING_DUE,
    BrandCheckRow,
    EventRow,
    OrderShippingRow,
    SignalRow,
    SurveyAnswerRow,
    VoiceOrderRow,
)
from trustfair.voice.problems import Experience, Problem

COUNTERFEIT_OUTCOMES = ("intercept", "review")
"""Brand checks that judged a listing counterfeit (``monitor`` is only a doubt)."""
COUNTERFEIT_SIGNAL_AT_LEAST = 0.5
"""A ``counterfeit`` signal this strong (the default policy's review threshold) judges
the listing; below it the brand detector saw only the mark declared, which an
authorised seller declares too."""
ATTACH_WITHIN = timedelta(days=30)
"""How far before an order-less ticket the order it is attached to may be."""
ABOUT_AN_ORDER = (Experience.REFUND_REFUSED, Experience.COUNTERFEIT)
"""The experiences that are always about an order, told by a ticket or not."""


@dataclass(frozen=True)
class UserExperience:
    """One bad experience of one user, with what shows it."""

    user_id: str
    kind: Experience
    at: datetime
    order_id: str | None = None
    ticket_id: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The incident: an order's or a ticket's (a survey comment's) experience of a kind."""
        about = f"order:{self.order_id}" if self.order_id else f"ticket:{self.ticket_id}"
        return f"{self.kind.value}:{about}"

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "kind": self.kind.value,
            "key": self.key,
            "at": self.at.isoformat(),
        }
        if self.order_id:
            record["order_id"] = self.order_id
        if self.ticket_id:
            record["ticket_id"] = self.ticket_id
        record["evidence"] = self.evidence
        return record


Classifier = Callable[[str], Problem]


def _classify(text: str) -> Problem:
    from trustfair.voice.classify import classify

    return classify(text).problem


def _events(session: Session, event_type: str, until: datetime) -> Iterator[EventRow]:
    query = (
        select(EventRow)
        .where(EventRow.type == event_type, EventRow.occurred_at <= until)
        .order_by(EventRow.seq)
        .execution_options(yield_per=2000)
    )
    yield from session.scalars(query)


def user_experiences(
    session: Session, until: datetime, classify: Classifier | None = None
) -> dict[str, list[UserExperience]]:
    """Every user's bad experiences up to ``until``, oldest first, one per incident."""
    classify = classify or _classify
    found: dict[str, UserExperience] = {}

    def add(experience: UserExperience) -> None:
        if experience.at > until:
            return
        kept = found.get(experience.key)
        if kept is None or experience.at < kept.at:
            found[experience.key] = experience

    orders = {
        row.order_id: row
        for row in session.scalars(select(VoiceOrderRow).where(VoiceOrderRow.paid_at <= until))
    }
    delivered = {
        row.subject_id: row.occurred_at for row in _events(session, "order.delivered", until)
    }
    for experience in _late_shipments(session, until, orders):
        add(experience)
    for row in _events(session, "order.refund_refused", until):
        p = row.payload
        add(
            UserExperience(
                p["buyer_id"],
                Experience.REFUND_REFUSED,
                row.occurred_at,
                order_id=p["order_id"],
                evidence={"event_id": row.event_id, "reason": p.get("reason")},
            )
        )
    for experience in _counterfeit_orders(session, until, orders, delivered):
        add(experience)
    told_by_words = list(_from_words(session, until, orders, delivered, classify))
    for experience in told_by_words:
        if experience.order_id or experience.kind not in ABOUT_AN_ORDER:
            add(experience)
    orders_of: dict[str, list[VoiceOrderRow]] = defaultdict(list)
    for order in orders.values():
        orders_of[order.buyer_id].append(order)
    for experience in told_by_words:
        if not (experience.order_id or experience.kind not in ABOUT_AN_ORDER):
            add(_attached_to_an_order(experience, found, orders_of[experience.user_id]))
    by_user: dict[str, list[UserExperience]] = defaultdict(list)
    for experience in found.values():
        by_user[experience.user_id].append(experience)
    for experiences in by_user.values():
        experiences.sort(key=lambda e: (e.at, e.key))
    return dict(by_user)


def _attached_to_an_order(
    experience: UserExperience,
    found: dict[str, UserExperience],
    users_orders: list[VoiceOrderRow],
) -> UserExperience:
    """An order-less ticket's experience, attached to the order it most likely speaks
    of (see the module), or as it is."""
    merchant = experience.evidence.get("merchant_id")
    shown, paid = [], []
    for order in users_orders:
        if merchant is not None and order.merchant_id != merchant:
            continue
        told = found.get(replace(experience, order_id=order.order_id).key)
        if told is not None and timedelta(0) <= experience.at - told.at <= ATTACH_WITHIN:
            shown.append((told.at, order.order_id))
        if timedelta(0) <= experience.at - order.paid_at <= ATTACH_WITHIN:
            paid.append((order.paid_at, order.order_id))
    nearest = max(shown, default=None) or max(paid, default=None)
    if nearest is None:
        return experience
    return replace(
        experience,
        order_id=nearest[1],
        evidence={**experience.evidence, "attached_to_order": nearest[1]},
    )


def _late_shipments(
    session: Session, until: datetime, orders: dict[str, VoiceOrderRow]
) -> Iterator[UserExperience]:
    due: dict[str, datetime] = {}
    shipped: dict[str, datetime] = {}
    for order_id, kind, at in session.execute(
        select(OrderShippingRow.order_id, OrderShippingRow.kind, OrderShippingRow.at)
    ):
        if kind == SHIPPING_DUE:
            due[order_id] = min(at, due.get(order_id, at))
        elif kind == SHIPPED and at <= until:
            shipped[order_id] = min(at, shipped.get(order_id, at))
    never_shipped = {
        row.subject_id: row
        for row in _events(session, "order.refunded", until)
        if row.payload.get("reason") == "not_shipped"
    }
    for order_id, deadline in due.items():
        order = orders.get(order_id)
        if order is None:
            continue
        if order_id in shipped and shipped[order_id] > deadline:
            evidence = {
                "ship_by": deadline.isoformat(),
                "shipped_at": shipped[order_id].isoformat(),
            }
        elif order_id not in shipped and order_id in never_shipped:
            evidence = {"ship_by": deadline.isoformat(), "refunded": "not_shipped"}
        else:
            continue
        yield UserExperience(
            order.buyer_id, Experience.LATE_SHIPMENT, deadline, order_id=order_id, evidence=evidence
        )


def counterfeit_listings(session: Session, until: datetime) -> dict[str, str]:
    """The listings the platform judged counterfeit by ``until``, with how it knew."""
    judged: dict[str, str] = {}
    for listing_id, outcome in session.execute(
        select(BrandCheckRow.listing_id, BrandCheckRow.outcome).where(
            BrandCheckRow.kind == "counterfeit",
            BrandCheckRow.outcome.in_(COUNTERFEIT_OUTCOMES),
            BrandCheckRow.checked_at <= until,
        )
    ):
        judged.setdefault(listing_id, f"brand_check:{outcome}")
    for (listing_id,) in session.execute(
        select(EventRow.subject_id)
        .join(SignalRow, SignalRow.event_seq == EventRow.seq)
        .where(
            SignalRow.label == "counterfeit",
            SignalRow.score >= COUNTERFEIT_SIGNAL_AT_LEAST,
            EventRow.subject_type == "listing",
            EventRow.occurred_at <= until,
        )
    ):
        judged.setdefault(listing_id, "signal:counterfeit")
    for row in _events(session, "ip_complaint.upheld", until):
        judged.setdefault(row.payload["listing_id"], "ip_complaint:upheld")
    return judged


def _counterfeit_orders(
    session: Session,
    until: datetime,
    orders: dict[str, VoiceOrderRow],
    delivered: dict[str, datetime],
) -> Iterator[UserExperience]:
    judged = counterfeit_listings(session, until)
    for order_id, order in orders.items():
        how = judged.get(order.listing_id)
        if how is None or order_id not in delivered:
            continue
        yield UserExperience(
            order.buyer_id,
            Experience.COUNTERFEIT,
            delivered[order_id],
            order_id=order_id,
            evidence={"listing_id": order.listing_id, "judged_by": how},
        )
    for row in _events(session, "complaint.filed", until):
        p = row.payload
        if (
            p.get("complainant_type") == "buyer"
            and p.get("kind") == "counterfeit"
            and p.get("order_id")
        ):
            order_id = p["order_id"]
            yield UserExperience(
                p["complainant_id"],
                Experience.COUNTERFEIT,
                delivered.get(order_id, row.occurred_at),
                order_id=order_id,
                evidence={"complaint_id": p["complaint_id"]},
            )


def _about_order(
    kind: Problem,
    user_id: str,
    order_id: str | None,
    at: datetime,
    delivered: dict[str, datetime],
    evidence: dict[str, Any],
    ticket_id: str,
) -> UserExperience | None:
    """The experience a ticket's or comment's ``kind`` of problem is, if it is one."""
    if kind == Problem.RUDE_SERVICE:
        return UserExperience(
            user_id, Experience.RUDE_SERVICE, at, ticket_id=ticket_id, evidence=evidence
        )
    if kind == Problem.REFUND_REFUSED:
        experience = Experience.REFUND_REFUSED
    elif kind == Problem.COUNTERFEIT:
        experience = Experience.COUNTERFEIT
        at = delivered.get(order_id, at) if order_id else at
    else:
        return None
    if order_id:
        return UserExperience(user_id, experience, at, order_id=order_id, evidence=evidence)
    return UserExperience(user_id, experience, at, ticket_id=ticket_id, evidence=evidence)


def _from_words(
    session: Session,
    until: datetime,
    orders: dict[str, VoiceOrderRow],
    delivered: dict[str, datetime],
    classify: Classifier,
) -> Iterator[UserExperience]:
    """What users said: tickets (classified; closed unresolved) and survey comments."""
    opened: dict[str, tuple[str, datetime]] = {}
    routed: set[tuple[str, str]] = set()
    for row in _events(session, "ticket.opened", until):
        p = row.payload
        opened.setdefault(p["ticket_id"], (p["user_id"], row.occurred_at))
        if p.get("channel") == "survey_comment":
            routed.add((p["user_id"], p.get("text", "").strip()))
        problem = classify(p.get("text", ""))
        evidence = {
            "ticket_id": p["ticket_id"],
            "problem": problem.value,
            "text": p.get("text", ""),
        }
        if p.get("merchant_id") and not p.get("order_id"):
            evidence["merchant_id"] = p["merchant_id"]
        experience = _about_order(
            problem,
            p["user_id"],
            p.get("order_id"),
            row.occurred_at,
            delivered,
            evidence,
            p["ticket_id"],
        )
        if experience is not None:
            yield experience
    for row in _events(session, "ticket.closed", until):
        p = row.payload
        if p.get("resolution") != "unresolved" or p["ticket_id"] not in opened:
            continue
        user_id, _ = opened[p["ticket_id"]]
        yield UserExperience(
            user_id,
            Experience.UNRESOLVED_TICKET,
            row.occurred_at,
            ticket_id=p["ticket_id"],
            evidence={"ticket_id": p["ticket_id"], "note": p.get("note", "")},
        )
    for survey in session.scalars(
        select(SurveyAnswerRow).where(
            SurveyAnswerRow.problem.is_not(None), SurveyAnswerRow.at <= until
        )
    ):
        if (survey.user_id, survey.comment.strip()) in routed:
            continue  # the comment was routed to service as a ticket: counted there
        evidence = {
            "survey_id": survey.survey_id,
            "problem": survey.problem,
            "text": survey.comment,
        }
        if survey.merchant_id and not survey.order_id:
            evidence["merchant_id"] = survey.merchant_id
        experience = _about_order(
            Problem(survey.problem),
            survey.user_id,
            survey.order_id,
            survey.at,
            delivered,
            evidence,
            f"survey:{survey.survey_id}",
        )
        if experience is not None:
            yield experience
