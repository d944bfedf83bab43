"""Brand protection over HTTP: rights holders, their documents and rights, certification.

A brand applies, uploads and claims for the brands it owns (``brand:ID``); another
brand's holder answers 404, like one that does not exist. Reviewers certify, reject,
suspend and revoke. Handlers parse and authorise, then call the ``brand.holders`` use
cases; a refusal is 409 when the record's state (or a missing document) stands in the
way, 422 when the request itself is wrong, each with the reason.

A document is sent as the raw request body (not multipart): one file per request, its
kind and name in the query. Whatever Content-Type it comes with, its type is judged
from its bytes (PDF, PNG, JPEG); over 10 MB is 413, another type 415.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import EARLIEST, LATEST, Limit, Offset, RecordId, Text, errors
from trustfair.api.uploads import read_capped
from trustfair.brand import holders
from trustfair.brand.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    DocumentTooLarge,
    UnsupportedDocument,
    upload_document,
)
from trustfair.brand.rights import HolderState, RightKind, RightsConflict, RightsRefused
from trustfair.read.rights import (
    document_record,
    holder_record,
    holder_summary,
    right_record,
    visible_holders,
    waiting_for_review,
)
from trustfair.store.database import Store
from trustfair.store.models import BrandDocumentRow, RightsHolderRow

router = APIRouter(prefix="/v1", tags=["brand protection"])

T = TypeVar("T")
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
BrandId = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN)]
HolderId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="A rights holder.")
]
DocumentId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="A document.")
]


def _on_the_calendar(at: datetime) -> datetime:
    # Both stores keep times from year 1970 to 9000 without trouble; nothing real is outside.
    try:
        within = EARLIEST <= at <= LATEST
    except OverflowError:
        within = False
    if not within:
        raise ValueError(f"between {EARLIEST.year} and {LATEST.year}")
    return at.astimezone(UTC)


When = Annotated[AwareDatetime, AfterValidator(_on_the_calendar)]


class HolderApplication(BaseModel):
    brand_id: BrandId
    company_name: Text = Field(min_length=1, max_length=256)
    registration_number: Text = Field(
        min_length=1,
        max_length=64,
        description="For CN, the 18-character 统一社会信用代码 (its check character is checked).",
    )
    country: str = Field(default="CN", pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2.")
    agent_name: Text | None = Field(
        default=None,
        max_length=256,
        description="An agent filing for the company: certification then needs an agent_letter.",
    )


class RightFiling(BaseModel):
    kind: RightKind
    number: Text = Field(min_length=1, max_length=64, description="The registration number.")
    territory: str = Field(default="CN", pattern=r"^[A-Z]{2,8}$")
    valid_from: When
    valid_until: When | None = Field(
        default=None, description="Required for a trademark or a patent."
    )
    nice_class: int | None = Field(default=None, ge=1, le=45, description="Trademarks only.")
    document_ids: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=20,
        description="The holder's documents proving it: its certificate, and evidence.",
    )


class Note(BaseModel):
    note: Text = Field(default="", max_length=2000)


class Reason(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000, description="Shown to the holder.")


class Document(BaseModel):
    id: str
    holder_id: str
    kind: str
    filename: str
    content_type: str = Field(description="Sniffed from the bytes.")
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: str


class Right(BaseModel):
    id: int
    holder_id: str
    brand_id: str
    kind: str
    number: str
    nice_class: int | None
    territory: str
    valid_from: str
    valid_until: str | None
    document_ids: list[str]
    state: str
    applied_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    reason: str


class HolderSummary(BaseModel):
    id: str
    brand_id: str
    company_name: str
    registration_number: str
    country: str
    agent_name: str | None
    state: str
    standing: int
    applied_by: str | None
    applied_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    reason: str
    pending_rights: int = Field(description="Rights waiting for a reviewer.")


class Holder(HolderSummary):
    documents: list[Document]
    rights: list[Right]


class HolderPage(BaseModel):
    total: int
    holders: list[HolderSummary]


def _refusing(call: Callable[[], T]) -> T:
    """Run a use case, turning its refusals into HTTP answers that say why."""
    try:
        return call()
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except DocumentTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except UnsupportedDocument as exc:
        raise HTTPException(415, str(exc)) from None
    except RightsConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except RightsRefused as exc:
        raise HTTPException(422, str(exc)) from None


def _store(request: Request) -> Store:
    return request.app.state.store


def _now() -> datetime:
    return datetime.now(UTC)


# -- a brand's side: apply, upload, claim -------------------------------------------------


@router.post(
    "/rights-holders",
    response_model=Holder,
    status_code=201,
    summary="Apply as a rights holder of a brand (a brand: one it owns)",
    description=(
        "The holder is `applied` until a reviewer certifies it, which needs its "
        "business_licence (and, with an agent, an agent_letter). 409 if the brand already "
        "has a standing holder with this registration."
    ),
    responses=errors(401, 403, 404, 409, 422),
)
def post_holder(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_APPLY))],
    body: HolderApplication,
) -> Holder:
    application = holders.Application(
        body.brand_id, body.company_name, body.registration_number, body.country, body.agent_name
    )
    with _store(request).transaction() as session:
        row = _refusing(lambda: holders.apply_holder(session, principal, application, _now()))
        return Holder(**holder_record(session, row, principal))


@router.post(
    "/rights-holders/{holder_id}/documents",
    response_model=Document,
    status_code=201,
    summary="Upload one document: the raw file is the request body",
    description=(
        f"At most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB (413 beyond). Its type is judged "
        "from its bytes, not from Content-Type or the name: PDF, PNG or JPEG, else 415. "
        "The SHA-256 is kept and shown."
    ),
    responses=errors(401, 403, 404, 409, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def post_document(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_APPLY))],
    holder_id: HolderId,
    kind: Annotated[DocumentKind, Query(description="What the document is.")],
    filename: Annotated[
        Text | None, Query(max_length=256, description="Shown, not trusted.")
    ] = None,
) -> Document:
    body = await read_capped(request, MAX_DOCUMENT_BYTES, "the document")

    def work() -> dict[str, Any]:
        with _store(request).transaction() as session:
            holder = _refusing(lambda: holders.holder_for(session, principal, holder_id))
            row = _refusing(
                lambda: upload_document(
                    session, holder, kind, body, filename, _now(), principal.actor
                )
            )
            return document_record(row, principal)

    return Document(**await run_in_threadpool(work))


@router.post(
    "/rights-holders/{holder_id}/rights",
    response_model=Right,
    status_code=201,
    summary="Claim a trademark, patent or copyright for a holder",
    description=(
        "`pending` until a reviewer certifies it. The documents must be the holder's own, "
        "of a kind fitting the right (its certificate, or evidence). 409 if the same right "
        "(kind, number, territory) is already claimed, or the holder is rejected or "
        "suspended."
    ),
    responses=errors(401, 403, 404, 409, 422),
)
def post_right(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_APPLY))],
    holder_id: HolderId,
    body: RightFiling,
) -> Right:
    claim = holders.RightClaim(
        kind=body.kind,
        number=body.number,
        territory=body.territory,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        nice_class=body.nice_class,
        document_ids=body.document_ids,
    )
    with _store(request).transaction() as session:
        row = _refusing(lambda: holders.claim_right(session, principal, holder_id, claim, _now()))
        return Right(**right_record(row, principal))


# -- reading ----------------------------------------------------------------------------


@router.get(
    "/rights-holders",
    response_model=HolderPage,
    summary="Rights holders, oldest application first (a brand: its own)",
    description=(
        "`waiting=true`: the review queue, holders with an application or a right to decide."
    ),
    responses=errors(401, 403),
)
def get_holders(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    state: Annotated[HolderState | None, Query()] = None,
    brand_id: Annotated[str | None, Query(max_length=128)] = None,
    waiting: Annotated[bool, Query()] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HolderPage:
    query = visible_holders(principal)
    if state is not None:
        query = query.where(RightsHolderRow.state == state)
    if brand_id is not None:
        query = query.where(RightsHolderRow.brand_id == brand_id)
    if waiting:
        query = waiting_for_review(query)
    with _store(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(RightsHolderRow.applied_at, RightsHolderRow.id)
            .limit(limit)
            .offset(offset)
        )
        return HolderPage(
            total=total,
            holders=[HolderSummary(**holder_summary(session, row, principal)) for row in rows],
        )


@router.get(
    "/rights-holders/{holder_id}",
    response_model=Holder,
    summary="A rights holder with its documents (described, not included) and rights",
    responses=errors(401, 403, 404),
)
def get_holder(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    holder_id: HolderId,
) -> Holder:
    with _store(request).reading() as session:
        row = _refusing(lambda: holders.holder_for(session, principal, holder_id))
        return Holder(**holder_record(session, row, principal))


@router.get(
    "/rights-holders/{holder_id}/documents/{document_id}",
    response_class=Response,
    summary="Download a document (its holder's brand, and staff)",
    description="As an attachment, with the type sniffed at upload.",
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **errors(401, 403, 404),
    },
)
def get_document(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    holder_id: HolderId,
    document_id: DocumentId,
) -> Response:
    with _store(request).reading() as session:
        holder = _refusing(lambda: holders.holder_for(session, principal, holder_id))
        row = session.get(BrandDocumentRow, document_id)
        if row is None or row.holder_id != holder.id:
            raise HTTPException(404, f"no document {document_id} of rights holder {holder_id}")
        return Response(
            row.body,
            media_type=row.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )


# -- a reviewer's side -------------------------------------------------------------------

REVIEW_ERRORS = errors(401, 403, 404, 409, 422)


def _holder_step(
    request: Request, principal: Principal, step: Callable[[Session], RightsHolderRow]
) -> Holder:
    with _store(request).transaction() as session:
        row = _refusing(lambda: step(session))
        return Holder(**holder_record(session, row, principal))


def _right_step(request: Request, principal: Principal, step: Callable[[Session], Any]) -> Right:
    with _store(request).transaction() as session:
        row = _refusing(lambda: step(session))
        return Right(**right_record(row, principal))


@router.post(
    "/rights-holders/{holder_id}/certify",
    response_model=Holder,
    summary="Certify an applied holder, or reinstate a suspended one",
    description="409 with the reason while its business_licence or agent_letter is missing.",
    responses=REVIEW_ERRORS,
)
def post_certify_holder(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    holder_id: HolderId,
    body: Note | None = None,
) -> Holder:
    note = body.note if body else ""
    return _holder_step(
        request,
        principal,
        lambda s: holders.certify_holder(s, holder_id, _now(), principal.actor, note),
    )


@router.post(
    "/rights-holders/{holder_id}/reject",
    response_model=Holder,
    summary="Reject an application, saying why (its pending rights with it)",
    responses=REVIEW_ERRORS,
)
def post_reject_holder(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    holder_id: HolderId,
    body: Reason,
) -> Holder:
    return _holder_step(
        request,
        principal,
        lambda s: holders.reject_holder(s, holder_id, body.reason, _now(), principal.actor),
    )


@router.post(
    "/rights-holders/{holder_id}/suspend",
    response_model=Holder,
    summary="Suspend a certified holder: none of its rights is enforceable meanwhile",
    responses=REVIEW_ERRORS,
)
def post_suspend_holder(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    holder_id: HolderId,
    body: Reason,
) -> Holder:
    return _holder_step(
        request,
        principal,
        lambda s: holders.suspend_holder(s, holder_id, body.reason, _now(), principal.actor),
    )


@router.post(
    "/rights/{right_id}/certify",
    response_model=Right,
    summary="Certify a pending right",
    description=(
        "409 with the reason while its holder is not certified, without its certificate "
        "among its documents, or once it has expired."
    ),
    responses=REVIEW_ERRORS,
)
def post_certify_right(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    right_id: RecordId,
    body: Note | None = None,
) -> Right:
    note = body.note if body else ""
    return _right_step(
        request,
        principal,
        lambda s: holders.certify_right(s, right_id, _now(), principal.actor, note),
    )


@router.post(
    "/rights/{right_id}/reject",
    response_model=Right,
    summary="Reject a pending right, saying why",
    responses=REVIEW_ERRORS,
)
def post_reject_right(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    right_id: RecordId,
    body: Reason,
) -> Right:
    return _right_step(
        request,
        principal,
        lambda s: holders.reject_right(s, right_id, body.reason, _now(), principal.actor),
    )


@router.post(
    "/rights/{right_id}/revoke",
    response_model=Right,
    summary="Revoke a certified right, saying why",
    responses=REVIEW_ERRORS,
)
def post_revoke_right(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.RIGHTS_CERTIFY))],
    right_id: RecordId,
    body: Reason,
) -> Right:
    return _right_step(
        request,
        principal,
        lambda s: holders.revoke_right(s, right_id, body.reason, _now(), principal.actor),
    )
