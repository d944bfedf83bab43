"""Consumer protection: guarantees merchants opt into, deposits they pay, and claims
customer service files for buyers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trustfair.events.fields import Fen, Id, ShortText
from trustfair.events.payload import Payload, event_type

GuaranteeName = Literal[
    "seven_day_return",
    "return_shipping",
    "fake_one_pay_n",
    "fast_refund",
    "damage_guarantee",
    "late_shipment",
]
ClaimKindName = Literal["counterfeit", "not_as_described", "not_delivered", "merchant_unreachable"]


@event_type("guarantee.opted_in", subject=("merchant", "merchant_id"))
class GuaranteeOptedIn(Payload):
    """A merchant offers a guarantee on its whole shop (no ``listing_id``) or a listing."""

    merchant_id: Id
    guarantee: GuaranteeName
    listing_id: Id | None = None
    n: int | None = Field(default=None, ge=1, le=10)
    """For fake_one_pay_n: how many times the price a counterfeit pays."""


@event_type("guarantee.opted_out", subject=("merchant", "merchant_id"))
class GuaranteeOptedOut(Payload):
    merchant_id: Id
    guarantee: GuaranteeName
    listing_id: Id | None = None


@event_type("deposit.paid", subject=("merchant", "merchant_id"))
class DepositPaid(Payload):
    """A merchant paid into its deposit (``payment_id`` is the payment's own id)."""

    merchant_id: Id
    payment_id: Id
    amount_fen: Fen = Field(gt=0)


@event_type("claim.filed", subject=("order", "order_id"), texts=("description",))
class ClaimFiled(Payload):
    """Customer service files a buyer's claim on the protection fund."""

    claim_id: Id
    order_id: Id
    buyer_id: Id
    kind: ClaimKindName
    requested_fen: Fen = Field(gt=0)
    description: ShortText = ""
