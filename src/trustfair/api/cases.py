"""Cases over HTTP: the queues, a case with its evidence, and the reviewer's steps.

The steps (assign, release, decide, close) are ``cases.work``'s use cases under the
caller's name (``principal.actor``): each lands in the case's timeline. A step the
state machine does not allow is a 409 with the reason. Merchants and brands see only
their own cases; other cases answer 404, like cases that do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from trustfair.access.roles import Permission, Principal, Role, shown_actor, shown_reasons
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import (
    EventSummary,
    Limit,
    Offset,
    Party,
    RecordId,
    Sanction,
    Text,
    TextWithSpans,
    errors,
)
from trustfair.cases import work
from trustfair.cases.states import CaseState
from trustfair.enforce.appeals import APPEAL, AppealRefused
from trustfair.store.database import Store
from trustfair.store.models import CaseRow

router = APIRouter(prefix="/v1", tags=["cases"])

Reader = Annotated[Principal, Depends(require(Permission.CASES_READ))]
Worker = Annotated[Principal, Depends(require(Permission.CASES_WORK))]


# -- what comes back --------------------------------------------------------------------


class Queue(BaseModel):
    queue: str
    kind: str
    open: int
    in_review: int
    appealed: int
    overdue: int = Field(description="Waiting past the SLA.")
    oldest_due: datetime | None = Field(description="The earliest SLA due among them.")


class Queues(BaseModel):
    at: datetime
    scope: Literal["all", "own"] = Field(
        description="all for staff; own for a merchant or a brand, counting only its cases."
    )
    queues: list[Queue]


class Case(BaseModel):
    id: int
    kind: str
    queue: str
    priority: int = Field(description="0 is the most urgent.")
    state: CaseState
    subject_type: str
    subject_id: str
    summary: str
    opened_at: datetime
    sla_due_at: datetime
    overdue: bool
    updated_at: datetime
    assignee: str | None
    outcome: str | None = Field(description="confirm or overturn, once decided.")

    @classmethod
    def of(cls, row: CaseRow, now: datetime) -> Case:
        return cls(
            id=row.id,
            kind=row.kind,
            queue=row.queue,
            priority=row.priority,
            state=CaseState(row.state),
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            summary=row.summary,
            opened_at=row.opened_at,
            sla_due_at=row.sla_due_at,
            overdue=work.is_overdue(row, now),
            updated_at=row.updated_at,
            assignee=row.assignee,
            outcome=row.outcome,
        )


class CasePage(BaseModel):
    total: int
    limit: int
    offset: int
    cases: list[Case]


class TimelineStep(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str
    decision_id: int | None


class OpeningDecision(BaseModel):
    id: int
    verdict: str
    policy_version: str
    decided_at: datetime
    reasons: list[dict[str, Any]] = Field(
        description="Each rule that fired: its id, what it found and the signals it used."
    )


class CaseDetail(Case):
    party: Party | None = Field(description="The merchant or streamer the case is about.")
    timeline: list[TimelineStep]
    decision: OpeningDecision | None
    event: EventSummary | None
    texts: list[TextWithSpans]
    sanction: Sanction | None = Field(description="The sanction appealed (appeal cases).")


class DecideBody(BaseModel):
    outcome: Literal["confirm", "overturn"] = Field(
        description="confirm: the rules behind the case were right; overturn: they were not."
    )
    note: Text = Field(default="", max_length=4000)


class CloseBody(BaseModel):
    note: Text = Field(default="", max_length=4000)


class AppealBody(BaseModel):
    reason: Text = Field(min_length=1, max_length=4000)


# -- reading ----------------------------------------------------------------------------


@router.get(
    "/queues",
    response_model=Queues,
    summary="The case queues: waiting cases by state, overdue, earliest due",
    description=(
        "Staff see every queue. A merchant or a brand sees the same counts of its own "
        "cases only (scope `own`): how many of its cases wait and whether any is past "
        "its SLA, never the size of other parties' queues."
    ),
    responses=errors(401, 403),
)
def get_queues(request: Request, principal: Reader) -> Queues:
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.reading() as session:
        summaries = work.own_queue_summaries(session, principal, now)
    return Queues(
        at=now,
        scope="all" if principal.sees_everything else "own",
        queues=[Queue(**vars(s)) for s in summaries],
    )


@router.get(
    "/cases",
    response_model=CasePage,
    summary="Cases, most urgent first (a merchant or a brand: its own)",
    responses=errors(401, 403),
)
def get_cases(
    request: Request,
    principal: Reader,
    limit: Limit = 50,
    offset: Offset = 0,
    queue: Annotated[Text | None, Query(max_length=64)] = None,
    kind: Annotated[Text | None, Query(max_length=64)] = None,
    state: Annotated[
        list[CaseState] | None, Query(description="Repeat for several states.")
    ] = None,
) -> CasePage:
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.reading() as session:
        rows, total = work.list_cases(
            session,
            principal,
            queue=queue,
            kind=kind,
            states=[s.value for s in state] if state else None,
            limit=limit,
            offset=offset,
        )
        cases = [Case.of(row, now) for row in rows]
        for case in cases:  # a party sees "reviewer", not the reviewer's name
            case.assignee = shown_actor(case.assignee, principal)
    return CasePage(total=total, limit=limit, offset=offset, cases=cases)


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="A case: its timeline, the decision that opened it, the evidence in the text",
    responses=errors(401, 403, 404),
)
def get_case(request: Request, principal: Reader, case_id: RecordId) -> CaseDetail:
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.reading() as session:
        try:
            detail = work.case_detail(session, case_id, now)
        except work.CaseNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        ensure_may_see(principal, detail.party, f"no case {case_id}")
        return _detail(detail, now, principal)


def _detail(detail: work.CaseDetail, now: datetime, principal: Principal) -> CaseDetail:
    decision, event = detail.decision, detail.event
    case = Case.of(detail.case, now).model_dump()
    case["assignee"] = shown_actor(case["assignee"], principal)
    return CaseDetail(
        **case,
        party=Party.of(detail.party),
        timeline=[
            TimelineStep(
                at=step.at,
                actor=shown_actor(step.actor, principal) or "",
                action=step.action,
                from_state=step.from_state,
                to_state=step.to_state,
                note=step.note or "",
                decision_id=step.decision_id,
            )
            for step in detail.timeline
        ],
        decision=OpeningDecision(
            id=decision.id,
            verdict=decision.verdict,
            policy_version=decision.policy_version,
            decided_at=decision.decided_at,
            reasons=shown_reasons(decision.reasons, principal),
        )
        if decision
        else None,
        event=EventSummary.of(event) if event else None,
        texts=[TextWithSpans(**text) for text in detail.texts],
        sanction=Sanction.of(detail.sanction) if detail.sanction else None,
    )


# -- the steps --------------------------------------------------------------------------


Step = Callable[[Session, str, datetime], CaseRow]
"""One of ``cases.work``'s steps, given the session, the actor and the time."""


def _take_step(
    request: Request, principal: Principal, case_id: RecordId, step: Step, *, deciding: bool = False
) -> Case:
    """Take ``step`` on ``case_id`` in a transaction of its own, answering 404 for a
    case the caller may not see and 409 for a step that is refused."""
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.transaction() as session:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise HTTPException(404, f"no case {case_id}")
        if not principal.sees_everything:
            ensure_may_see(principal, work.party_of(session, case), f"no case {case_id}")
        # Deciding an appeal lifts or keeps a sanction: a right of its own.
        if deciding and case.kind == APPEAL and not principal.can(Permission.APPEALS_DECIDE):
            raise HTTPException(
                403, f"{principal.role.value} may not {Permission.APPEALS_DECIDE.value}"
            )
        try:
            row = step(session, principal.actor, now)
        except work.CaseNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except (work.CaseRefused, AppealRefused) as exc:
            raise HTTPException(409, str(exc)) from None
        session.flush()
        return Case.of(row, now)


STEP_ERRORS = errors(401, 403, 404, 409)


@router.post(
    "/cases/{case_id}/assign",
    response_model=Case,
    summary="Take a case (open or appealed) into review; the caller becomes its assignee",
    responses=STEP_ERRORS,
)
def assign(request: Request, principal: Worker, case_id: RecordId) -> Case:
    return _take_step(
        request, principal, case_id, lambda s, actor, at: work.assign(s, case_id, actor, at)
    )


@router.post(
    "/cases/{case_id}/release",
    response_model=Case,
    summary="Put a case in review back in its queue",
    responses=STEP_ERRORS,
)
def release(request: Request, principal: Worker, case_id: RecordId) -> Case:
    return _take_step(
        request,
        principal,
        case_id,
        lambda s, actor, at: work.release(
            s, case_id, actor, at, may_release_others=principal.role == Role.ADMIN
        ),
    )


@router.post(
    "/cases/{case_id}/decide",
    response_model=Case,
    summary="Confirm or overturn the rules behind a case in review",
    description=(
        "Only the case's assignee decides. On an appeal case (which also needs "
        "`appeals:decide`), overturn reverses the points and lifts the sanction. "
        "Confirming another case runs its rules' `on_confirm` actions (the default "
        "policy: held text earns its points and is taken down)."
    ),
    responses=STEP_ERRORS,
)
def decide(request: Request, principal: Worker, case_id: RecordId, body: DecideBody) -> Case:
    registry = request.app.state.registry
    return _take_step(
        request,
        principal,
        case_id,
        lambda s, actor, at: work.decide(s, case_id, actor, body.outcome, body.note, at, registry),
        deciding=True,
    )


@router.post(
    "/cases/{case_id}/close",
    response_model=Case,
    summary="Close a decided case, or dismiss an open one",
    responses=STEP_ERRORS,
)
def close(request: Request, principal: Worker, case_id: RecordId, body: CloseBody) -> Case:
    return _take_step(
        request,
        principal,
        case_id,
        lambda s, actor, at: work.close(
            s,
            case_id,
            actor,
            body.note,
            at,
            may_decide_appeals=principal.can(Permission.APPEALS_DECIDE),
        ),
    )


@router.post(
    "/cases/{case_id}/appeal",
    response_model=Case,
    summary="Appeal a confirmed case: it goes back to the queue to be decided anew",
    description=(
        "For the party the case is about (or customer service for it). A reviewer then "
        "takes it and decides again; an overturn undoes what the confirmation did "
        "(points reversed, sanctions lifted). To appeal a sanction, `POST /v1/appeals`."
    ),
    responses=STEP_ERRORS,
)
def appeal(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.APPEALS_FILE))],
    case_id: RecordId,
    body: AppealBody,
) -> Case:
    return _take_step(
        request,
        principal,
        case_id,
        lambda s, actor, at: work.appeal(s, case_id, actor, body.reason, at),
    )
