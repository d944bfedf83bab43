"""Events of a small marketplace for the listening tests, with readable defaults."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from tests.factories import T0, event

_ids = count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def listing(listing_id: str, merchant_id: str, category: str = "apparel", at=T0) -> dict[str, Any]:
    return event(
        _id("pub"),
        "listing.published",
        {
            "listing_id": listing_id,
            "merchant_id": merchant_id,
            "title": "棉质T恤",
            "category": category,
            "price_fen": 9900,
        },
        at,
    )


def live_started(session_id: str, streamer_id: str, merchant_id: str, at=T0) -> dict[str, Any]:
    return event(
        _id("ls"),
        "live.started",
        {
            "session_id": session_id,
            "streamer_id": streamer_id,
            "merchant_id": merchant_id,
            "title": "直播",
        },
        at,
    )


def paid(
    order_id: str,
    buyer: str,
    merchant: str,
    listing_id: str,
    at: datetime,
    session: str | None = None,
    streamer: str | None = None,
    ship_within_hours: int = 48,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": buyer,
        "merchant_id": merchant,
        "listing_id": listing_id,
        "unit_price_fen": 9900,
        "amount_fen": 9900,
        "ship_by": (at + timedelta(hours=ship_within_hours)).isoformat(),
    }
    if session:
        payload["session_id"], payload["streamer_id"] = session, streamer
    return event(_id("paid"), "order.paid", payload, at)


def shipped(order_id: str, merchant: str, at: datetime) -> dict[str, Any]:
    return event(
        _id("ship"),
        "order.shipped",
        {"order_id": order_id, "merchant_id": merchant, "carrier": "sf", "tracking_no": "SF1"},
        at,
    )


def delivered(order_id: str, buyer: str, at: datetime) -> dict[str, Any]:
    return event(_id("del"), "order.delivered", {"order_id": order_id, "buyer_id": buyer}, at)


def refunded(order_id: str, buyer: str, merchant: str, reason: str, at: datetime) -> dict[str, Any]:
    return event(
        _id("ref"),
        "order.refunded",
        {
            "order_id": order_id,
            "buyer_id": buyer,
            "merchant_id": merchant,
            "amount_fen": 9900,
            "reason": reason,
        },
        at,
    )


def refund_refused(order_id: str, buyer: str, merchant: str, at: datetime) -> dict[str, Any]:
    return event(
        _id("rr"),
        "order.refund_refused",
        {"order_id": order_id, "buyer_id": buyer, "merchant_id": merchant, "reason": "used"},
        at,
    )


def ticket(
    ticket_id: str,
    user: str,
    text: str,
    at: datetime,
    order_id: str | None = None,
    channel: str = "in_app",
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ticket_id": ticket_id,
        "user_id": user,
        "channel": channel,
        "text": text,
    }
    if order_id:
        payload["order_id"] = order_id
    return event(_id("tko"), "ticket.opened", payload, at)


def ticket_closed(ticket_id: str, resolution: str, at: datetime) -> dict[str, Any]:
    return event(
        _id("tkc"), "ticket.closed", {"ticket_id": ticket_id, "resolution": resolution}, at
    )


def survey(
    user: str,
    score: int,
    at: datetime,
    comment: str = "",
    merchant: str | None = None,
    order_id: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "survey_id": _id("sv"),
        "user_id": user,
        "score": score,
        "comment": comment,
    }
    for key, value in (("merchant_id", merchant), ("order_id", order_id), ("category", category)):
        if value is not None:
            payload[key] = value
    return event(_id("sva"), "survey.answered", payload, at)


def feedback(
    user: str, kind: str, target_type: str, target_id: str, at: datetime
) -> dict[str, Any]:
    return event(
        _id("fbe"),
        "feedback.negative",
        {
            "feedback_id": _id("fb"),
            "user_id": user,
            "kind": kind,
            "target": {"type": target_type, "id": target_id},
        },
        at,
    )


def report(user: str, target_type: str, target_id: str, at: datetime) -> dict[str, Any]:
    return event(
        _id("rep"),
        "report.filed",
        {
            "report_id": _id("r"),
            "reporter_id": user,
            "target": {"type": target_type, "id": target_id},
            "reason": "other",
        },
        at,
    )


def review(order_id: str, buyer: str, merchant: str, listing_id: str, rating: int, at: datetime):
    return event(
        _id("rev"),
        "review.posted",
        {
            "review_id": _id("rv"),
            "order_id": order_id,
            "buyer_id": buyer,
            "merchant_id": merchant,
            "listing_id": listing_id,
            "rating": rating,
        },
        at,
    )
