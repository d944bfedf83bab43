"""Tickets past their SLA escalated: level 1 at the channel's SLA, level 2 at twice it.

``run_ticket_timers(session, now)`` finds the open tickets a level has come due for
and escalates each level once: a row per (ticket, level) under a unique index (two
runners at once: the second finds the row there and does nothing), a case in the
SLA file's queue (``voice``) for a person to take the ticket on, and a
``ticket.escalated`` command in the outbox (deduplicated per ticket and level) for the
marketplace's customer-service desk. Level 2 raises the same case's priority and notes
it in its timeline.

Times are the events' times: a level is dated when it came due (opening + SLA ×
level), so on replayed history a breach is judged by when the ticket opened and
closed, not by when the replay ran. When the ticket closes, the next run closes its
case (still open, nobody having taken it up) as of the ticket's close. The case is
opened by a decision of the rule ``voice.ticket_sla`` (the SLA file's version as its
policy version), like every case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.orm import Session

from trustfair.cases.states import ACTIVE_STATES, CaseState
from trustfair.cases.timeline import note_on
from trustfair.cases.work import CaseRefused, close
from trustfair.pipeline.outbox import enqueue
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import (
    ACTIVE_CASE_CONDITION,
    CaseEventRow,
    CaseRow,
    DecisionRow,
    TicketEscalationRow,
    TicketRow,
)
from trustfair.voice.sla import LEVELS, SlaTerms, default_sla
from trustfair.voice.tickets import CLOSED, OPEN

RULE = "voice.ticket_sla"
CASE_KIND = "ticket_sla"
ACTOR = "system:voice"
TOPIC = "ticket.escalated"


@dataclass
class EscalationRun:
    """What one run did: (ticket id, level) escalated, in order."""

    escalated: list[tuple[str, int]] = field(default_factory=list)
    closed_cases: list[int] = field(default_factory=list)
    """Escalation cases closed because their ticket was."""

    @property
    def count(self) -> int:
        return len(self.escalated)


def run_ticket_timers(
    session: Session, now: datetime, terms: SlaTerms | None = None, *, history: bool = False
) -> EscalationRun:
    """Escalate every open ticket a level came due for by ``now``; each level once.
    ``history``: also the tickets closed after a level came due (see the module)."""
    terms = terms or default_sla()
    run = EscalationRun()
    still_open = TicketRow.state == OPEN
    if history:
        still_open = or_(still_open, TicketRow.closed_at > TicketRow.due_at)
    tickets = session.scalars(
        select(TicketRow)
        .where(still_open, TicketRow.due_at <= now, TicketRow.escalation_level < max(LEVELS))
        .order_by(TicketRow.due_at, TicketRow.id)
    ).all()
    for ticket in tickets:
        for level in LEVELS:
            due = terms.escalation_due(ticket.channel, ticket.opened_at, level)
            if level <= ticket.escalation_level or due > now:
                continue
            if ticket.closed_at is not None and ticket.closed_at <= due:
                continue  # closed before this level came due
            if escalate(session, ticket, level, due, now, terms):
                run.escalated.append((ticket.id, level))
    run.closed_cases = close_cases_of_closed_tickets(session)
    return run


def escalate(
    session: Session,
    ticket: TicketRow,
    level: int,
    due: datetime,
    now: datetime,
    terms: SlaTerms,
) -> bool:
    """Escalate ``ticket`` to ``level`` (reached at ``due``); False if it was already."""
    claimed = session.execute(
        insert_ignoring_conflicts(
            session, TicketEscalationRow.__table__, ["ticket_id", "level"]
        ).returning(TicketEscalationRow.id),
        {"ticket_id": ticket.id, "level": level, "due_at": due, "escalated_at": now},
    ).scalar_one_or_none()
    if claimed is None:
        return False  # another run escalated this level first
    hours = terms.sla(ticket.channel) * level / timedelta(hours=1)
    summary = (
        f"ticket {ticket.id} ({ticket.channel}, {ticket.problem}) still open "
        f"{hours:g} h after it opened: escalation level {level}"
    )
    decision_id = _decision(session, ticket, level, due, summary, terms)
    case_id = _open_or_raise_case(session, ticket, level, due, summary, decision_id, terms)
    session.execute(
        update(TicketEscalationRow)
        .where(TicketEscalationRow.id == claimed)
        .values(case_id=case_id)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(TicketRow)
        .where(TicketRow.id == ticket.id, TicketRow.escalation_level < level)
        .values(escalation_level=level)
        .execution_options(synchronize_session=False)
    )
    if ticket.closed_at is not None:
        return True  # replayed history: the caller closes the case at the ticket's close
    enqueue(
        session,
        TOPIC,
        f"{TOPIC}:{ticket.id}:{level}",
        {
            "command": TOPIC,
            "subject": {"type": "ticket", "id": ticket.id},
            "level": level,
            "channel": ticket.channel,
            "problem": ticket.problem,
            "merchant_id": ticket.merchant_id,
            "order_id": ticket.order_id,
            "opened_at": ticket.opened_at.isoformat(),
            "due_at": due.isoformat(),
            "case_id": case_id,
            "rule": RULE,
        },
        decision_id=decision_id,
    )
    return True


def _decision(
    session: Session,
    ticket: TicketRow,
    level: int,
    due: datetime,
    summary: str,
    terms: SlaTerms,
) -> int:
    params = {
        "kind": CASE_KIND,
        "queue": terms.queue,
        "priority": terms.priority.of(level),
        "level": level,
    }
    return session.execute(
        insert(DecisionRow).returning(DecisionRow.id),
        {
            "event_seq": ticket.event_seq,
            "subject_type": "ticket",
            "subject_id": ticket.id,
            "policy_version": f"voice-sla {terms.version}"[:64],
            "verdict": "review",
            "reasons": [{"rule": RULE, "verdict": "review", "explanation": summary, "signals": []}],
            "actions": [
                {"kind": "open_case", "params": params, "rule": RULE},
                {"kind": "send_command", "params": {"topic": TOPIC}, "rule": RULE},
            ],
            "decided_at": due,
            "confirmed_by": None,
            "confirmed_at": None,
        },
    ).scalar_one()


def close_cases_of_closed_tickets(session: Session) -> list[int]:
    """Close each escalation case still open whose ticket has closed (live, or on
    replayed history), dated when the ticket closed; the case ids closed.

    A case someone has taken into review is theirs to decide and close: left as is."""
    closed = []
    found = session.execute(
        select(CaseRow.id, TicketRow.closed_at, TicketRow.resolution)
        .join(TicketRow, TicketRow.id == CaseRow.subject_id)
        .where(
            CaseRow.kind == CASE_KIND,
            CaseRow.subject_type == "ticket",
            CaseRow.state == CaseState.OPEN.value,
            TicketRow.state == CLOSED,
        )
        .order_by(CaseRow.id)
    ).all()
    for case_id, closed_at, resolution in found:
        case = session.get(CaseRow, case_id)
        assert case is not None and closed_at is not None
        try:
            close(
                session,
                case_id,
                ACTOR,
                f"ticket closed ({resolution})",
                max(closed_at, case.updated_at),
            )
        except CaseRefused:
            continue  # another runner closed it first, or someone took it up meanwhile
        closed.append(case_id)
    session.flush()
    return closed


def _open_or_raise_case(
    session: Session,
    ticket: TicketRow,
    level: int,
    due: datetime,
    summary: str,
    decision_id: int,
    terms: SlaTerms,
) -> int:
    """The ticket's active escalation case: opened at level 1 (or at 2 directly), its
    priority raised and the step noted at level 2."""
    priority = terms.priority.of(level)
    case_id = session.execute(
        insert_ignoring_conflicts(
            session,
            CaseRow.__table__,
            ["kind", "subject_type", "subject_id"],
            where=text(ACTIVE_CASE_CONDITION),
        ).returning(CaseRow.id),
        {
            "kind": CASE_KIND,
            "queue": terms.queue,
            "priority": priority,
            "state": CaseState.OPEN.value,
            "subject_type": "ticket",
            "subject_id": ticket.id,
            "summary": summary,
            "opening_decision_id": decision_id,
            "opened_at": due,
            "sla_due_at": due + timedelta(hours=terms.case_sla_hours),
            "updated_at": due,
        },
    ).scalar_one_or_none()
    if case_id is not None:
        session.add(
            CaseEventRow(
                case_id=case_id,
                at=due,
                actor=ACTOR,
                action="opened",
                from_state=None,
                to_state=CaseState.OPEN.value,
                decision_id=decision_id,
                note=summary,
            )
        )
        session.flush()
        return case_id
    case = session.scalars(
        select(CaseRow)
        .where(
            CaseRow.kind == CASE_KIND,
            CaseRow.subject_type == "ticket",
            CaseRow.subject_id == ticket.id,
            CaseRow.state.in_([s.value for s in ACTIVE_STATES]),
        )
        .with_for_update()
    ).one()
    note_on(session, case, "escalated", ACTOR, due, summary, decision_id)
    case.priority = min(case.priority, priority)
    case.summary = summary
    case.updated_at = max(case.updated_at, due)
    session.flush()
    return case.id
