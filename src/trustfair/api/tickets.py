"""User voice over HTTP: the unified ticket list, one ticket, and the diagnosis.

Staff and customer service read them (``tickets:read``); merchants are not shown
users' tickets here. Handlers parse and authorise, then read ``voice.tickets`` rows and
``voice.diagnosis``; "now" (whether an open ticket is past its SLA) is the app's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import Limit, Offset, aware, errors
from trustfair.store.database import Store
from trustfair.store.models import TicketEscalationRow, TicketRow
from trustfair.voice.diagnosis import diagnose
from trustfair.voice.problems import Problem

router = APIRouter(prefix="/v1", tags=["user voice"])

Channel = Literal["in_app", "hotline", "review", "social", "survey_comment"]


class Ticket(BaseModel):
    id: str
    source: str = Field(description="ticket, review (2 stars or fewer) or survey (detractor).")
    channel: str
    user_id: str
    order_id: str | None
    merchant_id: str | None
    listing_id: str | None
    category: str | None
    streamer_id: str | None
    session_id: str | None
    text: str
    problem: str
    process: str
    problem_score: float
    runner_up: str | None
    spans: list[dict[str, Any]]
    state: str
    opened_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    satisfaction: int | None
    escalation_level: int
    breached: bool | None = Field(
        description="Past its SLA: closed after its due time, or open past it now."
    )


class Escalation(BaseModel):
    level: int
    due_at: datetime
    escalated_at: datetime
    case_id: int | None


class TicketDetail(Ticket):
    escalations: list[Escalation]


class TicketPage(BaseModel):
    total: int
    tickets: list[Ticket]


def breached(row: TicketRow, now: datetime) -> bool | None:
    if row.due_at is None:
        return None
    return (row.closed_at or now) > row.due_at


def _record(row: TicketRow, now: datetime) -> dict[str, Any]:
    fields = [name for name in Ticket.model_fields if name != "breached"]
    return {name: getattr(row, name) for name in fields} | {"breached": breached(row, now)}


@router.get(
    "/tickets",
    response_model=TicketPage,
    summary="The unified voice list, newest first",
    responses=errors(401, 403, 422),
)
def get_tickets(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.TICKETS_READ))],
    problem: Annotated[Problem | None, Query()] = None,
    channel: Annotated[Channel | None, Query()] = None,
    merchant: Annotated[str | None, Query(max_length=128)] = None,
    state: Annotated[Literal["open", "closed", "noted"] | None, Query()] = None,
    is_breached: Annotated[bool | None, Query(alias="breached")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TicketPage:
    now = request.app.state.clock.now()
    query = select(TicketRow)
    if problem is not None:
        query = query.where(TicketRow.problem == problem.value)
    if channel is not None:
        query = query.where(TicketRow.channel == channel)
    if merchant is not None:
        query = query.where(TicketRow.merchant_id == merchant)
    if state is not None:
        query = query.where(TicketRow.state == state)
    if is_breached is not None:
        late = func.coalesce(TicketRow.closed_at, now) > TicketRow.due_at
        query = query.where(TicketRow.due_at.is_not(None))
        query = query.where(late if is_breached else ~late)
    store: Store = request.app.state.store
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(TicketRow.opened_at.desc(), TicketRow.id).limit(limit).offset(offset)
        )
        return TicketPage(total=total, tickets=[Ticket(**_record(row, now)) for row in rows])


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketDetail,
    summary="One ticket or voice, with its escalations",
    responses=errors(401, 403, 404),
)
def get_ticket(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.TICKETS_READ))],
    ticket_id: Annotated[str, Path(min_length=1, max_length=160)],
) -> TicketDetail:
    now = request.app.state.clock.now()
    store: Store = request.app.state.store
    with store.reading() as session:
        row = session.get(TicketRow, ticket_id)
        if row is None:
            raise HTTPException(404, f"no ticket {ticket_id}")
        escalations = session.scalars(
            select(TicketEscalationRow)
            .where(TicketEscalationRow.ticket_id == ticket_id)
            .order_by(TicketEscalationRow.level)
        )
        return TicketDetail(
            **_record(row, now),
            escalations=[
                Escalation(
                    level=e.level, due_at=e.due_at, escalated_at=e.escalated_at, case_id=e.case_id
                )
                for e in escalations
            ],
        )


@router.get(
    "/voice/diagnosis",
    summary="Who causes which problems, and what is rising this week",
    description=(
        "Voices by problem, process and channel in the window; merchants, categories and "
        "streamers with their voices per 100 orders against the platform's; problems (and "
        "merchant × problem) up clearly this week against the 4 weeks before (Poisson "
        "tail p < 0.01, at least 5)."
    ),
    responses=errors(401, 403, 422),
)
def get_diagnosis(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.TICKETS_READ))],
    until: Annotated[datetime | None, Query(description="Default: now.")] = None,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
) -> dict[str, Any]:
    end = aware(until, "until") or request.app.state.clock.now()
    store: Store = request.app.state.store
    with store.reading() as session:
        return diagnose(session, end - timedelta(days=days), end).to_record()
