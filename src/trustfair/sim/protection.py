"""Consumer protection in the simulated marketplace: guarantees merchants opt into,
deposit top-ups, and claims customer service files for buyers.

Every choice here draws from the market's own protection stream (``Market.prng``,
seeded apart from the main one), never from ``Market.rng``: the events the simulator
made before guarantees existed are drawn in the same order from the same numbers, so
the evaluation figures computed on them stay as they were. New events do shift the
event ids after them (ids count every event made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustfair.sim.world import Listing, Merchant
from trustfair.sim.writer import DAY

if TYPE_CHECKING:
    from trustfair.sim.market import Market

HOUR = 3_600

SHOP_GUARANTEES = (
    # (guarantee, chance an opting-in honest shop offers it, … a bad shop)
    ("seven_day_return", 0.9, 0.6),
    ("return_shipping", 0.6, 0.3),
    ("late_shipment", 0.35, 0.15),
    ("fast_refund", 0.3, 0.1),
)


def shop_opt_ins(mk: Market, t: int, m: Merchant) -> None:
    """Some shops offer guarantees shop-wide when they open; honest ones more often."""
    p = mk.prng
    honest = m.nature == "honest"
    if p.random() >= (0.45 if honest else 0.25):
        return
    t += 10 * 60
    for guarantee, honest_chance, bad_chance in SHOP_GUARANTEES:
        if p.random() < (honest_chance if honest else bad_chance):
            t += p.randint(1, 30)
            _opt_in(mk, t, m.merchant_id, guarantee)
    if honest and p.random() < 0.15:
        _opt_in(mk, t + 60, m.merchant_id, "fake_one_pay_n", n=p.choice((2, 3, 3, 4)))


def listing_opt_ins(mk: Market, t: int, listing: Listing) -> None:
    """Now and then a listing gets a guarantee of its own (fake-one-pay-N on a branded
    product, return shipping on a pricey one)."""
    p = mk.prng
    m = listing.merchant
    if p.random() >= 0.08:
        return
    t += p.randint(60, 600)
    if listing.brand_id and p.random() < 0.6:
        _opt_in(mk, t, m.merchant_id, "fake_one_pay_n", listing.listing_id, n=p.choice((2, 3)))
    else:
        _opt_in(mk, t, m.merchant_id, "return_shipping", listing.listing_id)


def _opt_in(
    mk: Market,
    t: int,
    merchant_id: str,
    guarantee: str,
    listing_id: str | None = None,
    n: int | None = None,
) -> None:
    payload: dict[str, Any] = {"merchant_id": merchant_id, "guarantee": guarantee}
    if listing_id is not None:
        payload["listing_id"] = listing_id
    if n is not None:
        payload["n"] = n
    mk.sink.emit(t, "guarantee.opted_in", "merchant-service", payload)


def daily(mk: Market, t0: int, m: Merchant) -> None:
    """A merchant's day: now and then a deposit top-up, or a shop stops offering
    return-shipping compensation."""
    p = mk.prng
    if p.random() < 0.004:
        mk.sink.emit(
            t0 + p.randint(9 * HOUR, 17 * HOUR),
            "deposit.paid",
            "payment-service",
            {
                "merchant_id": m.merchant_id,
                "payment_id": mk.new_id("dp", 7),
                "amount_fen": p.choice((20_000, 50_000, 100_000)),
            },
        )
    if p.random() < 0.002:
        mk.sink.emit(
            t0 + p.randint(9 * HOUR, 17 * HOUR),
            "guarantee.opted_out",
            "merchant-service",
            {"merchant_id": m.merchant_id, "guarantee": "return_shipping"},
        )


def order_claims(
    mk: Market,
    *,
    order_id: str,
    buyer: str,
    listing: Listing,
    amount: int,
    paid_at: int,
    delivered_at: int | None,
) -> None:
    """Claims customer service files for the buyer of one order: not delivered (an
    order never shipped), counterfeit or not as described (a reviewer decides), and
    merchant unreachable (approved at once if the shop is banned by then)."""
    if amount <= 0:
        return
    p = mk.prng
    m = listing.merchant
    if delivered_at is None:
        if p.random() < 0.4:
            _claim(
                mk,
                paid_at + p.randint(16 * DAY, 20 * DAY),
                order_id,
                buyer,
                "not_delivered",
                amount,
            )
        return
    if listing.counterfeit and p.random() < 0.15:
        _claim(mk, delivered_at + p.randint(DAY, 8 * DAY), order_id, buyer, "counterfeit", amount)
    elif m.nature == "repeat" and p.random() < 0.12:
        # A repeat offender's buyers cannot reach it: by the time customer service
        # files, many such shops are banned (approved unseen), the rest are reviewed.
        kind = "merchant_unreachable"
        _claim(mk, delivered_at + p.randint(5 * DAY, 20 * DAY), order_id, buyer, kind, amount)
    elif m.nature != "honest" and p.random() < 0.03:
        kind = "not_as_described"
        _claim(mk, delivered_at + p.randint(5 * DAY, 20 * DAY), order_id, buyer, kind, amount)
    elif p.random() < 0.002:
        _claim(
            mk, delivered_at + p.randint(DAY, 5 * DAY), order_id, buyer, "not_as_described", amount
        )


def _claim(mk: Market, t: int, order_id: str, buyer: str, kind: str, amount: int) -> None:
    mk.sink.emit(
        t,
        "claim.filed",
        "cs-service",
        {
            "claim_id": mk.new_id("cl", 7),
            "order_id": order_id,
            "buyer_id": buyer,
            "kind": kind,
            "requested_fen": amount,
        },
    )
