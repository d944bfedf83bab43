"""User listening in the console. The call-back list: users hurt by several bad
experiences, each with its reasons (the experiences, their evidence and time), the
calls made, and the forms to log a call and to mark the problem resolved. The pages
call the same use cases as the API (``voice.callbacks``); a refusal is shown on the
page with its reason. And the listening page: NPS with its intervals by period,
category or segment, what detractors said, and who stood over the negative-feedback
band."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from trustfair.access.roles import Permission
from trustfair.api.schemas import Offset, RecordId
from trustfair.console.routes import MAX_NOTE, PAGE_SIZE, Now
from trustfair.console.web import PREFIX, Problem, Viewer, redirect, render, store_of, viewer_with
from trustfair.store.models import CallbackRow, NegativeBandRow
from trustfair.voice.callback_states import CALL_OUTCOMES, CALLED, LISTED, STATES, CallbackRefused
from trustfair.voice.callbacks import calls_of, log_call, resolve
from trustfair.voice.nps import GROUPINGS, MIN_N, answers, detractor_problems, nps_by

router = APIRouter(prefix=PREFIX)
P = Permission


@router.get("/callbacks")
def callback_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CALLBACKS_READ))],
    state: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Call-backs newest first: those still to call unless another state is asked."""
    if state not in (*STATES, "any"):
        state = LISTED
    query = select(CallbackRow)
    if state != "any":
        query = query.where(CallbackRow.state == state)
    with store_of(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(
                query.order_by(CallbackRow.id.desc()).limit(PAGE_SIZE).offset(max(0, offset))
            )
        )
        return render(
            request,
            "callbacks.html",
            viewer,
            callbacks=rows,
            state=state,
            states=STATES,
            total=total,
            offset=max(0, offset),
            page_size=PAGE_SIZE,
        )


def _callback_page(
    request: Request, viewer: Viewer, callback_id: int, status: int = 200, **more: Any
) -> HTMLResponse:
    with store_of(request).reading() as session:
        entry = session.get(CallbackRow, callback_id)
        if entry is None:
            raise Problem(404, "404", viewer.locale)
        may_work = viewer.can(P.CALLBACKS_WORK)
        return render(
            request,
            "callback.html",
            viewer,
            status=status,
            entry=entry,
            calls=calls_of(session, entry.id),
            may_call=may_work and entry.state in (LISTED, CALLED),
            may_resolve=may_work and entry.state == CALLED,
            outcomes=CALL_OUTCOMES,
            **more,
        )


@router.get("/callbacks/{callback_id}")
def callback_page(
    request: Request,
    callback_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CALLBACKS_READ))],
    done: int = 0,
) -> HTMLResponse:
    return _callback_page(request, viewer, callback_id, done=bool(done))


def _step(request: Request, viewer: Viewer, callback_id: int, work) -> Response:  # type: ignore[no-untyped-def]
    try:
        with store_of(request).transaction() as session:
            work(session)
    except LookupError:
        raise Problem(404, "404", viewer.locale) from None
    except CallbackRefused as exc:
        return _callback_page(request, viewer, callback_id, status=409, error=str(exc))
    return redirect(f"{PREFIX}/callbacks/{callback_id}?done=1")


@router.post("/callbacks/{callback_id}/calls")
def log_call_page(
    request: Request,
    callback_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CALLBACKS_WORK))],
    now: Now,
    outcome: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    actor = viewer.principal.actor
    return _step(
        request,
        viewer,
        callback_id,
        lambda session: log_call(session, callback_id, outcome, note.strip(), actor, now),
    )


@router.post("/callbacks/{callback_id}/resolve")
def resolve_page(
    request: Request,
    callback_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CALLBACKS_WORK))],
    now: Now,
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    actor = viewer.principal.actor
    return _step(
        request,
        viewer,
        callback_id,
        lambda session: resolve(session, callback_id, note.strip(), actor, now),
    )


@router.get("/listening")
def listening_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.REPORTS_READ))],
    by: str = "month",
    entity_type: str = "merchant",
) -> HTMLResponse:
    """NPS grouped ``by`` with its intervals, what detractors said, and the merchants or
    streamers whose negative feedback stood over their peers' band."""
    if by not in GROUPINGS:
        by = "month"
    if entity_type not in ("merchant", "streamer"):
        entity_type = "merchant"
    with store_of(request).reading() as session:
        rows = answers(session)
        bands = list(
            session.scalars(
                select(NegativeBandRow)
                .where(
                    NegativeBandRow.entity_type == entity_type,
                    NegativeBandRow.over_band.is_(True),
                )
                .order_by(NegativeBandRow.period.desc(), NegativeBandRow.rate.desc())
                .limit(PAGE_SIZE)
            )
        )
        return render(
            request,
            "listening.html",
            viewer,
            by=by,
            groupings=GROUPINGS,
            groups=nps_by(rows, by),
            problems=detractor_problems(rows),
            entity_type=entity_type,
            bands=bands,
            min_n=MIN_N,
        )
