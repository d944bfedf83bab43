"""The console's urges: a merchant sees the urges about its orders at risk (each order's
deadline and whether it shipped) and acknowledges them with one button; staff see every
merchant's, or one merchant's with ?merchant=.

Acknowledging calls the same use case as the API (``merchant.urges.acknowledge``); an
urge that is not the viewer's answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from trustfair.access.roles import Permission
from trustfair.api.schemas import Offset, RecordId
from trustfair.console.routes import PAGE_SIZE, Now
from trustfair.console.web import PREFIX, Problem, Viewer, redirect, render, store_of, viewer_with
from trustfair.events.payload import EntityRef
from trustfair.merchant.urges import acknowledge
from trustfair.read.urges import merchant_urges
from trustfair.store.models import UrgeRow

P = Permission
router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/urges")
def urge_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.ENTITIES_READ))],
    merchant: Annotated[str | None, Query(max_length=128)] = None,
    offset: Offset = 0,
    acked: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    principal = viewer.principal
    if principal.sees_everything:
        merchants = [merchant.strip()] if merchant and merchant.strip() else [None]
    else:
        merchants = sorted(p.id for p in principal.owns if p.type == "merchant")
    total, urges = 0, []
    with store_of(request).reading() as session:
        for merchant_id in merchants:
            count, page = merchant_urges(session, merchant_id, PAGE_SIZE, offset)
            total += count
            urges += page
    return render(
        request,
        "urges.html",
        viewer,
        urges=urges,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        merchant=merchant or "",
        may_ack=viewer.can(P.URGES_ACK),
        acked=acked,
    )


@router.post("/urges/{urge_id}/ack")
def acknowledge_urge(
    request: Request,
    urge_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.URGES_ACK))],
    now: Now,
) -> Response:
    with store_of(request).transaction() as session:
        row = session.get(UrgeRow, urge_id)
        if row is None or not viewer.principal.may_see(EntityRef("merchant", row.merchant_id)):
            raise Problem(404, "404", viewer.locale)
        acknowledge(session, row, viewer.principal.actor, now)
    return redirect(f"{PREFIX}/urges?acked={urge_id}#urge-{urge_id}")
