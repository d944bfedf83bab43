"""Stored records as JSONL, for audits and other tools.

Each kind is a query and a row → JSON function; later pillars add their kinds with
``register_export``. Rows stream in key order, so an export of a large store never
sits in memory whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from trustfair.store.database import Store
from trustfair.store.models import (
    AdvanceRow,
    BankEntryRow,
    Base,
    BrandCheckRow,
    CallbackRow,
    CaseEventRow,
    CaseRow,
    ClaimRow,
    ComplaintRow,
    ComplaintStepRow,
    CourseAttemptRow,
    CourseEnrolmentRow,
    CourseHoldRow,
    DecisionRow,
    EventRow,
    IngestRunRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    MissedDeadlineRow,
    NegativeBandRow,
    PointsEntryRow,
    RightRow,
    RightsHolderRow,
    SanctionRow,
    SignalRow,
    SurveyAnswerRow,
    TicketRow,
    TrustScoreRow,
    UrgeRow,
)

RowToRecord = Callable[[Any], dict[str, Any]]
EXPORT_KINDS: dict[str, tuple[type[Base], RowToRecord, str]] = {}


def register_export(kind: str, model: type[Base], to_record: RowToRecord, doc: str) -> None:
    """Export ``model``'s rows, in key order, as ``to_record`` renders them."""
    if kind in EXPORT_KINDS:
        raise ValueError(f"export kind {kind!r} is registered twice")
    EXPORT_KINDS[kind] = (model, to_record, doc)


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _columns(row: Any) -> dict[str, Any]:
    record = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        record[column.key] = _time(value) if isinstance(value, datetime) else value
    return record


def _envelope(row: EventRow) -> dict[str, Any]:
    # Exactly what can be ingested again (into another store, or after a rebuild).
    return {
        "event_id": row.event_id,
        "type": row.type,
        "occurred_at": _time(row.occurred_at),
        "source": row.source,
        "payload": row.payload,
    }


def _log_record(row: EventRow) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "received_at": _time(row.received_at),
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        **_envelope(row),
    }


register_export(
    "events",
    EventRow,
    _envelope,
    "the event log as envelopes, in arrival order: trustfair ingest takes them back",
)
register_export(
    "event_log",
    EventRow,
    _log_record,
    "the event log with each event's place (seq), arrival time and subject",
)
register_export(
    "signals",
    SignalRow,
    _columns,
    "what detectors saw: label, score, evidence, detector version",
)
register_export(
    "decisions",
    DecisionRow,
    _columns,
    "verdicts with the rules that fired, their evidence and the policy version",
)
register_export(
    "cases",
    CaseRow,
    _columns,
    "review cases and their current state",
)
register_export(
    "case_events",
    CaseEventRow,
    _columns,
    "every step of every case's timeline",
)
register_export(
    "sanctions",
    SanctionRow,
    _columns,
    "sanctions with their statement of reasons, state, period, and who lifted them and why",
)
register_export(
    "points",
    PointsEntryRow,
    _columns,
    "the penalty-points ledger: awards, and reversals (negative, reverses_id) that undo them",
)


def _posting(row: LedgerTransactionRow) -> dict[str, Any]:
    """A money-ledger posting with its lines (> 0 debits the account, < 0 credits it),
    which sum to zero."""
    session = object_session(row)
    assert session is not None
    lines = session.execute(
        select(LedgerEntryRow.account, LedgerEntryRow.amount_fen)
        .where(LedgerEntryRow.transaction_id == row.id)
        .order_by(LedgerEntryRow.id)
    )
    return {
        **_columns(row),
        "lines": [{"account": account, "amount_fen": amount} for account, amount in lines],
    }


register_export(
    "ledger",
    LedgerTransactionRow,
    _posting,
    "the money ledger: each posting (what for, when, by which decision and rule) with its"
    " balanced lines in fen",
)
register_export(
    "claims",
    ClaimRow,
    _columns,
    "buyers' claims on the protection fund: facts, state, amount awarded, the rule and"
    " the decision",
)


def _brand_check(row: BrandCheckRow) -> dict[str, Any]:
    """A brand check with the id of the listing event it judged."""
    session = object_session(row)
    assert session is not None
    event_id = session.scalar(select(EventRow.event_id).where(EventRow.seq == row.event_seq))
    return {**_columns(row), "event_id": event_id}


register_export(
    "brand_checks",
    BrandCheckRow,
    _brand_check,
    "listings matched against the counterfeit feature library: brand, counterfeit or"
    " look-alike, outcome (intercept, review, monitor), score and reasons",
)
register_export(
    "bank",
    BankEntryRow,
    _columns,
    "the counterfeit feature library: every bank entry, negative and disabled ones"
    " included, with who added and changed it",
)
register_export(
    "rights_holders",
    RightsHolderRow,
    _columns,
    "brand rights holders: company, registration, agent, state, standing and the review",
)
register_export(
    "rights",
    RightRow,
    _columns,
    "trademarks, patents and copyrights claimed: number, Nice class, territory, validity,"
    " the documents cited (by id and not their bytes), state and the review",
)


def _complaint(row: ComplaintRow) -> dict[str, Any]:
    """An IP complaint with when it reached each state (from its timeline) and its
    time to action: filed to measures taken, in seconds (null until measures)."""
    session = object_session(row)
    assert session is not None
    reached: dict[str, str | None] = {}
    for state, at in session.execute(
        select(ComplaintStepRow.to_state, ComplaintStepRow.at)
        .where(ComplaintStepRow.complaint_id == row.id)
        .order_by(ComplaintStepRow.id)
    ):
        reached.setdefault(state, _time(at))
    to_action = (row.measures_at - row.filed_at).total_seconds() if row.measures_at else None
    return {**_columns(row), "states_at": reached, "time_to_action_seconds": to_action}


register_export(
    "complaints",
    ComplaintRow,
    _complaint,
    "IP complaints (notice and takedown): the notice, its state and outcome, when it"
    " reached each state, and the time from filing to measures",
)


def _ticket(row: TicketRow) -> dict[str, Any]:
    """A voice of the unified list, with whether it met its SLA (null without one, or
    while still open)."""
    met = None
    if row.due_at is not None and row.closed_at is not None:
        met = row.closed_at <= row.due_at
    return {**_columns(row), "sla_met": met}


register_export(
    "tickets",
    TicketRow,
    _ticket,
    "the unified voice list: tickets of every channel, low reviews and detractors'"
    " comments, with order, listing, category, merchant, streamer, problem (and its"
    " spans), SLA due time, whether it was met, escalation level and how it closed",
)


def _course_attempt(row: CourseAttemptRow) -> dict[str, Any]:
    """An exam attempt with its enrolment (course, account, first pass, rating): the
    questions asked and answers given, never the right answers."""
    session = object_session(row)
    assert session is not None
    enrolment = session.get(CourseEnrolmentRow, row.enrolment_id)
    assert enrolment is not None
    return {
        **_columns(row),
        "course_id": enrolment.course_id,
        "entity_type": enrolment.entity_type,
        "entity_id": enrolment.entity_id,
        "enrolment_passed_at": _time(enrolment.passed_at),
        "rating": enrolment.rating,
    }


register_export(
    "courses",
    CourseAttemptRow,
    _course_attempt,
    "rule-course exam attempts: course, account, questions asked (and the order their"
    " choices were shown), answers, score, pass, with the enrolment's pass and rating",
)
register_export(
    "course_enrolments",
    CourseEnrolmentRow,
    _columns,
    "enrolments in rule courses: account, when enrolled and first passed, rating and comment",
)
register_export(
    "course_holds",
    CourseHoldRow,
    _columns,
    "sanctions that wait for a passed course: the course, and the pass that released it",
)


def _urge(row: UrgeRow) -> dict[str, Any]:
    """An urge with the orders it listed: each one's deadline and when it shipped."""
    from trustfair.read.urges import urge_record

    session = object_session(row)
    assert session is not None
    record = urge_record(session, row)
    orders = [
        {k: _time(v) if k != "order_id" else v for k, v in o.items()} for o in record["orders"]
    ]
    return {**_columns(row), "order_list": orders}


register_export(
    "urges",
    UrgeRow,
    _urge,
    "urges to merchants about orders at risk of missing their shipping deadline: when,"
    " the orders with their deadlines and shipments, the acknowledgement",
)
register_export(
    "missed_deadlines",
    MissedDeadlineRow,
    _columns,
    "orders whose shipping deadline passed unshipped, when the watcher found it, and the"
    " late-shipment award that paid the buyer (ledger transaction id)",
)
# User listening (issue 8): the call-back list, NPS answers, negative-feedback bands.
register_export(
    "callbacks",
    CallbackRow,
    _columns,
    "users hurt by several bad experiences: state (listed, called, resolved), each"
    " experience with its evidence and time, when they were listed, called, resolved",
)
register_export(
    "nps",
    SurveyAnswerRow,
    _columns,
    "recommendation survey answers (0-10) with merchant, category, segments (live or"
    " shelf order, new or returning buyer) and the problem of the comment",
)
register_export(
    "negative_feedback",
    NegativeBandRow,
    _columns,
    "weekly negative-experience rates of merchants and streamers against their peers'"
    " band (median, p90, Wilson lower bound), over the band or not, the event it wrote",
)
register_export(
    "ingest_runs",
    IngestRunRow,
    _columns,
    "each ingestion run and its accepted / duplicate / rejected counts",
)


register_export(
    "trust_scores",
    TrustScoreRow,
    _columns,
    "the merchant trust score each shipment was judged on for early settlement: score,"
    " bar, orders, each component with its sub-score and reason, paid early or why not",
)
register_export(
    "advances",
    AdvanceRow,
    _columns,
    "orders paid to their merchant on shipment (early settlement): amount, score and bar,"
    " state (advanced, settled, refunded, repaid), the postings, decision and rule",
)


def export_records(store: Store, kind: str) -> Iterator[dict[str, Any]]:
    try:
        model, to_record, _ = EXPORT_KINDS[kind]
    except KeyError:
        raise LookupError(
            f"unknown export kind {kind!r}; known: {', '.join(sorted(EXPORT_KINDS))}"
        ) from None
    with store.reading() as session:
        query = select(model).order_by(*model.__table__.primary_key.columns)
        for row in session.scalars(query.execution_options(yield_per=1000)):
            yield to_record(row)


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count
