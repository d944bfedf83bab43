"""What a reviewer's confirmation does: the ``on_confirm`` actions of the rules whose
decisions put the case together (points for text that only a person may call a
violation, the command to take it down), as new decisions about the same events.

The new decision is stored like any other and its effects run in the reviewer's
transaction; its points are dated by the event, as the pipeline's are, and a matter
already punished is not punished again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Signal
from trustfair.pipeline.registry import Registry
from trustfair.pipeline.runner import store_decision
from trustfair.policy.files import CASE_OPENING_ACTIONS
from trustfair.store.context import StoreContext
from trustfair.store.event_log import stored_event
from trustfair.store.models import CaseEventRow, CaseRow, DecisionRow, EventRow


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

    The case is every decision that fed it: the one that opened it and those added
    as evidence since (a live session's later lines), each confirmed for the rules
    that put it in the case (``case_rules``)."""
    confirmed = getattr(registry.policy, "confirmed", None)
    if confirmed is None:
        return []
    context = StoreContext(session)
    made = []
    for fed in _decisions_that_fed(session, case):
        row = session.get(EventRow, fed.event_seq)
        if row is None:
            continue
        event = stored_event(row)
        rules = case_rules(fed)
        for reason in fed.reasons or []:
            if reason.get("rule") not in rules:
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


def _decisions_that_fed(session: Session, case: CaseRow) -> list[DecisionRow]:
    ids = [case.opening_decision_id] + [
        i
        for i in session.scalars(
            select(CaseEventRow.decision_id)
            .where(
                CaseEventRow.case_id == case.id,
                CaseEventRow.action == "evidence_added",
                CaseEventRow.decision_id.is_not(None),
            )
            .order_by(CaseEventRow.id)
        )
        if i is not None
    ]
    unique = list(dict.fromkeys(ids))
    rows = {d.id: d for d in session.scalars(select(DecisionRow).where(DecisionRow.id.in_(unique)))}
    return [rows[i] for i in unique if i in rows]
