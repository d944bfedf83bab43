"""User listening over HTTP: the call-back list (read, log a call, resolve), NPS and
negative-feedback rates against the peers' band."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import Limit, Offset, RecordId, aware, errors
from trustfair.store.database import Store
from trustfair.store.models import CallbackRow, NegativeBandRow
from trustfair.voice.callback_states import CallbackConflict
from trustfair.voice.callback_states import CallbackRefused as Refused
from trustfair.voice.callbacks import callback_record, calls_of, log_call, resolve
from trustfair.voice.nps import GROUPINGS, MIN_N, nps_report

router = APIRouter(prefix="/v1", tags=["listening"])


class CallbackPage(BaseModel):
    total: int
    callbacks: list[dict[str, Any]]


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["reached", "no_answer"] = Field(
        description="reached moves a listed user to called; no_answer only logs the try."
    )
    note: str = Field(default="", max_length=2000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


def _store(request: Request) -> Store:
    return request.app.state.store


@router.get(
    "/callbacks",
    response_model=CallbackPage,
    summary="Users hurt by several bad experiences, to be called back (newest first)",
    responses=errors(401, 403, 422),
)
def get_callbacks(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CALLBACKS_READ))],
    state: Annotated[Literal["listed", "called", "resolved"] | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CallbackPage:
    query = select(CallbackRow)
    if state is not None:
        query = query.where(CallbackRow.state == state)
    with _store(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(CallbackRow.id.desc()).limit(limit).offset(offset))
        return CallbackPage(total=total, callbacks=[callback_record(row) for row in rows])


@router.get(
    "/callbacks/{callback_id}",
    summary="One call-back: the user's experiences, evidence and calls",
    responses=errors(401, 403, 404),
)
def get_callback(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CALLBACKS_READ))],
    callback_id: RecordId,
) -> dict[str, Any]:
    with _store(request).reading() as session:
        row = session.get(CallbackRow, callback_id)
        if row is None:
            raise HTTPException(404, f"no call-back {callback_id}")
        return callback_record(row, calls_of(session, row.id))


def _moving(request: Request, callback_id: int, work) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    try:
        with _store(request).transaction() as session:
            row = work(session, datetime.now(UTC))
            return callback_record(row, calls_of(session, row.id))
    except LookupError:
        raise HTTPException(404, f"no call-back {callback_id}") from None
    except CallbackConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except Refused as exc:
        raise HTTPException(422, str(exc)) from None


@router.post(
    "/callbacks/{callback_id}/calls",
    status_code=201,
    summary="Log a call to a listed user",
    description="409 once the call-back is resolved.",
    responses=errors(401, 403, 404, 409, 422),
)
def post_call(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CALLBACKS_WORK))],
    callback_id: RecordId,
    body: CallIn,
) -> dict[str, Any]:
    def work(session, now):  # type: ignore[no-untyped-def]
        log_call(session, callback_id, body.outcome, body.note, principal.actor, now)
        return session.get(CallbackRow, callback_id)

    return _moving(request, callback_id, work)


@router.post(
    "/callbacks/{callback_id}/resolve",
    summary="Mark a called user's problem resolved",
    description="409 unless a call reached the user (state called).",
    responses=errors(401, 403, 404, 409, 422),
)
def post_resolve(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CALLBACKS_WORK))],
    callback_id: RecordId,
    body: ResolveIn,
) -> dict[str, Any]:
    return _moving(
        request,
        callback_id,
        lambda session, now: resolve(session, callback_id, body.note, principal.actor, now),
    )


@router.get(
    "/voice/nps",
    summary="The recommendation score (NPS) with 95 % intervals, grouped, and what "
    "detractors' comments were about",
    responses=errors(401, 403, 422),
)
def get_nps(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.REPORTS_READ))],
    by: Annotated[str, Query(description=f"One of {', '.join(GROUPINGS)}.")] = "overall",
    since: datetime | None = None,
    until: datetime | None = None,
    min_n: Annotated[int, Query(ge=1, le=100_000)] = MIN_N,
) -> dict[str, Any]:
    if by not in GROUPINGS:
        raise HTTPException(422, f"by={by!r}: one of {', '.join(GROUPINGS)}")
    with _store(request).reading() as session:
        return nps_report(session, by, aware(since, "since"), aware(until, "until"), min_n)


@router.get(
    "/voice/negative-feedback",
    summary="Merchants' and streamers' negative-experience rates judged against peers",
    description="The weekly judgements of trustfair voice negative-feedback, newest first.",
    responses=errors(401, 403, 422),
)
def get_negative_feedback(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.REPORTS_READ))],
    entity_type: Annotated[Literal["merchant", "streamer"] | None, Query()] = None,
    over_band: bool | None = None,
    period: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    query = select(NegativeBandRow)
    if entity_type is not None:
        query = query.where(NegativeBandRow.entity_type == entity_type)
    if over_band is not None:
        query = query.where(NegativeBandRow.over_band == over_band)
    if period is not None:
        query = query.where(NegativeBandRow.period == period)
    with _store(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(NegativeBandRow.period.desc(), NegativeBandRow.id)
            .limit(limit)
            .offset(offset)
        )
        return {"total": total, "bands": [band_record(row) for row in rows]}


def band_record(row: NegativeBandRow) -> dict[str, Any]:
    return {
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "period": row.period,
        "since": row.since.isoformat(),
        "until": row.until.isoformat(),
        "peer_group": row.peer_group,
        "negatives": row.negatives,
        "exposures": row.exposures,
        "rate": row.rate,
        "wilson_low": row.wilson_low,
        "peer_median": row.peer_median,
        "peer_p90": row.peer_p90,
        "over_band": row.over_band,
        "event_id": row.event_id,
    }
