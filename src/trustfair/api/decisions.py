"""GET /v1/decisions/{id}: a decision and its statement of reasons.

A merchant or a streamer's key sees the decisions on the events it authored (its
listings, its live segments) and what they caused on its own accounts; anything
else answers 404, like a decision that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal, shown_reasons
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import (
    EventSummary,
    Party,
    PointsEntry,
    RecordId,
    Sanction,
    TextWithSpans,
    errors,
)
from trustfair.read.decisions import DecisionNotFound, decision_detail
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["decisions"])


class Decision(BaseModel):
    id: int
    event: EventSummary
    party: Party | None = Field(description="Who answers for the event (its author).")
    policy_version: str
    verdict: str
    decided_at: datetime = Field(description="In business time: the event's time.")
    reasons: list[dict[str, Any]] = Field(
        description="Each rule that fired: its id, what it found and the signals it used."
    )
    actions: list[dict[str, Any]]
    texts: list[TextWithSpans]
    points: list[PointsEntry] = Field(description="Entries the decision awarded.")
    sanctions: list[Sanction] = Field(description="Sanctions the decision issued.")
    case_ids: list[int] = Field(description="Cases it opened, and appeals of its sanctions.")


@router.get(
    "/decisions/{decision_id}",
    response_model=Decision,
    summary="A decision: verdict, reasons, evidence, and what it caused",
    responses=errors(401, 403, 404),
)
def get_decision(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.DECISIONS_READ))],
    decision_id: RecordId,
) -> Decision:
    store: Store = request.app.state.store
    with store.reading() as session:
        try:
            detail = decision_detail(session, decision_id, principal)
        except DecisionNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        ensure_may_see(principal, detail.party, f"no decision {decision_id}")
        row, event = detail.decision, detail.event
        return Decision(
            id=row.id,
            event=EventSummary.of(event),
            party=Party.of(detail.party),
            policy_version=row.policy_version,
            verdict=row.verdict,
            decided_at=row.decided_at,
            reasons=shown_reasons(row.reasons, principal),
            actions=row.actions or [],
            texts=[TextWithSpans(**text) for text in detail.texts],
            points=[PointsEntry.of(entry) for entry in detail.points],
            sanctions=[Sanction.of(sanction) for sanction in detail.sanctions],
            case_ids=[case.id for case in detail.cases],
        )
