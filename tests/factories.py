"""Small builders of valid events for tests (the simulator makes the big ones)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 1, 20, 0, tzinfo=CST)


def event(event_id: str, type_: str, payload: dict[str, Any], at: datetime = T0) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": type_,
        "occurred_at": at.isoformat(),
        "source": "test",
        "payload": payload,
    }


def report_on_live(
    event_id: str, session_id: str, at: datetime, reporter: str | None = None
) -> dict[str, Any]:
    """A user's report on a live session; each from a user of its own unless told."""
    return event(
        event_id,
        "report.filed",
        {
            "report_id": f"r-{event_id}",
            "reporter_id": reporter or f"user-{event_id}",
            "target": {"type": "live_session", "id": session_id},
            "reason": "vulgar",
        },
        at,
    )


def order_paid(
    event_id: str, order_id: str, amount_fen: int = 9900, at: datetime = T0
) -> dict[str, Any]:
    return event(
        event_id,
        "order.paid",
        {
            "order_id": order_id,
            "buyer_id": "b1",
            "merchant_id": "m1",
            "listing_id": "l1",
            "unit_price_fen": amount_fen,
            "amount_fen": amount_fen,
        },
        at,
    )


def merchant_registered(merchant_id: str, name: str, at: datetime = T0) -> dict[str, Any]:
    return event(
        f"reg-{merchant_id}",
        "merchant.registered",
        {"merchant_id": merchant_id, "shop_id": f"shop-{merchant_id}", "shop_name": name},
        at,
    )


def listing_published(
    listing_id: str, merchant_id: str, title: str, at: datetime = T0
) -> dict[str, Any]:
    return event(
        f"pub-{listing_id}",
        "listing.published",
        {
            "listing_id": listing_id,
            "merchant_id": merchant_id,
            "title": title,
            "category": "apparel",
            "price_fen": 9900,
        },
        at,
    )


def jsonl(*events: dict[str, Any] | str | bytes) -> bytes:
    """A JSONL document; str and bytes items are written as they are (broken lines)."""
    lines = []
    for item in events:
        if isinstance(item, bytes):
            lines.append(item)
        elif isinstance(item, str):
            lines.append(item.encode("utf-8"))
        else:
            lines.append(json.dumps(item, ensure_ascii=False).encode("utf-8"))
    return b"\n".join(lines) + b"\n"


def ingest(store, registry, *events, batch_size: int = 2_000) -> None:  # type: ignore[no-untyped-def]
    """Ingest ``events`` (dicts, or raw lines) through the real pipeline."""
    from trustfair.events.ingest import ingest_lines, read_lines

    ingest_lines(
        store,
        registry,
        read_lines(io.BytesIO(jsonl(*events))),
        source_name="t",
        batch_size=batch_size,
    )


def api_key(store, role: str = "service", owns: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """A new API key of ``role`` in ``store``: the whole key, for a Bearer header."""
    from datetime import UTC

    from trustfair.access.accounts import add_key

    with store.transaction() as session:
        return add_key(session, f"test-{role}", role, datetime.now(UTC), owns=owns).key


def bearer(store, role: str = "service", owns: list[str] | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {api_key(store, role, owns)}"}


def service_key_for(database_url: str) -> dict[str, str]:
    """A service key in the store at ``database_url`` (migrated first), as a header,
    for a test that starts ``trustfair serve`` on that store."""
    from trustfair.store.database import Store

    store = Store.open(database_url)
    try:
        return bearer(store)
    finally:
        store.close()
