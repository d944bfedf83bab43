"""A decision as its party and the staff read it: what was decided about which event,
under which policy and why, the evidence in the original text, and what it caused.

The party of a decision is the author of the event decided (``enforce.authors``): a
listing's merchant, a live segment's streamer. Events without an author (an order
paid, a report filed) have no party, and only staff see their decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.cases.work import party_of, texts_with_spans
from trustfair.enforce.authors import author_in
from trustfair.events.payload import EntityRef
from trustfair.store.models import CaseRow, DecisionRow, EventRow, PointsEntryRow, SanctionRow


class DecisionNotFound(LookupError):
    pass


@dataclass
class DecisionDetail:
    decision: DecisionRow
    event: EventRow
    party: EntityRef | None
    texts: list[dict[str, Any]] = field(default_factory=list)
    """The event's text fields with the evidence spans in them (``texts_with_spans``)."""
    points: list[PointsEntryRow] = field(default_factory=list)
    """The ledger entries the decision awarded (reversals point back at these)."""
    sanctions: list[SanctionRow] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    """Cases the decision opened, and appeals of its sanctions."""


def decision_detail(session: Session, decision_id: int, viewer: Principal) -> DecisionDetail:
    """The decision with what it caused, as far as ``viewer`` may see: a sanction
    shared with a linked account carries the decision of the original, and a merchant
    sees its own sanction, not the copy on the other account."""
    decision = session.get(DecisionRow, decision_id)
    if decision is None:
        raise DecisionNotFound(f"no decision {decision_id}")
    event = session.get(EventRow, decision.event_seq)
    assert event is not None  # a decision row references its event (foreign key)
    points = session.scalars(
        select(PointsEntryRow)
        .where(PointsEntryRow.decision_id == decision_id)
        .order_by(PointsEntryRow.id)
    )
    sanctions = session.scalars(
        select(SanctionRow).where(SanctionRow.decision_id == decision_id).order_by(SanctionRow.id)
    )
    cases = session.scalars(
        select(CaseRow).where(CaseRow.opening_decision_id == decision_id).order_by(CaseRow.id)
    )
    return DecisionDetail(
        decision=decision,
        event=event,
        party=author_in(event.type, event.payload),
        texts=texts_with_spans(event, decision),
        points=[e for e in points if viewer.may_see(EntityRef(e.entity_type, e.entity_id))],
        sanctions=[s for s in sanctions if viewer.may_see(EntityRef(s.entity_type, s.entity_id))],
        cases=[c for c in cases if viewer.sees_everything or viewer.may_see(party_of(session, c))],
    )
