"""GET /v1/restrictions/{type}/{id}: the sanctions in force on an account.

The marketplace asks before it lets an account do something a sanction forbids (go
live, be paid out); every sanction comes with its statement of reasons.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.enforce.sanctions import active_sanction_rows, sanction_record
from trustfair.events.fields import MAX_ID_CHARS
from trustfair.events.payload import EntityRef
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["enforcement"])

ACCOUNT_TYPES = ("merchant", "streamer")
ACCOUNT_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_ID_CHARS}}}")
"""The ids an event can carry (``events.fields.Id``): no account has any other."""


def _in_force(store: Store, entity: EntityRef, at: datetime) -> list[dict[str, Any]]:
    with store.reading() as session:
        return [sanction_record(row) for row in active_sanction_rows(session, entity, at)]


@router.get(
    "/restrictions/{entity_type}/{entity_id}",
    summary="The sanctions in force on a merchant or streamer",
)
async def restrictions(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RESTRICTIONS_READ))],
    # Declared as an enum so that clients (and the fuzzer) know the two; any other
    # type is still answered 404, as an unknown account is.
    entity_type: Annotated[str, Path(json_schema_extra={"enum": list(ACCOUNT_TYPES)})],
    entity_id: Annotated[str, Path(description="The account's id, as its events carry it.")],
    at: Annotated[
        datetime | None, Query(description="When (ISO 8601 with a zone); default now.")
    ] = None,
) -> dict[str, Any]:
    if entity_type not in ACCOUNT_TYPES:
        raise HTTPException(404, f"no accounts of type {entity_type!r}; known: merchant, streamer")
    ensure_may_see(principal, EntityRef(entity_type, entity_id))
    if not ACCOUNT_ID.fullmatch(entity_id):
        # Not looked up: PostgreSQL refuses to compare text holding a NUL.
        raise HTTPException(404, "not found")
    if at is not None and at.tzinfo is None:
        raise HTTPException(422, "at: give a time zone (+08:00, Z)")
    when = at or datetime.now(UTC)
    try:
        in_utc = when.astimezone(UTC)  # the store compares UTC times
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the year 1 in UTC
        raise HTTPException(422, "at: out of range") from None
    found = await run_in_threadpool(
        _in_force, request.app.state.store, EntityRef(entity_type, entity_id), in_utc
    )
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "at": when.isoformat(),
        "sanctions": found,
    }
