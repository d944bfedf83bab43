"""Orders from payment to delivery, return and refund."""

from __future__ import annotations

from trustfair.events.fields import Code, Fen, Id, Quantity, ShortText, Timestamp
from trustfair.events.payload import Payload, event_type


@event_type("order.paid", subject=("order", "order_id"))
class OrderPaid(Payload):
    order_id: Id
    buyer_id: Id
    merchant_id: Id
    listing_id: Id
    quantity: Quantity = 1
    unit_price_fen: Fen
    amount_fen: Fen
    """What the buyer paid in all, after discounts."""
    session_id: Id | None = None
    """The live session the order was placed from, if any."""
    streamer_id: Id | None = None
    ship_by: Timestamp | None = None
    """The promised shipping deadline, if the merchant set one."""


@event_type("order.shipped", subject=("order", "order_id"))
class OrderShipped(Payload):
    order_id: Id
    merchant_id: Id
    carrier: Code
    tracking_no: Id


@event_type("order.delivered", subject=("order", "order_id"))
class OrderDelivered(Payload):
    order_id: Id
    buyer_id: Id


@event_type("order.returned", subject=("order", "order_id"), texts=("note",))
class OrderReturned(Payload):
    """The buyer sent the goods back."""

    order_id: Id
    buyer_id: Id
    merchant_id: Id
    reason: Code
    shipping_fee_fen: Fen = 0
    tracking_no: Id | None = None
    """Proof of return shipping, if the buyer gave one."""
    note: ShortText = ""


@event_type("order.refunded", subject=("order", "order_id"))
class OrderRefunded(Payload):
    order_id: Id
    buyer_id: Id
    merchant_id: Id
    amount_fen: Fen
    reason: Code


@event_type("order.confirmed", subject=("order", "order_id"))
class OrderConfirmed(Payload):
    """The buyer confirmed receipt, or the marketplace confirmed it for them when the
    confirmation period ran out (``auto``): the point where a merchant is normally paid."""

    order_id: Id
    buyer_id: Id
    merchant_id: Id
    auto: bool = False


@event_type("order.refund_refused", subject=("order", "order_id"), texts=("note",))
class OrderRefundRefused(Payload):
    """The merchant refused a buyer's request for a refund or return in the marketplace's
    after-sales flow (a refusal made only in chat never reaches this event)."""

    order_id: Id
    buyer_id: Id
    merchant_id: Id
    reason: Code
    note: ShortText = ""
