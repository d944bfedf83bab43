"""A case's timeline: every step and every note, added and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from trustfair.cases.states import next_state
from trustfair.store.models import CaseEventRow, CaseRow


def note_on(
    session: Session,
    case: CaseRow,
    action: str,
    actor: str,
    at: datetime,
    note: str = "",
    decision_id: int | None = None,
) -> None:
    """An entry that leaves the state as it is (evidence added, effects run)."""
    _add_entry(session, case, action, actor, at, note, decision_id, case.state)


def take_step(
    session: Session, case: CaseRow, action: str, actor: str, note: str, at: datetime
) -> None:
    """Move ``case`` by ``action`` (IllegalTransition if the state machine has no such
    step) and write the step to its timeline."""
    to = next_state(case.state, action).value
    _add_entry(session, case, action, actor, at, note, None, to)
    case.state, case.updated_at = to, max(case.updated_at, at)


def _add_entry(
    session: Session,
    case: CaseRow,
    action: str,
    actor: str,
    at: datetime,
    note: str,
    decision_id: int | None,
    to_state: str,
) -> None:
    session.add(
        CaseEventRow(
            case_id=case.id,
            at=at,
            actor=actor,
            action=action,
            from_state=case.state,
            to_state=to_state,
            decision_id=decision_id,
            note=note,
        )
    )
