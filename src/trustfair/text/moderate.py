"""``moderate`` over JSONL: one output line per input line, in the same order.

Input lines are ``{"id", "text", "context"?, "category"?}``. A line that is not such an
object still gets its output line, ``{"id", "line", "error"}``, so the output can be
zipped with the input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from trustfair.events.fields import MAX_LONG_TEXT_CHARS
from trustfair.events.validation import describe_validation_error
from trustfair.text.engine import ModerationEngine

ContextName = Literal["listing", "live", "chat", "title", "review", "shop", "ticket", "other"]


def _unicode_text(value: str) -> str:
    # A lone surrogate (\ud800) is valid JSON but no character: it cannot be written
    # back out as UTF-8, so it is refused here rather than failing on the way out.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate, which is not a character") from None
    return value


UnicodeText = Annotated[str, AfterValidator(_unicode_text)]


class ModerationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UnicodeText | int | None = Field(default=None)
    text: Annotated[UnicodeText, Field(max_length=MAX_LONG_TEXT_CHARS)]
    context: ContextName | None = None
    category: UnicodeText | None = Field(default=None, max_length=64)


def moderate_request(engine: ModerationEngine, request: ModerationRequest) -> dict[str, Any]:
    return engine.moderate(request.text, request.context, request.category).to_record(request.id)


def moderate_lines(engine: ModerationEngine, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            yield {"id": None, "line": number, "error": "blank line"}
            continue
        try:
            request = ModerationRequest.model_validate_json(line)
        except ValidationError as exc:
            yield {"id": _id_of(line), "line": number, "error": describe_validation_error(exc)}
            continue
        yield moderate_request(engine, request)


def _id_of(line: str) -> Any:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    item_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(item_id, str):
        try:
            item_id.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return item_id
