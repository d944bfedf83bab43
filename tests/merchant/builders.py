"""Order histories for the trust score and early settlement, through the real pipeline
and the default policy (its ``settlement`` terms: 90 days, at least 20 orders, bar 80,
weights 30/30/25/15, late share 20 % → fulfilment 0)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.factories import event
from tests.protect.builders import at, paid, shipped


def history(
    merchant_id: str,
    orders: int,
    late: int = 0,
    start: datetime | None = None,
    prefix: str | None = None,
) -> list[dict]:
    """``orders`` orders paid a day apart and shipped, the first ``late`` of them three
    days after payment (after the 48 h deadline), the others after a day."""
    start = start or at()
    prefix = prefix or f"{merchant_id}-h"
    events: list[dict] = []
    for n in range(orders):
        order = f"{prefix}{n}"
        when = start + timedelta(days=n)
        events.append(paid(f"pay-{order}", order, 5_000, when, merchant_id=merchant_id))
        delay = timedelta(days=3) if n < late else timedelta(days=1)
        events.append(shipped(f"ship-{order}", order, when + delay, merchant_id=merchant_id))
    return events


def confirmed(eid: str, order_id: str, when: datetime, merchant_id: str = "m1") -> dict:
    return event(
        eid,
        "order.confirmed",
        {"order_id": order_id, "buyer_id": "b1", "merchant_id": merchant_id},
        when,
    )


def refunded(
    eid: str, order_id: str, when: datetime, merchant_id: str = "m1", amount_fen: int = 5_000
) -> dict:
    return event(
        eid,
        "order.refunded",
        {
            "order_id": order_id,
            "buyer_id": "b1",
            "merchant_id": merchant_id,
            "amount_fen": amount_fen,
            "reason": "not_wanted",
        },
        when,
    )


def negative(eid: str, merchant_id: str, when: datetime) -> dict:
    return event(
        eid,
        "feedback.negative",
        {
            "feedback_id": eid,
            # A user of its own each: one user's signals about one thing count once.
            "user_id": f"u-{eid}",
            "kind": "dislike",
            "target": {"type": "merchant", "id": merchant_id},
        },
        when,
    )


def buyer_complaint(eid: str, merchant_id: str, when: datetime) -> dict:
    return event(
        eid,
        "complaint.filed",
        {
            "complaint_id": eid,
            "complainant_type": "buyer",
            "complainant_id": "b1",
            "kind": "not_as_described",
            "target": {"type": "merchant", "id": merchant_id},
            "text": "not what the stream showed",
        },
        when,
    )
