"""Events of consumer protection for tests, through the real pipeline and the default
policy (its ``protection`` terms: return shipping tiers 800/1200/2000 fen under
5,000/30,000/any, cap 2,500; late shipment 10 % of the order, 300 to 5,000 fen,
borne by the merchant)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.factories import T0, event
from trustfair.protect.fund import contribute
from trustfair.store.models import LedgerTransactionRow


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def registered(merchant_id: str = "m1", deposit_fen: int = 0, when: datetime = T0) -> dict:
    return event(
        f"reg-{merchant_id}",
        "merchant.registered",
        {
            "merchant_id": merchant_id,
            "shop_id": f"shop-{merchant_id}",
            "shop_name": f"店铺{merchant_id}",
            "deposit_fen": deposit_fen,
        },
        when,
    )


def opted_in(
    eid: str,
    guarantee: str,
    merchant_id: str = "m1",
    listing_id: str | None = None,
    n: int | None = None,
    when: datetime = T0,
) -> dict:
    payload: dict[str, Any] = {"merchant_id": merchant_id, "guarantee": guarantee}
    if listing_id is not None:
        payload["listing_id"] = listing_id
    if n is not None:
        payload["n"] = n
    return event(eid, "guarantee.opted_in", payload, when)


def opted_out(eid: str, guarantee: str, merchant_id: str = "m1", when: datetime = T0) -> dict:
    return event(
        eid, "guarantee.opted_out", {"merchant_id": merchant_id, "guarantee": guarantee}, when
    )


def paid(
    eid: str,
    order_id: str,
    amount_fen: int = 9_900,
    when: datetime = T0,
    merchant_id: str = "m1",
    buyer_id: str = "b1",
    ship_by: datetime | None = None,
    listing_id: str = "l1",
) -> dict:
    payload: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": buyer_id,
        "merchant_id": merchant_id,
        "listing_id": listing_id,
        "unit_price_fen": amount_fen,
        "amount_fen": amount_fen,
    }
    if ship_by is not None:
        payload["ship_by"] = ship_by.isoformat()
    return event(eid, "order.paid", payload, when)


def shipped(eid: str, order_id: str, when: datetime, merchant_id: str = "m1") -> dict:
    return event(
        eid,
        "order.shipped",
        {"order_id": order_id, "merchant_id": merchant_id, "carrier": "sf", "tracking_no": "SF1"},
        when,
    )


def returned(
    eid: str,
    order_id: str,
    fee_fen: int = 1_000,
    tracking_no: str | None = "R123",
    when: datetime | None = None,
    merchant_id: str = "m1",
) -> dict:
    payload: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": "b1",
        "merchant_id": merchant_id,
        "reason": "size",
        "shipping_fee_fen": fee_fen,
    }
    if tracking_no is not None:
        payload["tracking_no"] = tracking_no
    return event(eid, "order.returned", payload, when or at(days=5))


def claim(
    eid: str,
    claim_id: str,
    order_id: str,
    kind: str,
    requested_fen: int,
    when: datetime,
    buyer_id: str = "b1",
) -> dict:
    return event(
        eid,
        "claim.filed",
        {
            "claim_id": claim_id,
            "order_id": order_id,
            "buyer_id": buyer_id,
            "kind": kind,
            "requested_fen": requested_fen,
        },
        when,
    )


def deposit_paid(eid: str, payment_id: str, amount_fen: int, when: datetime, m: str = "m1"):
    return event(
        eid,
        "deposit.paid",
        {"merchant_id": m, "payment_id": payment_id, "amount_fen": amount_fen},
        when,
    )


def fund(store, amount_fen: int = 1_000_000) -> None:  # type: ignore[no-untyped-def]
    """Put money in the fund, as the platform would."""
    with store.transaction() as session:
        contribute(session, "test", amount_fen, T0 - timedelta(days=1), "test")


def postings(store, kind: str | None = None) -> list[LedgerTransactionRow]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        query = select(LedgerTransactionRow).order_by(LedgerTransactionRow.id)
        if kind is not None:
            query = query.where(LedgerTransactionRow.kind == kind)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def balance_of(store, account: str) -> int:  # type: ignore[no-untyped-def]
    from trustfair.protect.ledger import balance

    with store.reading() as session:
        return balance(session, account)
