"""An account's standing, timeline and points ledger: what happened to a merchant or
a streamer, and what is in force on it now.

A merchant (or a brand's key) sees its own accounts only; another account answers
404. An account trustfair has never heard of is not an error: it has no points, no
sanctions and an empty timeline, which is what the marketplace needs to know.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import Limit, Offset, Party, PointsEntry, Sanction, Text, aware, errors
from trustfair.events.payload import EntityRef
from trustfair.policy.files import FilePolicy
from trustfair.policy.schema import PolicyFile
from trustfair.read.entities import points_ledger, standing, timeline
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["entities"])

Reader = Annotated[Principal, Depends(require(Permission.ENTITIES_READ))]
AccountType = Annotated[Literal["merchant", "streamer"], Path(description="merchant or streamer")]
AccountId = Annotated[Text, Path(min_length=1, max_length=128)]


class TimelineItem(BaseModel):
    at: datetime
    kind: Literal["event", "decision", "points", "sanction", "lift", "case"]
    summary: str
    ref: dict[str, Any] = Field(description="Ids to follow: event, decision, entry, case.")


class Entity(BaseModel):
    entity: Party
    at: datetime = Field(description="The moment the standing is of.")
    points: dict[str, int] = Field(description="The period's balance by class.")
    period_from: datetime
    period_until: datetime
    sanctions: list[Sanction] = Field(description="In force at `at`.")
    timeline: list[TimelineItem] = Field(description="Newest first: a page of it.")
    limit: int
    offset: int


class PointsLedger(BaseModel):
    entity: Party
    total: int
    limit: int
    offset: int
    entries: list[PointsEntry] = Field(
        description="Newest first; a reversal is an entry of its own that names the one it undoes."
    )


def _spec(request: Request) -> PolicyFile:
    """The running policy file's spec: its points period is the standing's period."""
    policy = request.app.state.registry.policy
    if not isinstance(policy, FilePolicy):
        raise HTTPException(
            503, "the running policy is not a policy file: it sets no points period"
        )
    return policy.spec


@router.get(
    "/entities/{entity_type}/{entity_id}",
    response_model=Entity,
    summary="A merchant's or streamer's standing and a page of its timeline",
    responses=errors(401, 403, 404, 503),
)
def get_entity(
    request: Request,
    principal: Reader,
    entity_type: AccountType,
    entity_id: AccountId,
    at: Annotated[
        datetime | None, Query(description="Standing as of (ISO 8601 with a zone); default now.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Entity:
    entity = EntityRef(entity_type, entity_id)
    ensure_may_see(principal, entity, f"no {entity_type} {entity_id}")
    when = aware(at) or datetime.now(UTC)
    spec = _spec(request)
    store: Store = request.app.state.store
    with store.reading() as session:
        now = standing(session, entity, when, spec)
        # The newest offset + limit items, of which this page is the last `limit`.
        items = timeline(
            session, entity, limit=offset + limit, as_party=not principal.sees_everything
        )[offset:]
        sanctions = [Sanction(**record) for record in now.sanctions]
    return Entity(
        entity=Party(type=entity_type, id=entity_id),
        at=when,
        points=now.points,
        period_from=now.period_from,
        period_until=now.period_until,
        sanctions=sanctions,
        timeline=[TimelineItem(**vars(item)) for item in items],
        limit=limit,
        offset=offset,
    )


@router.get(
    "/entities/{entity_type}/{entity_id}/points",
    response_model=PointsLedger,
    summary="A merchant's or streamer's penalty-points ledger: awards and reversals",
    responses=errors(401, 403, 404),
)
def get_points(
    request: Request,
    principal: Reader,
    entity_type: AccountType,
    entity_id: AccountId,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PointsLedger:
    entity = EntityRef(entity_type, entity_id)
    ensure_may_see(principal, entity, f"no {entity_type} {entity_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        rows, total = points_ledger(session, entity, limit=limit, offset=offset)
        entries = [PointsEntry.of(row) for row in rows]
    return PointsLedger(
        entity=Party(type=entity_type, id=entity_id),
        total=total,
        limit=limit,
        offset=offset,
        entries=entries,
    )
