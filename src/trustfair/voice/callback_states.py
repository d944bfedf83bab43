"""A call-back's states and the moves between them: one table; any other move is refused.

listed ──call reached──► called ──resolve──► resolved
  │ ▲  ◄──new reasons───── │ ▲
  └─┘ call no_answer,     └─┘ call (reached again, or no answer)
      new reasons

A user stays on the list until someone has reached them AND marked the problem
resolved; a call that reaches nobody is logged but moves nothing. New experiences
added to an entry already called put it back to ``listed``: the call was not about
them, so the user must be reached again before the entry can be resolved.
"""

from __future__ import annotations

from trustfair.store.models import CallbackRow

LISTED, CALLED, RESOLVED = "listed", "called", "resolved"
STATES = (LISTED, CALLED, RESOLVED)

REACHED, NO_ANSWER = "reached", "no_answer"
CALL_OUTCOMES = (REACHED, NO_ANSWER)
NEW_REASONS = "new_reasons"
"""The step of new experiences added to an open entry (logged as the system's)."""

TRANSITIONS: dict[tuple[str, str], str] = {
    (LISTED, REACHED): CALLED,
    (LISTED, NO_ANSWER): LISTED,
    (CALLED, REACHED): CALLED,
    (CALLED, NO_ANSWER): CALLED,
    (CALLED, "resolve"): RESOLVED,
    (LISTED, NEW_REASONS): LISTED,
    (CALLED, NEW_REASONS): LISTED,
}


class CallbackRefused(ValueError):
    """The call-back cannot move as asked (the message says why); nothing was written."""


class CallbackConflict(CallbackRefused):
    """The call-back is not in a state that allows the move (already resolved, not
    called yet …)."""


def move(callback: CallbackRow, step: str) -> None:
    """Move ``callback`` by ``step`` (a call's outcome, or ``resolve``), or refuse
    naming the state it is in."""
    target = TRANSITIONS.get((callback.state, step))
    if target is None:
        if step == "resolve" and callback.state == LISTED:
            raise CallbackConflict(
                f"call-back {callback.id} is listed: log a call that reached the user first"
            )
        raise CallbackConflict(f"call-back {callback.id} is {callback.state}: it cannot {step}")
    callback.state = target
