"""Response models several routers share, the error body, and the paging limits.

Every endpoint declares its response model, so the OpenAPI spec says what comes back;
every error is ``{"detail": ...}`` (a sentence saying what and where, or, for a
request that does not validate, the list of problems with their locations).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query
from pydantic import AfterValidator, BaseModel, Field

from trustfair.enforce.sanctions import sanction_record
from trustfair.events.payload import EntityRef
from trustfair.store.models import EventRow, PointsEntryRow, SanctionRow

MAX_PAGE = 200
MAX_OFFSET = 100_000
"""Deep offsets cost the store a scan each; past this, narrow the filter instead."""

MAX_ID = 2**63 - 1


def _storable(text: str) -> str:
    # Text goes into the store, and PostgreSQL takes neither NUL characters nor lone
    # surrogates: refuse them here with a 422, not with a 500 from the database.
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate (not UTF-8 text)") from None
    return text


Text = Annotated[str, AfterValidator(_storable)]
"""A string that can be stored and compared in either database."""
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE}.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class Problem(BaseModel):
    detail: str | list[dict[str, Any]] = Field(
        description="What went wrong and where (a list of problems for a 422)."
    )


_DESCRIPTIONS = {
    400: "A header is missing or malformed (a money-moving call's Idempotency-Key).",
    401: "No credentials, or credentials that are not valid.",
    403: "The caller's role may not do this (or a CSRF token is missing).",
    404: "No such record, or one that is not the caller's to see.",
    409: "The step is not possible in the record's present state; the detail says why.",
    413: "The request body is larger than the endpoint takes.",
    415: "The body is not of a type the endpoint takes (judged from its bytes).",
    422: "The request is not valid, or its Idempotency-Key was used for another request.",
    503: "The server is not set up for this.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an endpoint that can answer with ``codes``."""
    return {code: {"model": Problem, "description": _DESCRIPTIONS[code]} for code in codes}


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Times a query may name: periods and SLAs are computed from them, and near the ends
of the calendar that arithmetic overflows."""


def aware(at: datetime | None, name: str = "at") -> datetime | None:
    """A query's time, refused (422) without a zone (naive times are ambiguous) or
    outside EARLIEST..LATEST."""
    if at is None:
        return None
    if at.tzinfo is None:
        raise HTTPException(422, f"{name}: give a time zone (+08:00, Z)")
    try:
        within = EARLIEST <= at <= LATEST
    except OverflowError:  # a zone that pushes the time off the calendar
        within = False
    if not within:
        raise HTTPException(422, f"{name}: between {EARLIEST.year} and {LATEST.year}")
    return at


class Party(BaseModel):
    type: str
    id: str

    @classmethod
    def of(cls, ref: EntityRef | None) -> Party | None:
        return cls(type=ref.type, id=ref.id) if ref else None


class EventSummary(BaseModel):
    seq: int = Field(description="Its place in the event log.")
    event_id: str
    type: str
    occurred_at: datetime
    subject_type: str
    subject_id: str

    @classmethod
    def of(cls, row: EventRow) -> EventSummary:
        return cls(
            seq=row.seq,
            event_id=row.event_id,
            type=row.type,
            occurred_at=row.occurred_at,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
        )


class Span(BaseModel):
    start: int
    end: int
    labels: list[str]


class TextWithSpans(BaseModel):
    """A text field of an event with the evidence spans found in it (character
    offsets into this very text, as sent)."""

    field: str
    text: str
    spans: list[Span]


class Sanction(BaseModel):
    sanction_id: int
    entity_type: str
    entity_id: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    state: str
    policy_version: str
    statement: dict[str, Any] = Field(description="The statement of reasons given.")
    shared_from_id: int | None
    lifted_at: datetime | None = None
    lifted_reason: str | None = None
    waits_for_course: dict[str, Any] | None = Field(
        default=None,
        description="The rule course whose exam must be passed before it lifts "
        "(course_id; passed_at once passed): it stays in force past ends_at until then.",
    )

    @classmethod
    def of(cls, row: SanctionRow) -> Sanction:
        return cls(
            sanction_id=row.id,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            kind=row.kind,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            state=row.state,
            policy_version=row.policy_version,
            statement=row.statement,
            shared_from_id=row.shared_from_id,
            lifted_at=row.lifted_at,
            lifted_reason=row.lifted_reason,
            waits_for_course=sanction_record(row)["waits_for_course"],
        )


class PointsEntry(BaseModel):
    id: int
    entity_type: str
    entity_id: str
    violation: str
    violation_class: str
    points: int = Field(description="Negative for a reversal.")
    matter: str
    at: datetime
    decision_id: int | None
    policy_version: str
    rule: str
    reverses_id: int | None = Field(description="The entry a reversal undoes.")
    note: str

    @classmethod
    def of(cls, row: PointsEntryRow) -> PointsEntry:
        return cls(
            id=row.id,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            violation=row.violation,
            violation_class=row.violation_class,
            points=row.points,
            matter=row.matter,
            at=row.at,
            decision_id=row.decision_id,
            policy_version=row.policy_version,
            rule=row.rule,
            reverses_id=row.reverses_id,
            note=row.note or "",
        )
