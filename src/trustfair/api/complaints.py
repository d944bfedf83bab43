"""Notice and takedown over HTTP: rights holders file notices, merchants declare
non-infringement, reviewers reject, find malicious or approve, and everyone concerned
reads the timeline.

A brand acts for its own brands only, a merchant answers only notices against its own
listings; a complaint that is not yours answers 404, like one that does not exist.
Steps the state machine does not allow now (or whose deadline passed) are 409; a
notice or step refused for what it says (no evidence, a right not enforceable, the
wrong brand) is 422 with the reason. Handlers parse and authorise, then call the
``brand.complaints`` use cases, on the app's clock (``app.state.clock``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.access.roles import Permission, Principal, shown_actor
from trustfair.api.auth import require
from trustfair.api.schemas import Limit, Offset, RecordId, Text, errors
from trustfair.brand import complaints
from trustfair.brand.complaint_states import ComplaintState
from trustfair.brand.complaints import ComplaintConflict, ComplaintRefused, Notice, StepRefused
from trustfair.events.payload import EntityRef
from trustfair.read.complaints import visible_complaints
from trustfair.store.database import Store
from trustfair.store.models import ComplaintRow, ComplaintStepRow

router = APIRouter(prefix="/v1", tags=["brand protection"])

Ref = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
STEP_ERRORS = errors(401, 403, 404, 409, 422)


class Evidence(BaseModel):
    kind: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")] = Field(
        description="test_purchase, comparison, certificate, invoice, licence, ..."
    )
    description: Text = Field(default="", max_length=2000)
    url: Text | None = Field(default=None, max_length=2048)
    document_id: Ref | None = Field(default=None, description="An uploaded brand document.")


class NoticeFiling(BaseModel):
    notice_ref: Ref = Field(description="The rights holder's own id: filing it again is safe.")
    brand_id: Ref
    holder_id: Ref
    right_id: int = Field(ge=1, le=2**53)
    listing_id: Ref
    jurisdiction: Literal["CN", "US-DMCA"] = "CN"
    text: Text = Field(default="", max_length=5000)
    evidence: list[Evidence] = Field(
        max_length=50, description="Prima facie evidence: at least one item."
    )


class Declaration(BaseModel):
    declaration: Text = Field(min_length=1, max_length=5000)
    evidence: list[Evidence] = Field(max_length=50, description="At least one item.")


class ActionProof(BaseModel):
    kind: Literal["complaint", "lawsuit"] = Field(
        description="A complaint to the authorities, or a lawsuit."
    )
    authority: Text = Field(min_length=1, max_length=256, description="The office or court.")
    reference: Text = Field(min_length=1, max_length=256, description="Its case number.")
    filed_on: date
    document_id: Ref | None = None


class Reason(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000)


class ReviewNote(BaseModel):
    note: Text = Field(default="", max_length=2000)


class Step(BaseModel):
    at: datetime
    actor: str | None
    from_state: str | None
    to_state: str
    note: str


class Complaint(BaseModel):
    id: int
    notice_ref: str
    brand_id: str
    holder_id: str
    right_id: int
    listing_id: str
    merchant_id: str
    jurisdiction: str
    state: str
    outcome: str | None
    text: str
    evidence: list[dict[str, Any]]
    declaration: str
    action_proof: dict[str, Any] | None
    filed_by: str | None
    filed_at: datetime
    measures_at: datetime | None
    declared_at: datetime | None
    due_at: datetime | None = Field(description="When the running timer fires.")
    closed_at: datetime | None


class ComplaintWithTimeline(Complaint):
    timeline: list[Step]


class ComplaintPage(BaseModel):
    total: int
    complaints: list[Complaint]


def _record(row: ComplaintRow, principal: Principal) -> dict[str, Any]:
    record = {name: getattr(row, name) for name in Complaint.model_fields}
    record["filed_by"] = shown_actor(row.filed_by, principal)
    return record


def _with_timeline(session: Session, row: ComplaintRow, principal: Principal) -> dict[str, Any]:
    steps = session.scalars(
        select(ComplaintStepRow)
        .where(ComplaintStepRow.complaint_id == row.id)
        .order_by(ComplaintStepRow.id)
    )
    timeline = [
        {
            "at": step.at,
            "actor": shown_actor(step.actor, principal),
            "from_state": step.from_state,
            "to_state": step.to_state,
            "note": step.note,
        }
        for step in steps
    ]
    return {**_record(row, principal), "timeline": timeline}


def _visible(principal: Principal, row: ComplaintRow) -> bool:
    return principal.may_see(EntityRef("brand", row.brand_id)) or principal.may_see(
        EntityRef("merchant", row.merchant_id)
    )


def _step(
    request: Request,
    principal: Principal,
    complaint_id: int,
    work: Callable[[Session, ComplaintRow, datetime], Any],
    party: Callable[[ComplaintRow], EntityRef] | None = None,
) -> ComplaintWithTimeline:
    """Run one step on a complaint ``principal`` may act on (``party`` of it is theirs),
    answering the use case's refusals as HTTP errors."""
    store: Store = request.app.state.store
    now = request.app.state.clock.now()
    try:
        with store.transaction() as session:
            row = session.get(ComplaintRow, complaint_id)
            acts_for = party(row) if party is not None and row is not None else None
            if row is None or (acts_for is not None and not principal.may_see(acts_for)):
                raise LookupError(f"no complaint {complaint_id}")
            work(session, row, now)
            session.refresh(row)
            return ComplaintWithTimeline(**_with_timeline(session, row, principal))
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except (StepRefused, ComplaintConflict) as exc:
        raise HTTPException(409, str(exc)) from None
    except ComplaintRefused as exc:
        raise HTTPException(422, str(exc)) from None


def _brand_of(row: ComplaintRow) -> EntityRef:
    return EntityRef("brand", row.brand_id)


def _merchant_of(row: ComplaintRow) -> EntityRef:
    return EntityRef("merchant", row.merchant_id)


def _items(evidence: list[Evidence]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in evidence]


@router.post(
    "/complaints",
    response_model=ComplaintWithTimeline,
    status_code=201,
    summary="File a notice against a listing (E-Commerce Law Art. 42)",
    description=(
        "A notice with prima facie evidence, on a certified right of the brand, has the "
        "listing taken down at once (listing.take_down by webhook) and is forwarded to "
        "the merchant, who may declare non-infringement within the jurisdiction's answer "
        "window; a holder whose standing is low waits for a reviewer (pending_review). "
        "Sending a notice_ref again answers the first complaint (200); with another "
        "notice, 409. 403 for a brand that is not yours, 422 with the reason when refused."
    ),
    responses={200: {"model": ComplaintWithTimeline}, **STEP_ERRORS},
)
def post_complaint(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_FILE))],
    body: NoticeFiling,
) -> JSONResponse:
    if not principal.may_see(EntityRef("brand", body.brand_id)):
        raise HTTPException(403, f"brand {body.brand_id} is not one you act for")
    notice = Notice(
        notice_ref=body.notice_ref,
        brand_id=body.brand_id,
        holder_id=body.holder_id,
        right_id=body.right_id,
        listing_id=body.listing_id,
        evidence=_items(body.evidence),
        text=body.text,
        jurisdiction=body.jurisdiction,
    )
    store: Store = request.app.state.store
    now = request.app.state.clock.now()
    try:
        with store.transaction() as session:
            row, created = complaints.file_notice(session, notice, now, principal.actor)
            answer = ComplaintWithTimeline(**_with_timeline(session, row, principal))
    except ComplaintConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except ComplaintRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(answer.model_dump(mode="json"), 201 if created else 200)


@router.get(
    "/complaints",
    response_model=ComplaintPage,
    summary="Complaints, newest first (a brand: its own; a merchant: those against it)",
    responses=errors(401, 403),
)
def get_complaints(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    state: Annotated[ComplaintState | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ComplaintPage:
    query = visible_complaints(principal)
    if state is not None:
        query = query.where(ComplaintRow.state == state.value)
    store: Store = request.app.state.store
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(ComplaintRow.id.desc()).limit(limit).offset(offset))
        return ComplaintPage(
            total=total, complaints=[Complaint(**_record(row, principal)) for row in rows]
        )


@router.get(
    "/complaints/{complaint_id}",
    response_model=ComplaintWithTimeline,
    summary="A complaint with its timeline",
    responses=errors(401, 403, 404),
)
def get_complaint(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    complaint_id: RecordId,
) -> ComplaintWithTimeline:
    store: Store = request.app.state.store
    with store.reading() as session:
        row = session.get(ComplaintRow, complaint_id)
        if row is None or not _visible(principal, row):
            raise HTTPException(404, f"no complaint {complaint_id}")
        return ComplaintWithTimeline(**_with_timeline(session, row, principal))


@router.post(
    "/complaints/{complaint_id}/declaration",
    response_model=ComplaintWithTimeline,
    summary="Declare non-infringement (the merchant, within the answer window)",
    description=(
        "Forwarded to the rights holder with the evidence; the listing is restored when "
        "the jurisdiction's lift timer runs out (CN: 15 days; US-DMCA: 10 business days) "
        "unless the holder shows a complaint to the authorities or a lawsuit first."
    ),
    responses=STEP_ERRORS,
)
def post_declaration(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_ANSWER))],
    complaint_id: RecordId,
    body: Declaration,
) -> ComplaintWithTimeline:
    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        complaints.declare(
            session,
            row.id,
            row.merchant_id,
            body.declaration,
            _items(body.evidence),
            now,
            principal.actor,
        )

    return _step(request, principal, complaint_id, work, _merchant_of)


@router.post(
    "/complaints/{complaint_id}/action-proof",
    response_model=ComplaintWithTimeline,
    summary="Show a complaint to the authorities or a lawsuit (the rights holder)",
    description="Before the lift timer runs out: the measures stay (referred).",
    responses=STEP_ERRORS,
)
def post_action_proof(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_FILE))],
    complaint_id: RecordId,
    body: ActionProof,
) -> ComplaintWithTimeline:
    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        proof = body.model_dump(mode="json", exclude_none=True)
        complaints.show_action(session, row.id, row.brand_id, proof, now, principal.actor)

    return _step(request, principal, complaint_id, work, _brand_of)


@router.post(
    "/complaints/{complaint_id}/withdraw",
    response_model=ComplaintWithTimeline,
    summary="Withdraw a notice (the rights holder): any measures are lifted",
    responses=STEP_ERRORS,
)
def post_withdraw(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_FILE))],
    complaint_id: RecordId,
    body: Reason,
) -> ComplaintWithTimeline:
    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        complaints.withdraw(session, row.id, row.brand_id, body.reason, now, principal.actor)

    return _step(request, principal, complaint_id, work, _brand_of)


def _reviewer_reject(malicious: bool):  # type: ignore[no-untyped-def]
    def handler(
        request: Request,
        principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_DECIDE))],
        complaint_id: RecordId,
        body: Reason,
    ) -> ComplaintWithTimeline:
        def work(session: Session, row: ComplaintRow, now: datetime) -> None:
            complaints.reject(
                session, row.id, body.reason, now, principal.actor, malicious=malicious
            )

        return _step(request, principal, complaint_id, work)

    handler.__name__ = "post_malicious" if malicious else "post_reject"
    return handler


router.post(
    "/complaints/{complaint_id}/reject",
    response_model=ComplaintWithTimeline,
    summary="Reject a notice as unfounded (a reviewer): any measures are lifted",
    description="Costs the rights holder a little standing.",
    responses=STEP_ERRORS,
)(_reviewer_reject(malicious=False))
router.post(
    "/complaints/{complaint_id}/malicious",
    response_model=ComplaintWithTimeline,
    summary="Reject a notice as malicious (a reviewer): any measures are lifted",
    description=(
        "Costs the rights holder much standing; below the bar its notices wait for a "
        "reviewer before any measure."
    ),
    responses=STEP_ERRORS,
)(_reviewer_reject(malicious=True))


@router.post(
    "/complaints/{complaint_id}/review",
    response_model=ComplaintWithTimeline,
    summary="Approve the measures of a notice waiting for review (a reviewer)",
    description=(
        "For a holder in low standing: the listing is taken down and the notice "
        "forwarded now. A right no longer enforceable rejects the notice instead."
    ),
    responses=STEP_ERRORS,
)
def post_review(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COMPLAINTS_DECIDE))],
    complaint_id: RecordId,
    body: ReviewNote,
) -> ComplaintWithTimeline:
    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        complaints.approve_measures(session, row.id, body.note, now, principal.actor)

    return _step(request, principal, complaint_id, work)
