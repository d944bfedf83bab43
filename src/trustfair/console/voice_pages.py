"""The console's user-voice page: the unified ticket list with each voice's problem
(its words marked in the text) and SLA state, the diagnosis (who causes which
problems) and what is rising this week.

Staff and customer service only (``tickets:read``), as in the API. The diagnosis runs
over the 28 days up to the newest voice (or now, if earlier): on replayed history the
page shows that history's last weeks, not an empty present.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from trustfair.access.roles import Permission
from trustfair.api.schemas import Offset
from trustfair.console.routes import PAGE_SIZE, Now
from trustfair.console.web import PREFIX, Viewer, render, store_of, viewer_with
from trustfair.store.models import TicketRow
from trustfair.voice.diagnosis import diagnose
from trustfair.voice.problems import Problem
from trustfair.voice.sla import CHANNELS
from trustfair.voice.tickets import STATES

router = APIRouter(prefix=PREFIX, include_in_schema=False)
DIAGNOSIS_DAYS = 28
PROBLEMS = tuple(p.value for p in Problem)


def sla_state(row: TicketRow, now: datetime) -> str:
    """none (no SLA), met, breached (closed late), overdue (open past it), running."""
    if row.due_at is None:
        return "none"
    if row.closed_at is not None:
        return "met" if row.closed_at <= row.due_at else "breached"
    return "overdue" if now > row.due_at else "running"


def marks(row: TicketRow) -> list[dict[str, Any]]:
    """The counted spans of the ticket's problems, merged where they overlap."""
    merged: list[dict[str, Any]] = []
    spans = sorted(
        (s for s in row.spans or [] if not s.get("negated")), key=lambda s: (s["start"], s["end"])
    )
    for span in spans:
        start, end = max(0, span["start"]), min(len(row.text), span["end"])
        if start >= end:
            continue
        if merged and start <= merged[-1]["end"]:
            merged[-1]["end"] = max(merged[-1]["end"], end)
            if span["problem"] not in merged[-1]["labels"]:
                merged[-1]["labels"].append(span["problem"])
        else:
            merged.append({"start": start, "end": end, "labels": [span["problem"]]})
    return merged


@router.get("/voice")
def voice_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(Permission.TICKETS_READ))],
    now: Now,
    problem: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    merchant: Annotated[str | None, Query(max_length=128)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    problem = problem if problem in PROBLEMS else ""
    channel = channel if channel in CHANNELS else ""
    state = state if state in STATES else ""
    merchant = (merchant or "").strip()
    only_overdue = overdue == "1"
    query = select(TicketRow)
    if problem:
        query = query.where(TicketRow.problem == problem)
    if channel:
        query = query.where(TicketRow.channel == channel)
    if state:
        query = query.where(TicketRow.state == state)
    if merchant:
        query = query.where(TicketRow.merchant_id == merchant)
    if only_overdue:
        query = query.where(
            TicketRow.due_at.is_not(None),
            func.coalesce(TicketRow.closed_at, now) > TicketRow.due_at,
        )
    with store_of(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(
                query.order_by(TicketRow.opened_at.desc(), TicketRow.id)
                .limit(PAGE_SIZE)
                .offset(offset)
            )
        )
        newest = session.scalar(select(func.max(TicketRow.opened_at)))
        until = min(now, newest) if newest is not None else now
        diagnosis = diagnose(session, until - timedelta(days=DIAGNOSIS_DAYS), until)
        return render(
            request,
            "voice.html",
            viewer,
            tickets=[{"row": row, "sla": sla_state(row, now), "marks": marks(row)} for row in rows],
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            problems=PROBLEMS,
            channels=CHANNELS,
            states=STATES,
            problem=problem,
            channel=channel,
            state=state,
            merchant=merchant,
            overdue=only_overdue,
            diagnosis=diagnosis,
        )
