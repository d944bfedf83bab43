"""Open a review case for a subject, or add the new evidence to its active case.

One subject has at most one active case of a kind: a burst of fifty reports is one
matter for one reviewer, with fifty entries in its timeline, not fifty cases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trustfair.cases.states import ACTIVE_STATES, CaseState
from trustfair.cases.timeline import note_on
from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import ACTIVE_CASE_CONDITION, CaseEventRow, CaseRow

SYSTEM_ACTOR = "system:pipeline"


class OpenCase:
    kind = "open_case"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        # The case is about the event's subject unless the rule names another.
        subject = decision.event.subject
        params = {"subject_type": subject.type, "subject_id": subject.id, **action.params}
        assert decision.id is not None, "a decision is stored before its effects run"
        at = decision.event.occurred_at
        hit = decision.hit_of(action)
        summary = params.get("summary") or (hit.explanation if hit else "")
        # Insert unless an active case of this kind and subject exists; the partial
        # unique index decides, so two writers racing here still open one case.
        statement = insert_ignoring_conflicts(
            session,
            CaseRow.__table__,
            ["kind", "subject_type", "subject_id"],
            where=text(ACTIVE_CASE_CONDITION),
        ).returning(CaseRow.id)
        case_id = session.execute(
            statement,
            {
                "kind": params["kind"],
                "queue": params.get("queue", "default"),
                "priority": int(params.get("priority", 3)),
                "state": CaseState.OPEN.value,
                "subject_type": params["subject_type"],
                "subject_id": params["subject_id"],
                "summary": summary,
                "opening_decision_id": decision.id,
                "opened_at": at,
                "sla_due_at": at + timedelta(minutes=int(params.get("sla_minutes", 24 * 60))),
                "updated_at": at,
            },
        ).scalar_one_or_none()
        if case_id is not None:
            session.add(
                CaseEventRow(
                    case_id=case_id,
                    at=at,
                    actor=SYSTEM_ACTOR,
                    action="opened",
                    from_state=None,
                    to_state=CaseState.OPEN.value,
                    decision_id=decision.id,
                    note=summary,
                )
            )
            return
        active = session.scalars(
            select(CaseRow)
            .where(
                CaseRow.kind == params["kind"],
                CaseRow.subject_type == params["subject_type"],
                CaseRow.subject_id == params["subject_id"],
                CaseRow.state.in_([s.value for s in ACTIVE_STATES]),
            )
            .with_for_update()
        ).one()
        note_on(session, active, "evidence_added", SYSTEM_ACTOR, at, summary, decision.id)
        active.summary = summary or active.summary
        active.updated_at = max(active.updated_at, at)


@register_effect(OpenCase.kind)
def make_effect(_: Settings) -> OpenCase:
    return OpenCase()
