"""GET /v1/webhooks and /v1/webhooks/deliveries: where commands go, and how they fare.

The webhook is configured by the environment (TRUSTFAIR_WEBHOOK_URL and _SECRET, see
the README); this shows it, with what may be a credential in the URL masked and the
secret never shown, and lets an operator find the commands that are not getting through.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import Limit, Offset, Text, errors
from trustfair.read.webhooks import deliveries, webhook_setup
from trustfair.settings import Settings
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["webhooks"])

Reader = Annotated[Principal, Depends(require(Permission.WEBHOOKS_READ))]
State = Literal["pending", "retrying", "delivered", "given_up"]


class OutboxCounts(BaseModel):
    pending: int = Field(description="Not tried yet.")
    retrying: int = Field(description="Tried and failed; due again later.")
    delivered: int
    given_up: int = Field(description="Failed max_attempts times; left undelivered.")


class Webhook(BaseModel):
    url: str | None = Field(description="Credentials masked; null: nothing is delivered.")
    secret_set: bool = Field(
        description="Whether deliveries are signed (the secret is never shown)."
    )
    max_attempts: int
    outbox: OutboxCounts


class Delivery(BaseModel):
    id: int
    topic: str
    delivery_key: str = Field(
        description="Sent as X-Trustfair-Delivery: the receiver's dedupe key."
    )
    state: State
    attempts: int
    last_error: str | None
    created_at: datetime
    due_at: datetime | None = Field(description="When the next attempt is due, if any.")
    delivered_at: datetime | None
    decision_id: int | None
    payload: dict[str, Any]


class Deliveries(BaseModel):
    total: int
    limit: int
    offset: int
    deliveries: list[Delivery]


def _settings(request: Request) -> Settings:
    return request.app.state.registry.settings


@router.get(
    "/webhooks",
    response_model=Webhook,
    summary="The webhook the outbox delivers to, and its commands by state",
    responses=errors(401, 403),
)
def get_webhooks(request: Request, _: Reader) -> Webhook:
    store: Store = request.app.state.store
    with store.reading() as session:
        setup = webhook_setup(session, _settings(request))
    return Webhook(
        url=setup.url,
        secret_set=setup.secret_set,
        max_attempts=setup.max_attempts,
        outbox=OutboxCounts(**setup.counts),
    )


@router.get(
    "/webhooks/deliveries",
    response_model=Deliveries,
    summary="Outbox commands, newest first: attempts, last error, due and delivered times",
    responses=errors(401, 403),
)
def get_deliveries(
    request: Request,
    _: Reader,
    topic: Annotated[Text | None, Query(max_length=64)] = None,
    undelivered: Annotated[
        bool | None, Query(description="true: only those not delivered; false: only delivered.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Deliveries:
    store: Store = request.app.state.store
    with store.reading() as session:
        found, total = deliveries(
            session,
            _settings(request),
            topic=topic,
            undelivered=undelivered,
            limit=limit,
            offset=offset,
        )
        items = [
            Delivery(
                id=d.row.id,
                topic=d.row.topic,
                delivery_key=d.row.dedupe_key,
                state=d.state,  # type: ignore[arg-type]
                attempts=d.row.attempts,
                last_error=d.row.last_error,
                created_at=d.row.created_at,
                due_at=d.due_at,
                delivered_at=d.row.delivered_at,
                decision_id=d.row.decision_id,
                payload=d.row.payload,
            )
            for d in found
        ]
    return Deliveries(total=total, limit=limit, offset=offset, deliveries=items)
