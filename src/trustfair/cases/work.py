"""Working cases: the queues, a case with its evidence, and the steps reviewers take.

Handlers (the REST API, the console, the CLI) call these use cases; every step goes
through the state machine (``cases.states``) and lands in the case's append-only
timeline. A decision is a verdict on the rules behind the case: confirm (they were
right) or overturn (they were not). Those verdicts are each rule's measured precision.
An appeal case is decided by ``enforce.appeals``: an overturn there also reverses the
points and lifts the sanctions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy import case as when_then
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.cases.confirm import apply_confirmation, case_rules
from trustfair.cases.states import ACTIVE_STATES, CaseState, IllegalTransition
from trustfair.cases.timeline import note_on, take_step
from trustfair.enforce.appeals import (
    APPEAL,
    OVERTURN,
    UPHOLD,
    decide_appeal,
    file_appeal,
    undo_decision,
)
from trustfair.enforce.authors import author_in
from trustfair.events.payload import EntityRef
from trustfair.pipeline.registry import Registry
from trustfair.store.models import (
    CaseEventRow,
    CaseRow,
    DecisionRow,
    EventRow,
    ReviewOutcomeRow,
    SanctionRow,
)

CONFIRM = "confirm"
OVERTURN_CASE = "overturn"
OUTCOMES = (CONFIRM, OVERTURN_CASE)


class CaseRefused(ValueError):
    """A step that cannot be taken, with the reason (for a 409 or 404)."""


class CaseNotFound(CaseRefused):
    pass


# -- whose case is it -------------------------------------------------------------------


def party_of(session: Session, case: CaseRow) -> EntityRef | None:
    """The merchant or streamer a case is about: the sanctioned account of an appeal,
    else the author of the event that opened it (a live stream's streamer, a listing's
    merchant)."""
    if case.kind == APPEAL and case.subject_type == "sanction":
        sanction = session.get(SanctionRow, int(case.subject_id))
        return EntityRef(sanction.entity_type, sanction.entity_id) if sanction else None
    if case.subject_type in ("merchant", "streamer"):
        return EntityRef(case.subject_type, case.subject_id)
    row = session.execute(
        select(EventRow.type, EventRow.payload)
        .join(DecisionRow, DecisionRow.event_seq == EventRow.seq)
        .where(DecisionRow.id == case.opening_decision_id)
    ).first()
    if row is None:
        return None
    event_type, payload = row
    return author_in(event_type, payload)


# -- reading ----------------------------------------------------------------------------


@dataclass
class QueueSummary:
    queue: str
    kind: str
    open: int = 0
    in_review: int = 0
    appealed: int = 0
    overdue: int = 0
    oldest_due: datetime | None = None


def queue_summaries(session: Session, now: datetime) -> list[QueueSummary]:
    """Cases waiting for people, by queue and kind: how many in each state, how many
    past their SLA, and the earliest due."""
    rows = session.execute(
        select(
            CaseRow.queue,
            CaseRow.kind,
            CaseRow.state,
            func.count(),
            func.min(CaseRow.sla_due_at),
            func.sum(when_then((CaseRow.sla_due_at < now, 1), else_=0)),
        )
        .where(CaseRow.state.in_([s.value for s in ACTIVE_STATES]))
        .group_by(CaseRow.queue, CaseRow.kind, CaseRow.state)
    )
    found: dict[tuple[str, str], QueueSummary] = {}
    for queue, kind, state, count, oldest, overdue in rows:
        summary = found.setdefault((queue, kind), QueueSummary(queue, kind))
        setattr(summary, state, count)
        summary.overdue += int(overdue or 0)
        if oldest is not None and (summary.oldest_due is None or oldest < summary.oldest_due):
            summary.oldest_due = oldest
    return sorted(found.values(), key=lambda q: (q.queue, q.kind))


def own_queue_summaries(
    session: Session, principal: Principal, now: datetime
) -> list[QueueSummary]:
    """``queue_summaries`` of the cases ``principal`` may see: a merchant's or a brand's
    own waiting cases, counted the same way (everything, for staff)."""
    if principal.sees_everything:
        return queue_summaries(session, now)
    waiting, _ = list_cases(
        session, principal, states=[s.value for s in ACTIVE_STATES], limit=10_000
    )
    found: dict[tuple[str, str], QueueSummary] = {}
    for case in waiting:
        summary = found.setdefault((case.queue, case.kind), QueueSummary(case.queue, case.kind))
        setattr(summary, case.state, getattr(summary, case.state) + 1)
        summary.overdue += is_overdue(case, now)
        if summary.oldest_due is None or case.sla_due_at < summary.oldest_due:
            summary.oldest_due = case.sla_due_at
    return sorted(found.values(), key=lambda q: (q.queue, q.kind))


def is_overdue(case: CaseRow, now: datetime) -> bool:
    """Whether a case still waiting for people is past its SLA."""
    return CaseState(case.state) in ACTIVE_STATES and case.sla_due_at < now


def list_cases(
    session: Session,
    principal: Principal,
    *,
    queue: str | None = None,
    kind: str | None = None,
    states: list[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CaseRow], int]:
    """Cases the principal may see, most urgent first (priority, then SLA due): a page
    of them and how many there are in all."""
    query = select(CaseRow)
    if queue:
        query = query.where(CaseRow.queue == queue)
    if kind:
        query = query.where(CaseRow.kind == kind)
    if states:
        query = query.where(CaseRow.state.in_(states))
    query = query.order_by(CaseRow.priority, CaseRow.sla_due_at, CaseRow.id)
    if principal.sees_everything:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return list(session.scalars(query.limit(limit).offset(offset))), int(total)
    if not principal.owns:
        return [], 0
    # A party's own cases: the store narrows them to the few that may concern what it
    # owns, and the ownership test runs on each of those (not on every case there is).
    query = query.where(or_(*(_may_concern(session, party) for party in principal.owns)))
    mine = [c for c in session.scalars(query) if principal.may_see(party_of(session, c))]
    return mine[offset : offset + limit], len(mine)


def cases_of(session: Session, party: EntityRef) -> list[CaseRow]:
    """The cases whose party (``party_of``) is ``party``, oldest first."""
    candidates = session.scalars(
        select(CaseRow).where(_may_concern(session, party)).order_by(CaseRow.id)
    )
    return [case for case in candidates if party_of(session, case) == party]


def _may_concern(session: Session, party: EntityRef) -> ColumnElement[bool]:
    """A condition true of every case whose party is ``party`` (and of a few others,
    which ``party_of`` then tells apart): an appeal of one of its sanctions, a case
    about it, or one opened by a decision on an event that names it."""
    sanction_ids = [
        str(i)
        for i in session.scalars(
            select(SanctionRow.id).where(
                SanctionRow.entity_type == party.type, SanctionRow.entity_id == party.id
            )
        )
    ]
    decided_on_its_events = (
        select(DecisionRow.id)
        .join(EventRow, EventRow.seq == DecisionRow.event_seq)
        .where(EventRow.payload[f"{party.type}_id"].as_string() == party.id)
    )
    return or_(
        (CaseRow.subject_type == "sanction") & CaseRow.subject_id.in_(sanction_ids),
        (CaseRow.subject_type == party.type) & (CaseRow.subject_id == party.id),
        CaseRow.opening_decision_id.in_(decided_on_its_events),
    )


@dataclass
class CaseDetail:
    case: CaseRow
    party: EntityRef | None
    overdue: bool
    timeline: list[CaseEventRow]
    decision: DecisionRow | None
    """The decision that opened the case (for an appeal: the sanction's decision)."""
    event: EventRow | None
    """The event that decision was about: its texts, which the evidence spans point into."""
    texts: list[dict[str, Any]] = field(default_factory=list)
    """Each text field of the event with the spans found in it, for highlighting."""
    sanction: SanctionRow | None = None


def case_detail(session: Session, case_id: int, now: datetime) -> CaseDetail:
    case = session.get(CaseRow, case_id)
    if case is None:
        raise CaseNotFound(f"no case {case_id}")
    timeline = list(
        session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
        )
    )
    decision = session.get(DecisionRow, case.opening_decision_id)
    event = session.get(EventRow, decision.event_seq) if decision else None
    sanction = None
    if case.kind == APPEAL and case.subject_type == "sanction":
        sanction = session.get(SanctionRow, int(case.subject_id))
    return CaseDetail(
        case=case,
        party=party_of(session, case),
        overdue=is_overdue(case, now),
        timeline=timeline,
        decision=decision,
        event=event,
        texts=texts_with_spans(event, decision),
        sanction=sanction,
    )


def texts_with_spans(event: EventRow | None, decision: DecisionRow | None) -> list[dict[str, Any]]:
    """The event's text fields, each with the evidence spans found in it (merged,
    in order), so a page can mark them in the original text."""
    if event is None:
        return []
    spans_by_field: dict[str, list[tuple[int, int, str]]] = {}
    for reason in (decision.reasons if decision else []) or []:
        for signal in reason.get("signals", []):
            evidence = signal.get("evidence", {})
            name = evidence.get("field")
            for span in evidence.get("spans", []) or []:
                spans_by_field.setdefault(name, []).append(
                    (int(span["start"]), int(span["end"]), signal.get("label", ""))
                )
    texts = []
    for name, value in _text_fields(event.payload):
        spans = sorted(set(spans_by_field.get(name, [])))
        texts.append({"field": name, "text": value, "spans": _merged(spans, len(value))})
    return texts


def _text_fields(payload: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for key, value in payload.items():
        name = f"{prefix}{key}"
        if isinstance(value, str) and (len(value) > 12 or not value.isascii()):
            found.append((name, value))
        elif isinstance(value, dict):
            found.extend(_text_fields(value, f"{name}."))
    return found


def _merged(spans: list[tuple[int, int, str]], length: int) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for start, end, label in spans:
        start, end = max(0, start), min(length, end)
        if start >= end:
            continue
        if merged and start <= merged[-1]["end"]:
            last = merged[-1]
            last["end"] = max(last["end"], end)
            if label not in last["labels"]:
                last["labels"].append(label)
        else:
            merged.append({"start": start, "end": end, "labels": [label]})
    return merged


def highlighted(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    """``text`` cut into (piece, labels) pairs: labels for a marked piece, else None."""
    pieces: list[tuple[str, list[str] | None]] = []
    at = 0
    for span in spans:
        if span["start"] > at:
            pieces.append((text[at : span["start"]], None))
        pieces.append((text[span["start"] : span["end"]], span["labels"]))
        at = span["end"]
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


# -- the steps --------------------------------------------------------------------------


class SanctionNotFound(CaseNotFound):
    pass


def appeal_sanction(
    session: Session, principal: Principal, sanction_id: int, reason: str, at: datetime
) -> int:
    """File ``principal``'s appeal of a sanction it may see; the appeal case's id.

    A sanction of a party the principal does not act for is reported as missing, like
    one that does not exist, so a merchant cannot probe for other merchants' records.
    AppealRefused says why a visible sanction cannot be appealed (late, shared, twice).
    """
    sanction = session.get(SanctionRow, sanction_id)
    if sanction is None or not principal.may_see(
        EntityRef(sanction.entity_type, sanction.entity_id)
    ):
        raise SanctionNotFound(f"no sanction {sanction_id}")
    return file_appeal(session, sanction_id, principal.actor, reason, at)


def _case_for_update(session: Session, case_id: int) -> CaseRow:
    # populate_existing: a caller that read the case earlier in this session must not
    # get its stale copy back; the row as locked now is what the step is checked on.
    case = session.scalars(
        select(CaseRow)
        .where(CaseRow.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if case is None:
        raise CaseNotFound(f"no case {case_id}")
    return case


def _step(
    session: Session, case: CaseRow, action: str, actor: str, note: str, at: datetime
) -> None:
    try:
        take_step(session, case, action, actor, note, at)
    except IllegalTransition as exc:
        raise CaseRefused(f"case {case.id}: {exc}") from None


def assign(session: Session, case_id: int, actor: str, at: datetime) -> CaseRow:
    """Take a case (open or appealed) into review; the actor becomes its assignee."""
    case = _case_for_update(session, case_id)
    _step(session, case, "assign", actor, "", at)
    case.assignee = actor
    return case


def release(
    session: Session, case_id: int, actor: str, at: datetime, *, may_release_others: bool = False
) -> CaseRow:
    """Put a case in review back in the queue: its assignee may, and whoever
    ``may_release_others`` (an admin taking work from someone who is away)."""
    case = _case_for_update(session, case_id)
    if case.assignee not in (None, actor) and not may_release_others:
        raise CaseRefused(f"case {case_id} is assigned to {case.assignee}")
    _step(session, case, "release", actor, "", at)
    case.assignee = None
    return case


def decide(
    session: Session,
    case_id: int,
    actor: str,
    outcome: str,
    note: str,
    at: datetime,
    registry: Registry | None = None,
) -> CaseRow:
    """Confirm or overturn the rules behind a case in review (its assignee decides).

    An appeal's overturn also undoes the sanction (``enforce.appeals``). Confirming
    another case runs its rules' on_confirm actions (``cases.confirm``) when given the
    ``registry`` whose policy and effects to use.
    """
    if outcome not in OUTCOMES:
        raise CaseRefused(f"outcome must be {CONFIRM} or {OVERTURN_CASE}, not {outcome!r}")
    case = _case_for_update(session, case_id)
    if case.state != CaseState.IN_REVIEW:
        raise CaseRefused(f"case {case_id} is {case.state}; take it into review first")
    if case.assignee not in (None, actor):
        raise CaseRefused(f"case {case_id} is assigned to {case.assignee}")
    if case.kind == APPEAL:
        decide_appeal(
            session, case_id, actor, OVERTURN if outcome == OVERTURN_CASE else UPHOLD, note, at
        )
        rules = _appealed_rules(session, case)
    else:
        confirmed_before = case.outcome == CONFIRM  # decided once, appealed, now again
        _step(session, case, "decide", actor, f"{outcome}: {note}".rstrip(": "), at)
        rules = _rules_of_decision(session, case.opening_decision_id)
        if outcome == OVERTURN_CASE and confirmed_before:
            for decision_id in _confirmations_of(session, case):
                undo_decision(session, decision_id, actor, case.id, note, at)
                note_on(session, case, "undone", actor, at, note, decision_id)
        if outcome == CONFIRM and registry is not None:
            for decision_id in apply_confirmation(session, registry, case, actor, at):
                note = "the confirmed rules' on_confirm actions"
                note_on(session, case, "effects", actor, at, note, decision_id)
    case.outcome = outcome
    case.assignee = actor
    decision = session.get(DecisionRow, case.opening_decision_id)
    for rule in rules:
        session.add(
            ReviewOutcomeRow(
                case_id=case.id,
                decision_id=case.opening_decision_id,
                rule=rule,
                policy_version=decision.policy_version if decision else "",
                outcome=outcome,
                reviewer=actor,
                at=at,
            )
        )
    return case


def appeal(session: Session, case_id: int, appellant: str, reason: str, at: datetime) -> CaseRow:
    """The party asks for a confirmed case to be looked at again: it goes back to the
    queue as appealed, for a reviewer to take and decide anew (an overturn then undoes
    what the confirmation did). An appeal of a sanction is ``enforce.appeals``."""
    case = _case_for_update(session, case_id)
    if case.kind == APPEAL:
        raise CaseRefused(f"case {case_id} is an appeal: it is decided, not appealed again")
    if case.outcome != CONFIRM:
        raise CaseRefused(f"case {case_id} confirmed nothing against you: nothing to appeal")
    _step(session, case, "appeal", appellant, reason, at)
    case.assignee = None
    return case


def _confirmations_of(session: Session, case: CaseRow) -> list[int]:
    """The decisions the case's confirmation made (its "effects" entries)."""
    return [
        i
        for i in session.scalars(
            select(CaseEventRow.decision_id)
            .where(CaseEventRow.case_id == case.id, CaseEventRow.action == "effects")
            .order_by(CaseEventRow.id)
        )
        if i is not None
    ]


def close(
    session: Session,
    case_id: int,
    actor: str,
    note: str,
    at: datetime,
    *,
    may_decide_appeals: bool = False,
) -> CaseRow:
    """Close a decided case, or dismiss an open one. Dismissing an open appeal answers
    it unheard, so it takes the right to decide appeals."""
    case = _case_for_update(session, case_id)
    if case.kind == APPEAL and case.state != CaseState.DECIDED and not may_decide_appeals:
        raise CaseRefused(f"case {case_id} is an appeal not yet decided: it is decided, not closed")
    _step(session, case, "close", actor, note, at)
    return case


def _rules_of_decision(session: Session, decision_id: int) -> list[str]:
    decision = session.get(DecisionRow, decision_id)
    return case_rules(decision) if decision is not None else []


def _appealed_rules(session: Session, case: CaseRow) -> list[str]:
    sanction = session.get(SanctionRow, int(case.subject_id))
    rule = (sanction.statement or {}).get("rule") if sanction else None
    return [rule] if rule else _rules_of_decision(session, case.opening_decision_id)


# -- what reviewers' verdicts say of the rules ------------------------------------------


@dataclass(frozen=True)
class RulePrecision:
    rule: str
    confirmed: int
    overturned: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.overturned

    @property
    def precision(self) -> float | None:
        return round(self.confirmed / self.reviewed, 4) if self.reviewed else None


def rule_precision(session: Session) -> dict[str, RulePrecision]:
    """Each reviewed rule's confirmed and overturned counts, by rule id: a case's last
    verdict on the rule counts (a confirmation overturned on appeal is an overturn)."""
    last: dict[tuple[int, str], str] = {}
    for case_id, rule, outcome in session.execute(
        select(ReviewOutcomeRow.case_id, ReviewOutcomeRow.rule, ReviewOutcomeRow.outcome).order_by(
            ReviewOutcomeRow.id
        )
    ):
        last[(case_id, rule)] = outcome
    counts: dict[str, dict[str, int]] = {}
    for (_, rule), outcome in last.items():
        tally = counts.setdefault(rule, {})
        tally[outcome] = tally.get(outcome, 0) + 1
    return {
        rule: RulePrecision(rule, c.get(CONFIRM, 0), c.get(OVERTURN_CASE, 0))
        for rule, c in sorted(counts.items())
    }
