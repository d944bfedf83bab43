"""An early-settlement advance's states and the one table of moves between them::

    advanced ─┬─ settle (order confirmed) ─► settled
              └─ refund (refunded before confirmation) ─► refunded ─ repay ─► repaid

An advance is closed once: a confirmation after a refund, or a refund after the
confirmation, finds it closed and moves nothing (a refund after confirmation is the
after-sales flow's, paid from the merchant's settled money, not from an advance).
"""

from __future__ import annotations

from trustfair.store.models import AdvanceRow

ADVANCED, SETTLED, REFUNDED, REPAID = "advanced", "settled", "refunded", "repaid"
STATES = (ADVANCED, SETTLED, REFUNDED, REPAID)

TRANSITIONS: dict[tuple[str, str], str] = {
    (ADVANCED, "settle"): SETTLED,
    (ADVANCED, "refund"): REFUNDED,
    (REFUNDED, "repay"): REPAID,
}


class AdvanceConflict(ValueError):
    """The advance is not in a state that allows the move."""


def can(row: AdvanceRow, step: str) -> bool:
    return (row.state, step) in TRANSITIONS


def move(row: AdvanceRow, step: str) -> None:
    """Move ``row`` by ``step``, or refuse naming the state it is in."""
    target = TRANSITIONS.get((row.state, step))
    if target is None:
        raise AdvanceConflict(
            f"the advance of order {row.order_id} is {row.state}: it cannot {step}"
        )
    row.state = target
