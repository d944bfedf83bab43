"""A claim's states and the moves between them: one table; any other move is refused."""

from __future__ import annotations

from trustfair.store.models import ClaimRow

FILED, IN_REVIEW, APPROVED, REJECTED, PAID = "filed", "in_review", "approved", "rejected", "paid"

TRANSITIONS: dict[tuple[str, str], str] = {
    (FILED, "review"): IN_REVIEW,
    (FILED, "approve"): APPROVED,
    (FILED, "reject"): REJECTED,
    (IN_REVIEW, "approve"): APPROVED,
    (IN_REVIEW, "reject"): REJECTED,
    (APPROVED, "pay"): PAID,
}


class ClaimRefused(ValueError):
    """The claim cannot be filed or decided as asked (the message says why); nothing
    was written."""


class ClaimConflict(ClaimRefused):
    """The claim is not in a state that allows the move (already decided, paid …)."""


def move(claim: ClaimRow, step: str) -> None:
    """Move ``claim`` by ``step``, or refuse naming the state it is in."""
    target = TRANSITIONS.get((claim.state, step))
    if target is None:
        raise ClaimConflict(f"claim {claim.id} is {claim.state}: it cannot {step}")
    claim.state = target
