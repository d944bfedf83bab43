"""Turn one line of input into an event or a rejection that says what and where.

Nothing here touches the store: a line is judged on its own. Duplicates are found
later, against the event log.
"""

from __future__ import annotations

import json
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

    duplicate: bool = False
    """A valid event whose id was already stored: counted as a duplicate, not rejected."""

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"line": self.line, "reason": self.reason, "raw": self.raw}
        if self.raw_bytes > MAX_RAW_IN_REJECT:
            record["raw_truncated_from_bytes"] = self.raw_bytes
        if self.duplicate:
            record["duplicate"] = True
        return record


def raw_text(raw: bytes) -> str:
    # Keep every byte visible: invalid UTF-8 shows as \xNN escapes instead of vanishing.
    return raw[:MAX_RAW_IN_REJECT].decode("utf-8", "backslashreplace")


class _Ambiguous(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # {"event_id": "a", "event_id": "b"} means different things to different parsers;
    # the id that decides idempotency must not depend on which one reads it.
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _Ambiguous(f"duplicate key {repeated!r} in one object")
    return document


def _no_constants(name: str) -> Any:
    raise _Ambiguous(f"{name} is not a JSON number")


def check_json_text(text: str) -> str | None:
    """Why ``text`` is not plain, unambiguous JSON, or None if it is."""
    try:
        json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constants)
    except _Ambiguous as exc:
        return f"invalid JSON: {exc}"
    except RecursionError:
        return "invalid JSON: nested too deeply"
    except ValueError as exc:
        return f"invalid JSON: {exc}"
    return None


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
            detail = str(ctx.get("error", item["msg"]))
            if "surrogate" in detail or "hex escape" in detail:
                # jiter's words for "\ud800" alone: say what it is.
                detail = f"a lone surrogate escape (\\udXXX) is not a character ({detail})"
            return f"invalid JSON: {detail}"
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
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{_where(item['loc'])}: {message}")
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
            raw_text(raw),
            size,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(
            line, f"invalid UTF-8 at byte {exc.start}: {exc.reason}", raw_text(raw), size
        )
    problem = check_json_text(text)
    if problem:
        return Rejection(line, problem, raw_text(raw), size)
    try:
        return event_adapter().validate_json(text)
    except ValidationError as exc:
        return Rejection(line, describe_validation_error(exc), raw_text(raw), size)
