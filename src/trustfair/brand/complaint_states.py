"""The states of a notice against a listing and the one table of the steps between
them (China's E-Commerce Law Art. 42-45; the DMCA's notice and counter-notice has the
same shape).

::

    filed ─┬─ take_measures ─► measures_taken ─┬─ declare ─► declared ─┬─ show_action ─► referred
           │                        ▲          │                       └─ restore (timer)
           └─ hold ─► pending_review┘ approve  └─ uphold (timer) ─► upheld     ─► restored

    reject / mark_malicious (reviewer): filed, pending_review, measures_taken, declared ─► rejected
    withdraw (rights holder):           pending_review, measures_taken, declared, referred
                                        ─► withdrawn (a settlement, a lost suit: lifted)

Measures (the listing taken down) are in force in ``measures_taken`` and ``declared``;
leaving them for ``restored``, ``withdrawn`` or ``rejected`` lifts them, while
``referred`` and ``upheld`` keep them: the matter is the authorities' or a court's, or
the merchant did not contest it.
"""

from __future__ import annotations

from enum import StrEnum


class ComplaintState(StrEnum):
    FILED = "filed"
    PENDING_REVIEW = "pending_review"
    """The rights holder's standing is below the bar: a reviewer looks before measures."""
    MEASURES_TAKEN = "measures_taken"
    DECLARED = "declared"
    RESTORED = "restored"
    REFERRED = "referred"
    UPHELD = "upheld"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Step(StrEnum):
    TAKE_MEASURES = "take_measures"
    HOLD = "hold"
    APPROVE = "approve"
    DECLARE = "declare"
    SHOW_ACTION = "show_action"
    RESTORE = "restore"
    UPHOLD = "uphold"
    REJECT = "reject"
    MARK_MALICIOUS = "mark_malicious"
    WITHDRAW = "withdraw"


S = ComplaintState
_OPEN_TO_REVIEWER = (S.FILED, S.PENDING_REVIEW, S.MEASURES_TAKEN, S.DECLARED)

TRANSITIONS: dict[tuple[ComplaintState, Step], ComplaintState] = {
    (S.FILED, Step.TAKE_MEASURES): S.MEASURES_TAKEN,
    (S.FILED, Step.HOLD): S.PENDING_REVIEW,
    (S.PENDING_REVIEW, Step.APPROVE): S.MEASURES_TAKEN,
    (S.MEASURES_TAKEN, Step.DECLARE): S.DECLARED,
    (S.MEASURES_TAKEN, Step.UPHOLD): S.UPHELD,
    (S.DECLARED, Step.SHOW_ACTION): S.REFERRED,
    (S.DECLARED, Step.RESTORE): S.RESTORED,
    **{(state, Step.REJECT): S.REJECTED for state in _OPEN_TO_REVIEWER},
    **{(state, Step.MARK_MALICIOUS): S.REJECTED for state in _OPEN_TO_REVIEWER},
    **{(state, Step.WITHDRAW): S.WITHDRAWN for state in (*_OPEN_TO_REVIEWER[1:], S.REFERRED)},
}

MEASURES_IN_FORCE = frozenset({S.MEASURES_TAKEN, S.DECLARED, S.REFERRED})
"""States in which the listing is down because of the notice and a step may still lift
it (``upheld`` keeps it down for good)."""
STANDING = frozenset(
    {S.FILED, S.PENDING_REVIEW, S.MEASURES_TAKEN, S.DECLARED, S.REFERRED, S.UPHELD}
)
"""A notice that still stands on its listing (an upheld one for good): another on the
same listing waits for it to end (one listing, one takedown, one infringement)."""
FINAL = frozenset({S.RESTORED, S.UPHELD, S.REJECTED, S.WITHDRAWN})
TIMED = frozenset({S.MEASURES_TAKEN, S.DECLARED})
"""States with a running timer (``due_at``): the answer window, the lift."""
TIMER_STEP = {S.MEASURES_TAKEN: Step.UPHOLD, S.DECLARED: Step.RESTORE}
"""What happens when the timer of a state runs out."""


class StepRefused(Exception):
    """A step the complaint's state does not allow (409)."""


def next_state(state: str, step: Step) -> ComplaintState:
    """Where ``step`` takes a complaint in ``state``; StepRefused saying why not."""
    found = TRANSITIONS.get((ComplaintState(state), step))
    if found is None:
        allowed = sorted(s.value for (f, s) in TRANSITIONS if f == state)
        could = f"; it may now: {', '.join(allowed)}" if allowed else " (it is closed)"
        raise StepRefused(f"a complaint {state} cannot {step.value}{could}")
    return found


def lifts_measures(from_state: str, to_state: str) -> bool:
    """Whether moving from ``from_state`` to ``to_state`` lifts the measures."""
    return from_state in MEASURES_IN_FORCE and to_state in {S.RESTORED, S.WITHDRAWN, S.REJECTED}
