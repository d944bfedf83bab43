"""An effect that could not do what its rule asked says why, in the decision's reasons:
the batch goes on (failing it would hold up every other event with it), and whoever
looks at the event finds out."""

from __future__ import annotations

from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Decision
from trustfair.store.models import DecisionRow


def note_refusal(
    session: Session, decision: Decision, rule: str, what: dict[str, str], why: str
) -> None:
    """Write into the decision's reasons, on the hit of ``rule``, that its action was
    refused and why (``refused``: ``what`` and the reason)."""
    row = session.get(DecisionRow, decision.id) if decision.id is not None else None
    if row is None:
        return
    reasons = [dict(reason) for reason in row.reasons]
    for reason in reasons:
        if reason.get("rule") == rule and not reason.get("shadow"):
            reason["refused"] = {**what, "reason": why}
            reason["explanation"] = f"{reason['explanation']}; {why}"
            break
    row.reasons = reasons  # a new list: the JSON column is written again
    session.flush()
