"""The counterfeit feature library over HTTP: a brand's bank and what it caught.

A brand reads and edits its own bank (while it holds a certified, valid trademark) and
sees the checks of listings that touched it; platform staff see and edit every bank.
Another brand's bank answers 404, like one that does not exist. Handlers parse and
authorise, then call ``brand.library``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import Limit, Offset, RecordId, errors
from trustfair.brand.library import (
    BankError,
    EntryKind,
    NewEntry,
    NotAllowed,
    add_entry,
    entries_of,
    set_enabled,
)
from trustfair.events.payload import EntityRef
from trustfair.store.database import Store
from trustfair.store.models import BankEntryRow, BrandCheckRow

router = APIRouter(prefix="/v1", tags=["brand protection"])

BrandId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description="A brand.")
]


class EntryIn(BaseModel):
    kind: EntryKind
    value: str = Field(
        default="",
        max_length=200,
        description="The term (name, slang), the merchant (authorised_seller) or the "
        "regular expression (serial_pattern).",
    )
    amount_fen: int | None = Field(
        default=None, gt=0, le=10**12, description="A price_floor's amount, in fen."
    )
    category: str | None = Field(
        default=None, max_length=64, description="A price_floor for one category only."
    )
    image_id: str | None = Field(
        default=None, max_length=128, description="The uploaded picture of a picture entry."
    )
    negative: bool = Field(
        default=False, description="What is *not* a fake although it matches (names, pictures)."
    )
    note: str = Field(default="", max_length=500)


class Entry(BaseModel):
    id: int
    brand_id: str
    kind: str
    negative: bool
    value: str
    amount_fen: int | None
    category: str | None
    image_id: str | None
    enabled: bool
    note: str
    added_by: str
    added_at: datetime
    changed_by: str | None
    changed_at: datetime | None


class BrandCheck(BaseModel):
    id: int
    listing_id: str
    merchant_id: str
    brand_id: str
    kind: str = Field(description="counterfeit (the mark used) or lookalike.")
    outcome: str = Field(description="intercept, review or monitor.")
    score: float
    reasons: list[dict[str, Any]]
    checked_at: datetime


class BrandCheckPage(BaseModel):
    total: int
    checks: list[BrandCheck]


def _entry(row: BankEntryRow) -> Entry:
    return Entry.model_validate(row, from_attributes=True)


def _brand(principal: Principal, brand_id: str) -> None:
    ensure_may_see(principal, EntityRef("brand", brand_id), f"no brand {brand_id}")


@router.get(
    "/brands/{brand_id}/bank",
    response_model=list[Entry],
    summary="A brand's bank, disabled and negative entries included",
    responses=errors(401, 403, 404),
)
def get_bank(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    brand_id: BrandId,
    kind: Annotated[EntryKind | None, Query()] = None,
) -> list[Entry]:
    _brand(principal, brand_id)
    store: Store = request.app.state.store
    with store.reading() as session:
        rows = entries_of(session, brand_id)
    return [_entry(r) for r in rows if kind is None or r.kind == kind]


@router.post(
    "/brands/{brand_id}/bank",
    response_model=Entry,
    status_code=201,
    summary="Add an entry to a brand's bank",
    description="A brand adds to its own bank while it holds a certified trademark valid "
    "now (403 otherwise); reviewers and admins add to any bank. 422 says what is wrong "
    "with the entry (a picture not uploaded or too poor to match, a regular expression "
    "that could run away, a negative price floor …).",
    responses=errors(401, 403, 404, 422),
)
def post_bank_entry(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BANK_WRITE))],
    brand_id: BrandId,
    body: EntryIn,
) -> Entry:
    _brand(principal, brand_id)
    store: Store = request.app.state.store
    entry = NewEntry(
        brand_id,
        body.kind,
        body.value,
        body.amount_fen,
        body.category,
        body.image_id,
        body.negative,
        body.note,
    )
    try:
        with store.transaction() as session:
            return _entry(add_entry(session, principal, entry, datetime.now(UTC)))
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except BankError as exc:
        raise HTTPException(422, str(exc)) from None


def _switch(request: Request, principal: Principal, entry_id: int, enabled: bool) -> Entry:
    store: Store = request.app.state.store
    try:
        with store.transaction() as session:
            return _entry(set_enabled(session, principal, entry_id, enabled, datetime.now(UTC)))
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None


@router.post(
    "/bank/{entry_id}/disable",
    response_model=Entry,
    summary="Disable a bank entry: it stops matching with the next check",
    responses=errors(401, 403, 404),
)
def post_disable(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BANK_WRITE))],
    entry_id: RecordId,
) -> Entry:
    return _switch(request, principal, entry_id, False)


@router.post(
    "/bank/{entry_id}/enable",
    response_model=Entry,
    summary="Enable a disabled bank entry again",
    responses=errors(401, 403, 404),
)
def post_enable(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BANK_WRITE))],
    entry_id: RecordId,
) -> Entry:
    return _switch(request, principal, entry_id, True)


@router.get(
    "/brands/{brand_id}/checks",
    response_model=BrandCheckPage,
    summary="Listings checked against a brand's bank, newest first, with their reasons",
    responses=errors(401, 403, 404),
)
def get_brand_checks(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    brand_id: BrandId,
    outcome: Annotated[Literal["intercept", "review", "monitor"] | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> BrandCheckPage:
    _brand(principal, brand_id)
    where = [BrandCheckRow.brand_id == brand_id]
    if outcome is not None:
        where.append(BrandCheckRow.outcome == outcome)
    store: Store = request.app.state.store
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(BrandCheckRow).where(*where))
        rows = session.scalars(
            select(BrandCheckRow)
            .where(*where)
            .order_by(BrandCheckRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        checks = [BrandCheck.model_validate(r, from_attributes=True) for r in rows]
    return BrandCheckPage(total=int(total or 0), checks=checks)
