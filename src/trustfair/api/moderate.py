"""POST /v1/moderate: the text engine behind ``trustfair moderate``, one text or many."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission
from trustfair.api.auth import require
from trustfair.api.schemas import errors
from trustfair.text.moderate import ModerationRequest, moderate_request

MAX_TEXTS_PER_CALL = 1_000

router = APIRouter(
    prefix="/v1",
    tags=["moderation"],
    responses=errors(401, 403),
    dependencies=[Depends(require(Permission.MODERATE))],
)


class Span(BaseModel):
    start: int
    end: int
    text: str


class LabelResult(BaseModel):
    label: str
    score: float
    severity: str
    rule: str
    spans: list[Span]


class ModerationResult(BaseModel):
    id: str | int | None
    verdict: str = Field(description="pass, review or block")
    labels: list[LabelResult]
    lexicon_version: str


class ModerationBatch(BaseModel):
    items: list[ModerationRequest] = Field(max_length=MAX_TEXTS_PER_CALL)


@router.post(
    "/moderate",
    response_model=ModerationResult | list[ModerationResult],
    summary="Moderate one text, or a batch of texts",
    description=(
        'Send `{"text", "id"?, "context"?, "category"?}` for one text or '
        '`{"items": [...]}` for up to 1,000; spans point at the original characters. '
        "Every result of one call carries the same lexicon version."
    ),
)
def moderate(
    request: Request, body: ModerationRequest | ModerationBatch
) -> dict[str, Any] | list[dict[str, Any]]:
    engine = request.app.state.engine_holder.current()
    if isinstance(body, ModerationBatch):
        return [moderate_request(engine, item) for item in body.items]
    return moderate_request(engine, body)
