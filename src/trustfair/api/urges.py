"""Urges over HTTP: a merchant reads the urges about its orders at risk and
acknowledges them, by the signed link the urge carried (no sign-in: the token is the
proof) or signed in.

A merchant sees its own urges only (another's answers 404, like one that does not
exist). A token that is not this urge's is refused with 403; an acknowledgement is
recorded once, and asking again answers the first (``acknowledged_at`` unchanged).

The link is opened by a browser, with GET: that answers a page (checking the token)
with one button that POSTs the acknowledgement. GET never acknowledges: mail scanners
and link-preview bots open links too.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, optional_principal, require
from trustfair.api.protection import MerchantId
from trustfair.api.schemas import Limit, Offset, RecordId, errors
from trustfair.events.payload import EntityRef
from trustfair.merchant.urges import Signer, UrgeRefused, acknowledge
from trustfair.read.urges import merchant_urges, urge_record
from trustfair.store.database import Store
from trustfair.store.models import UrgeRow

router = APIRouter(prefix="/v1", tags=["fulfilment"])


class UrgedOrder(BaseModel):
    order_id: str
    due_at: datetime = Field(description="The shipping deadline it was urged about.")
    shipped_at: datetime | None = Field(description="When it shipped, if it did.")


class Urge(BaseModel):
    id: int
    merchant_id: str
    sent_at: datetime = Field(description="When it was sent (event time).")
    first_due_at: datetime
    message: str
    rule: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    orders: list[UrgedOrder]


class UrgePage(BaseModel):
    total: int
    urges: list[Urge]


@router.get(
    "/merchants/{merchant_id}/urges",
    response_model=UrgePage,
    summary="The urges a merchant received about orders at risk, newest first",
    responses=errors(401, 403, 404),
)
def get_merchant_urges(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.ENTITIES_READ))],
    merchant_id: MerchantId,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UrgePage:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        total, urges = merchant_urges(session, merchant_id, limit, offset)
    return UrgePage(total=total, urges=[Urge(**u) for u in urges])


@router.get(
    "/urges/{urge_id}",
    response_model=Urge,
    summary="One urge, with its orders and what became of them",
    responses=errors(401, 403, 404),
)
def get_urge(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.ENTITIES_READ))],
    urge_id: RecordId,
) -> Urge:
    store: Store = request.app.state.store
    missing = f"no urge {urge_id}"
    with store.reading() as session:
        row = session.get(UrgeRow, urge_id)
        if row is None:
            raise HTTPException(404, missing)
        ensure_may_see(principal, EntityRef("merchant", row.merchant_id), missing)
        return Urge(**urge_record(session, row))


_ACK_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Urge {id}</title></head><body>
<h1>Urge {id} / 催发货 {id}</h1>
<p>{message}</p>
<ul>{orders}</ul>
{state}
</body></html>
"""


@router.get(
    "/urges/{urge_id}/ack",
    response_class=HTMLResponse,
    summary="The page an urge's link opens: the urge, and a button to acknowledge it",
    description=(
        "Checks the link's token (403 if it is not this urge's) and shows a one-button "
        "form that POSTs the acknowledgement. Opening the page acknowledges nothing."
    ),
    responses=errors(403),
)
def get_urge_ack_page(
    request: Request,
    urge_id: RecordId,
    token: Annotated[str, Query(min_length=1, max_length=128, description="The link's token.")],
) -> HTMLResponse:
    store: Store = request.app.state.store
    signer = Signer(request.app.state.registry.settings.urge_secret)
    with store.reading() as session:
        row = session.get(UrgeRow, urge_id)
        if row is None:
            raise HTTPException(403, f"the token does not acknowledge urge {urge_id}")
        try:
            signer.check(row, token)
        except UrgeRefused as exc:
            raise HTTPException(403, str(exc)) from None
        urge = urge_record(session, row)
    orders = "".join(
        f"<li>{escape(o['order_id'])}: {escape(o['due_at'].isoformat())}</li>"
        for o in urge["orders"]
    )
    if urge["acknowledged_at"] is not None:
        state = f"<p>Acknowledged / 已确认: {escape(urge['acknowledged_at'].isoformat())}</p>"
    else:
        action = escape(f"/v1/urges/{urge_id}/ack?token={token}")
        state = (
            f'<form method="post" action="{action}">'
            '<button type="submit">Acknowledge / 确认收到</button></form>'
        )
    page = _ACK_PAGE.format(id=urge_id, message=escape(urge["message"]), orders=orders, state=state)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.post(
    "/urges/{urge_id}/ack",
    response_model=Urge,
    summary="Acknowledge an urge: by its link's token, or signed in as its merchant",
    description=(
        "With ?token= (the link the urge carried), no sign-in is needed; a token that is "
        "not this urge's is 403. Without a token, a merchant signed in (or an admin) "
        "acknowledges its own urge. Once: asking again answers the first acknowledgement."
    ),
    responses=errors(401, 403, 404),
)
def post_urge_ack(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    urge_id: RecordId,
    token: Annotated[
        str | None, Query(min_length=1, max_length=128, description="The link's token.")
    ] = None,
) -> Urge:
    store: Store = request.app.state.store
    signer = Signer(request.app.state.registry.settings.urge_secret)
    now = request.app.state.clock.now()
    missing = f"no urge {urge_id}"
    with store.transaction() as session:
        row = session.get(UrgeRow, urge_id)
        if token is not None:
            if row is None:
                raise HTTPException(403, f"the token does not acknowledge urge {urge_id}")
            try:
                signer.check(row, token)
            except UrgeRefused as exc:
                raise HTTPException(403, str(exc)) from None
            actor = f"link:merchant:{row.merchant_id}"
        else:
            if principal is None:
                raise HTTPException(
                    401,
                    "follow the urge's link (?token=) or sign in",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            if not principal.can(Permission.URGES_ACK):
                raise HTTPException(
                    403, f"{principal.role.value} may not {Permission.URGES_ACK.value}"
                )
            if row is None:
                raise HTTPException(404, missing)
            ensure_may_see(principal, EntityRef("merchant", row.merchant_id), missing)
            actor = principal.actor
        acknowledge(session, row, actor, now)
        return Urge(**urge_record(session, row))
