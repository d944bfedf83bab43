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
    session.add(
        CaseEventRow(
            case_id=case.id,
            at=at,
            actor=actor,
            action=action,
            from_state=case.state,
            to_state=case.state,
            decision_id=decision_id,
            note=note,
        )
    )


def take_step(
    session: Session, case: CaseRow, action: str, actor: str, note: str, at: datetime
) -> None:
    """Move ``case`` by ``action`` (IllegalTransition if the state machine has no such
    step) and write the step to its timeline."""
    to = next_state(case.state, action)
    session.add(
        CaseEventRow(
            case_id=case.id,
            at=at,
            actor=actor,
            action=action,
            from_state=case.state,
            to_state=to.value,
            decision_id=None,
            note=note,
        )
    )
    case.state, case.updated_at = to.value, max(case.updated_at, at)
