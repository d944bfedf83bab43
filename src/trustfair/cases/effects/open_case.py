"""Open a review case for a subject, or add the new evidence to its active case.

One subject has at most one active case of a kind: a burst of fifty reports is one
matter for one reviewer, with fifty entries in its timeline, not fifty cases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.cases.states import ACTIVE_STATES, CaseState
from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings
from trustfair.store.models import CaseEventRow, CaseRow

SYSTEM_ACTOR = "system:pipeline"


class OpenCase:
    kind = "open_case"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        params = action.params
        assert decision.id is not None, "a decision is stored before its effects run"
        at = decision.event.occurred_at
        active = session.scalars(
            select(CaseRow)
            .where(
                CaseRow.kind == params["kind"],
                CaseRow.subject_type == params["subject_type"],
                CaseRow.subject_id == params["subject_id"],
                CaseRow.state.in_([s.value for s in ACTIVE_STATES]),
            )
            .limit(1)
        ).first()
        if active is not None:
            session.add(
                CaseEventRow(
                    case_id=active.id,
                    at=at,
                    actor=SYSTEM_ACTOR,
                    action="evidence_added",
                    from_state=active.state,
                    to_state=active.state,
                    decision_id=decision.id,
                    note=params.get("summary", ""),
                )
            )
            active.summary = params.get("summary", active.summary)
            active.updated_at = max(active.updated_at, at)
            return
        case = CaseRow(
            kind=params["kind"],
            queue=params.get("queue", "default"),
            priority=int(params.get("priority", 3)),
            state=CaseState.OPEN.value,
            subject_type=params["subject_type"],
            subject_id=params["subject_id"],
            summary=params.get("summary", ""),
            opening_decision_id=decision.id,
            opened_at=at,
            sla_due_at=at + timedelta(minutes=int(params.get("sla_minutes", 24 * 60))),
            updated_at=at,
        )
        session.add(case)
        session.flush()
        session.add(
            CaseEventRow(
                case_id=case.id,
                at=at,
                actor=SYSTEM_ACTOR,
                action="opened",
                from_state=None,
                to_state=CaseState.OPEN.value,
                decision_id=decision.id,
                note=case.summary,
            )
        )


@register_effect(OpenCase.kind)
def make_effect(_: Settings) -> OpenCase:
    return OpenCase()
