"""The merchant-support pages of the console: a merchant's trust score with each
component and its reason, whether it is paid on shipment and why not, and its advances.
A merchant sees its own (another's answers 404, as if it did not exist); staff any.
The score is read at the console's time under the serving policy's settlement terms,
the same reading as ``GET /v1/merchants/{id}/trust-score``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from trustfair.access.roles import Permission
from trustfair.console.routes import PAGE_SIZE, Now
from trustfair.console.web import PREFIX, Problem, Viewer, render, store_of, viewer_with
from trustfair.events.payload import EntityRef
from trustfair.merchant.settlement_terms import Settlement
from trustfair.merchant.views import advances_view, trust_view

router = APIRouter(prefix=PREFIX, include_in_schema=False)

MerchantId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get("/merchants/{merchant_id}/trust")
def trust_page(
    request: Request,
    merchant_id: MerchantId,
    viewer: Annotated[Viewer, Depends(viewer_with(Permission.ENTITIES_READ))],
    now: Now,
) -> HTMLResponse:
    if not viewer.principal.may_see(EntityRef("merchant", merchant_id)):
        raise Problem(404, "404", viewer.locale)
    spec = getattr(request.app.state.registry.policy, "spec", None)
    terms = spec.settlement if spec is not None else Settlement()
    with store_of(request).reading() as session:
        score = trust_view(session, merchant_id, now, terms)
        advances = (
            advances_view(session, merchant_id, limit=PAGE_SIZE)
            if viewer.can(Permission.CLAIMS_READ)
            else None
        )
    return render(
        request,
        "merchant_trust.html",
        viewer,
        merchant_id=merchant_id,
        score=score,
        advances=advances,
    )
