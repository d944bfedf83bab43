"""GET /v1/restrictions/{type}/{id}: the sanctions in force on an account.

The marketplace asks before it lets an account do something a sanction forbids (go
live, be paid out); every sanction comes with its statement of reasons.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import Sanction, Text, aware, errors
from trustfair.enforce.sanctions import active_sanction_rows, sanction_record
from trustfair.events.payload import EntityRef
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["enforcement"])

ACCOUNT_TYPES = ("merchant", "streamer")


def _in_force(store: Store, entity: EntityRef, at: datetime) -> list[dict[str, Any]]:
    with store.reading() as session:
        return [sanction_record(row) for row in active_sanction_rows(session, entity, at)]


class Restrictions(BaseModel):
    entity_type: str
    entity_id: str
    at: datetime
    sanctions: list[Sanction] = Field(description="In force at `at`, with their statements.")


@router.get(
    "/restrictions/{entity_type}/{entity_id}",
    response_model=Restrictions,
    summary="The sanctions in force on a merchant or streamer",
    responses=errors(401, 403, 404),
)
async def restrictions(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RESTRICTIONS_READ))],
    # Declared as an enum so that clients (and the fuzzer) know the two; any other
    # type is still answered 404, as an unknown account is.
    entity_type: Annotated[
        Text, Path(max_length=32, json_schema_extra={"enum": list(ACCOUNT_TYPES)})
    ],
    entity_id: Annotated[Text, Path(min_length=1, max_length=128)],
    at: Annotated[
        datetime | None, Query(description="When (ISO 8601 with a zone); default now.")
    ] = None,
) -> Restrictions:
    if entity_type not in ACCOUNT_TYPES:
        raise HTTPException(404, f"no accounts of type {entity_type!r}; known: merchant, streamer")
    ensure_may_see(principal, EntityRef(entity_type, entity_id), f"no {entity_type} {entity_id}")
    when = aware(at) or datetime.now(UTC)
    found = await run_in_threadpool(
        _in_force, request.app.state.store, EntityRef(entity_type, entity_id), when
    )
    return Restrictions(
        entity_type=entity_type,
        entity_id=entity_id,
        at=when,
        sanctions=[Sanction(**record) for record in found],
    )
