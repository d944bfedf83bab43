"""Merchant support over HTTP: a merchant's trust score with its reasons, and its
early-settlement advances. A merchant sees its own (another's is 404, like one that
does not exist); staff see any. Reading only: advances move with the order events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import Limit, Offset, errors
from trustfair.events.payload import EntityRef
from trustfair.merchant.settlement_terms import Settlement
from trustfair.merchant.views import advances_view, trust_view
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["merchant support"])

MerchantId = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description="A merchant."),
]


def terms_of(request: Request) -> Settlement:
    """The serving policy's settlement terms."""
    spec = getattr(request.app.state.registry.policy, "spec", None)
    return spec.settlement if spec is not None else Settlement()


@router.get(
    "/merchants/{merchant_id}/trust-score",
    summary="A merchant's trust score, its components and reasons, and early settlement",
    responses=errors(401, 403, 404, 422),
)
def get_trust_score(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.ENTITIES_READ))],
    merchant_id: MerchantId,
    at: Annotated[
        datetime | None,
        Query(description="The moment scored, with its offset; now if left out."),
    ] = None,
) -> dict[str, Any]:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    if at is not None and at.tzinfo is None:
        raise HTTPException(422, "at needs its offset (2026-03-01T20:00:00+08:00)")
    when = at if at is not None else request.app.state.clock.now()
    store: Store = request.app.state.store
    with store.reading() as session:
        return trust_view(session, merchant_id, when, terms_of(request))


@router.get(
    "/merchants/{merchant_id}/advances",
    summary="A merchant's early-settlement advances and their state",
    responses=errors(401, 403, 404, 422),
)
def get_advances(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_READ))],
    merchant_id: MerchantId,
    state: Literal["advanced", "settled", "refunded", "repaid"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        return advances_view(session, merchant_id, state=state, limit=limit, offset=offset)
