"""POST /v1/events: a batch of events, validated and processed like a file's lines."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from trustfair.access.roles import Permission
from trustfair.api.auth import require
from trustfair.api.schemas import errors
from trustfair.api.session import client_of
from trustfair.events.ingest import (
    DEFAULT_BATCH_SIZE,
    UTF8_BOM,
    Line,
    ingest_lines,
    read_lines,
)
from trustfair.events.validation import check_json_text

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_EVENTS_PER_BATCH = 10_000

router = APIRouter(
    prefix="/v1",
    tags=["events"],
    responses=errors(401, 403),
    dependencies=[Depends(require(Permission.EVENTS_WRITE))],
)


class RejectedItem(BaseModel):
    index: int
    """Position in the batch, from 1 (the line number for NDJSON bodies)."""
    reason: str


class Command(BaseModel):
    topic: str
    """What the marketplace is told to do: live.refuse, sanction.issued, live.shutdown …"""
    payload: dict[str, Any]


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    rejections: list[RejectedItem]
    commands: list[Command] = []
    """Commands decided for this batch's newly accepted events (also sent by webhook):
    a suspended streamer's live.started is answered here with live.refuse. A resent
    event (a duplicate) is not decided again, so its commands are not repeated here."""


def _lines_from_json(body: bytes) -> list[Line]:
    try:
        text = body.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"body is not UTF-8: byte {exc.start}: {exc.reason}") from None
    problem = check_json_text(text)
    if problem:
        raise HTTPException(400, f"body is not JSON: {problem.removeprefix('invalid JSON: ')}")
    document: Any = json.loads(text)
    if isinstance(document, dict) and set(document) == {"events"}:
        document = document["events"]
    if not isinstance(document, list):
        raise HTTPException(400, 'body must be a JSON array of events or {"events": [...]}')
    lines = []
    for index, item in enumerate(document, start=1):
        serialised = json.dumps(item, ensure_ascii=False)
        try:
            raw = serialised.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (\ud800): keep it escaped so the validator names it.
            raw = json.dumps(item).encode("ascii")
        lines.append(Line(index, raw, len(raw)))
    return lines


@router.post(
    "/events",
    response_model=BatchResult,
    summary="Send a batch of events",
    description=(
        'The body is a JSON array of events, `{"events": [...]}`, or NDJSON '
        "(`Content-Type: application/x-ndjson`, one event a line). Each event is "
        "validated on its own: valid ones are stored and processed, a repeated "
        "event_id is counted as a duplicate and changes nothing, and each invalid one "
        "is listed with its position and reason. The answer is 200 whenever the batch "
        "was read, even if some events were rejected."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_EVENTS_PER_BATCH,
                        "items": {
                            "type": "object",
                            "description": "An event (see `trustfair schema`).",
                            "required": ["event_id", "type", "occurred_at", "source", "payload"],
                        },
                    }
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
        "responses": {
            "400": {"description": "The body is not a JSON array of events."},
            "413": {"description": "The body or the batch is over the limit."},
        },
    },
)
async def post_events(request: Request) -> BatchResult:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"body is {declared} bytes; the limit is {MAX_BODY_BYTES}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"body is over the limit of {MAX_BODY_BYTES} bytes")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type in ("application/x-ndjson", "application/jsonl", "application/jsonlines"):
        lines = list(read_lines(io.BytesIO(bytes(body))))
    else:
        lines = _lines_from_json(bytes(body))
    if len(lines) > MAX_EVENTS_PER_BATCH:
        raise HTTPException(
            413, f"{len(lines)} events in one batch; the limit is {MAX_EVENTS_PER_BATCH}"
        )
    state = request.app.state
    client = client_of(request)
    if len(lines) <= DEFAULT_BATCH_SIZE:
        # Small batches (one event, often) are committed together with whatever
        # other requests arrived meanwhile: see trustfair.events.group_commit.
        result = await asyncio.wrap_future(state.committer.submit(lines, f"http:{client}"))
        rejections = result.rejections
    else:
        rejections = []
        result = await run_in_threadpool(
            ingest_lines,
            state.store,
            state.registry,
            lines,
            source_name=f"http:{client}",
            on_reject=rejections.append,
        )
    state.metrics.count_events(result.counts())
    commands = result.pipeline.commands_for(result.stored_seqs)
    return BatchResult(
        **result.counts(),
        rejections=[RejectedItem(index=r.line, reason=r.reason) for r in rejections],
        commands=[Command(**command) for command in commands],
    )
