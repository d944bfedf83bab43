"""The case state machine: one table of legal steps; anything else raises.

open → in_review → decided → closed, and a decided case may be appealed, which puts
it back in review. Every step is written to the case's timeline.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


TRANSITIONS: dict[tuple[CaseState, str], CaseState] = {
    (CaseState.OPEN, "assign"): CaseState.IN_REVIEW,
    (CaseState.OPEN, "close"): CaseState.CLOSED,
    (CaseState.IN_REVIEW, "decide"): CaseState.DECIDED,
    (CaseState.IN_REVIEW, "release"): CaseState.OPEN,
    (CaseState.DECIDED, "appeal"): CaseState.APPEALED,
    (CaseState.DECIDED, "close"): CaseState.CLOSED,
    (CaseState.APPEALED, "assign"): CaseState.IN_REVIEW,
}

ACTIVE_STATES = frozenset({CaseState.OPEN, CaseState.IN_REVIEW, CaseState.APPEALED})
"""States in which a case still waits for people: new evidence joins such a case."""


class IllegalTransition(ValueError):
    pass


def next_state(current: CaseState | str, action: str) -> CaseState:
    """The state ``action`` leads to from ``current``, or IllegalTransition."""
    state = CaseState(current)
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(a for (s, a) in TRANSITIONS if s == state)
        can = ", ".join(allowed) or "nothing"
        raise IllegalTransition(
            f"a case that is {state.value} cannot {action!r}; it can: {can}"
        ) from None
