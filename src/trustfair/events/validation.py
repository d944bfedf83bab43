"""Turn one line of input into an event or a rejection that says what and where.

Nothing here touches the store: a line is judged on its own. Duplicates are found
later, against the event log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from trustfair.events.envelope import ENVELOPE_TYPES, Envelope, event_adapter

MAX_LINE_BYTES = 256 * 1024
"""A line longer than this is refused before it is parsed (oversized)."""

MAX_RAW_IN_REJECT = 64 * 1024
"""How much of a rejected line is copied into the rejects file."""


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str
    raw: str
    raw_bytes: int

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"line": self.line, "reason": self.reason, "raw": self.raw}
        if self.raw_bytes > len(self.raw.encode("utf-8", "surrogateescape")):
            record["raw_truncated_from_bytes"] = self.raw_bytes
        return record


def _raw_text(raw: bytes) -> str:
    # Keep every byte visible: invalid UTF-8 shows as \xNN escapes instead of vanishing.
    return raw[:MAX_RAW_IN_REJECT].decode("utf-8", "backslashreplace")


def _where(loc: tuple[Any, ...]) -> str:
    # pydantic puts the union tag first ("order.paid", "payload", "amount_fen"); the
    # sender only needs the path inside the event.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ENVELOPE_TYPES:
        parts = parts[1:]
    return ".".join(parts) or "event"


def describe_validation_error(error: ValidationError) -> str:
    """One readable sentence per problem, joined: 'payload.price_fen: ...; ...'."""
    problems = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        ctx = item.get("ctx") or {}
        if kind == "json_invalid":
            return f"invalid JSON: {ctx.get('error', item['msg'])}"
        if kind == "union_tag_invalid":
            problems.append(f"type: unknown event type {ctx.get('tag')!r}")
        elif kind == "union_tag_not_found":
            problems.append("type: missing (every event needs a type)")
        elif kind == "model_type" or kind == "dict_type":
            problems.append(f"{_where(item['loc'])}: must be a JSON object")
        elif kind == "timezone_aware":
            problems.append(f"{_where(item['loc'])}: timestamp has no time zone")
        elif kind == "string_too_long":
            limit = ctx.get("max_length")
            problems.append(f"{_where(item['loc'])}: oversized text (more than {limit} characters)")
        elif kind == "missing":
            problems.append(f"{_where(item['loc'])}: missing")
        elif kind == "extra_forbidden":
            problems.append(f"{_where(item['loc'])}: unknown field")
        else:
            problems.append(f"{_where(item['loc'])}: {item['msg']}")
    return "; ".join(problems)


def parse_line(raw: bytes, line: int, *, size: int | None = None) -> Envelope | Rejection:
    """Validate one JSONL line (without its newline).

    ``size`` is the whole line's length when ``raw`` is only its head: a reader that
    will not hold an oversized line in memory passes it.
    """
    size = len(raw) if size is None else size
    if size > MAX_LINE_BYTES:
        return Rejection(
            line,
            f"oversized line: {size} bytes, the limit is {MAX_LINE_BYTES}",
            _raw_text(raw),
            size,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(
            line, f"invalid UTF-8 at byte {exc.start}: {exc.reason}", _raw_text(raw), len(raw)
        )
    try:
        return event_adapter().validate_json(text)
    except ValidationError as exc:
        return Rejection(line, describe_validation_error(exc), _raw_text(raw), len(raw))
