"""GET /v1/live/at-risk: the live streams most at risk right now, for the staff who
watch them (a merchant or a brand is refused: the list names other streamers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import Limit, aware, errors
from trustfair.read.entities import live_risk_clock, live_sessions_at_risk
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["live"])


class SessionAtRisk(BaseModel):
    session_id: str
    streamer_id: str | None
    score: float = Field(description="Decayed to `at`; the stream is shut down at the threshold.")
    updated_at: datetime = Field(description="When risk was last added (event time).")


class AtRisk(BaseModel):
    at: datetime = Field(
        description=(
            "The moment scores are decayed to: the given `at`, else the later of the server's "
            "clock and the newest score's time (event clocks may run ahead of ours)."
        )
    )
    half_life_seconds: float
    threshold: float
    sessions: list[SessionAtRisk] = Field(description="Highest score first; not yet shut down.")


@router.get(
    "/live/at-risk",
    response_model=AtRisk,
    summary="Live sessions by their risk score right now (staff only)",
    responses=errors(401, 403),
)
def get_live_at_risk(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CASES_READ))],
    at: Annotated[
        datetime | None,
        Query(description="Decay scores to this moment instead (a replay); ISO 8601 with a zone."),
    ] = None,
    limit: Limit = 50,
) -> AtRisk:
    if not principal.sees_everything:
        raise HTTPException(403, f"{principal.role.value} may not see other streamers' sessions")
    settings = request.app.state.registry.settings
    store: Store = request.app.state.store
    with store.reading() as session:
        now = aware(at) or live_risk_clock(session, datetime.now(UTC))
        found = live_sessions_at_risk(
            session, now, settings.live_risk_half_life_seconds, limit=limit
        )
    return AtRisk(
        at=now,
        half_life_seconds=settings.live_risk_half_life_seconds,
        threshold=settings.live_risk_threshold,
        sessions=[SessionAtRisk(**vars(s)) for s in found],
    )
