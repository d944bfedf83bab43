"""What a reviewer's confirmation does: the ``on_confirm`` actions of the rules whose
decision opened the case (points for text that only a person may call a violation,
the command to take it down), as a new decision about the same event.

The new decision is stored like any other and its effects run in the reviewer's
transaction; its points are dated by the event, as the pipeline's are, and a matter
already punished is not punished again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Signal
from trustfair.pipeline.registry import Registry
from trustfair.pipeline.runner import store_decision
from trustfair.policy.files import CASE_OPENING_ACTIONS
from trustfair.store.context import StoreContext
from trustfair.store.event_log import stored_event
from trustfair.store.models import CaseRow, DecisionRow, EventRow


def case_rules(decision: DecisionRow) -> list[str]:
    """The rules whose actions opened (or fed) a case: what a reviewer's verdict on the
    case is about. Another rule of the same decision (text blocked outright beside text
    held) is not judged by it."""
    return sorted(
        {
            action["rule"]
            for action in decision.actions or []
            if action.get("kind") in CASE_OPENING_ACTIONS and action.get("rule")
        }
    )


def apply_confirmation(
    session: Session, registry: Registry, case: CaseRow, reviewer: str, at: datetime
) -> list[int]:
    """Run the confirmed rules' on_confirm actions; the ids of the decisions made.

    Only the rules that opened the case are confirmed by it (``case_rules``)."""
    confirmed = getattr(registry.policy, "confirmed", None)
    opening = session.get(DecisionRow, case.opening_decision_id)
    if confirmed is None or opening is None:
        return []
    row = session.get(EventRow, opening.event_seq)
    if row is None:
        return []
    event = stored_event(row)
    context = StoreContext(session)
    made = []
    confirmed_rules = case_rules(opening)
    for reason in opening.reasons or []:
        if reason.get("rule") not in confirmed_rules:
            continue
        signals = tuple(Signal(**record) for record in reason.get("signals", []))
        decision = confirmed(event, reason["rule"], signals, context)
        if decision is None or not decision.actions:
            continue
        decision = store_decision(
            session, replace(decision, confirmed_by=reviewer, confirmed_at=at)
        )
        for action in decision.actions:
            registry.effect(action.kind).apply(decision, action, session)
        made.append(decision.id)
    return made
