"""The terms of the guarantees and of the protection fund: data, in the policy file's
``protection`` section, checked before anything runs (a typo is a load error).

Every amount is integer fen. The defaults below are what a policy file without a
``protection`` section gets; ``policy/data/default.yaml`` writes them out.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FenAmount = Annotated[int, Field(ge=0, le=10**12)]
"""Whole fen. Not strict: a policy file's YAML hands every plain scalar over as text
("5000"), and the schema turns it into the number; "12.5" is still refused."""


class Guarantee(StrEnum):
    """What a merchant may opt into ("trust purchase"), for its shop or a listing."""

    SEVEN_DAY_RETURN = "seven_day_return"
    RETURN_SHIPPING = "return_shipping"
    FAKE_ONE_PAY_N = "fake_one_pay_n"
    FAST_REFUND = "fast_refund"
    DAMAGE_GUARANTEE = "damage_guarantee"
    LATE_SHIPMENT = "late_shipment"


class ClaimKind(StrEnum):
    """What a buyer may claim from the protection fund."""

    COUNTERFEIT = "counterfeit"
    NOT_AS_DESCRIBED = "not_as_described"
    NOT_DELIVERED = "not_delivered"
    MERCHANT_UNREACHABLE = "merchant_unreachable"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(Strict):
    order_up_to_fen: FenAmount | None
    """Orders paid up to this much (None: any larger order) …"""

    @field_validator("order_up_to_fen", mode="before")
    @classmethod
    def _null_is_none(cls, value: object) -> object:
        # The policy file's YAML keeps plain scalars as text: its null arrives as "null".
        return None if value in ("null", "~", "Null", "NULL") else value

    pays_up_to_fen: FenAmount
    """… get their return shipping paid up to this much."""


class ReturnShipping(Strict):
    """Return-shipping compensation: the fee the buyer paid, up to its order's tier and
    the cap, once per order, for a return with shipping proof."""

    borne_by: Literal["platform", "merchant"] = "platform"
    tiers: list[Tier] = Field(
        default_factory=lambda: [
            Tier(order_up_to_fen=5_000, pays_up_to_fen=800),
            Tier(order_up_to_fen=30_000, pays_up_to_fen=1_200),
            Tier(order_up_to_fen=None, pays_up_to_fen=2_000),
        ],
        min_length=1,
        max_length=20,
    )
    cap_fen: FenAmount = 2_500

    @field_validator("tiers")
    @classmethod
    def _tiers_rise_to_an_open_end(cls, tiers: list[Tier]) -> list[Tier]:
        bounds = [tier.order_up_to_fen for tier in tiers]
        if bounds[-1] is not None:
            raise ValueError("the last tier must have order_up_to_fen: null (every larger order)")
        closed = [bound for bound in bounds[:-1] if bound is not None]
        if len(closed) != len(bounds) - 1 or closed != sorted(set(closed)):
            raise ValueError(f"tier bounds must rise strictly, with only the last open: {bounds}")
        return tiers

    def compensation(self, order_fen: int, fee_fen: int) -> int:
        """What a return of an order paid ``order_fen`` with ``fee_fen`` shipping gets."""
        tier = next(
            t for t in self.tiers if t.order_up_to_fen is None or order_fen <= t.order_up_to_fen
        )
        return min(fee_fen, tier.pays_up_to_fen, self.cap_fen)


class LateShipment(Strict):
    """Late-shipment compensation: a share of what the order was paid, within bounds,
    paid by the merchant (the fund pays first), once per order."""

    borne_by: Literal["platform", "merchant"] = "merchant"
    percent_of_order: Annotated[int, Field(ge=0, le=100)] = 10
    min_fen: FenAmount = 300
    max_fen: FenAmount = 5_000

    @model_validator(mode="after")
    def _bounds_in_order(self) -> LateShipment:
        if self.min_fen > self.max_fen:
            raise ValueError(f"min_fen {self.min_fen} is above max_fen {self.max_fen}")
        return self

    def compensation(self, order_fen: int) -> int:
        """The share, within the bounds, and never more than the order itself."""
        share = order_fen * self.percent_of_order // 100
        return min(max(share, self.min_fen), self.max_fen, order_fen)


class FakeOnePayN(Strict):
    """Fake-one-pay-N: a counterfeit confirmed on a covered order pays N times what the
    buyer paid (the refund included)."""

    default_n: Annotated[int, Field(ge=1, le=10)] = 3
    max_n: Annotated[int, Field(ge=1, le=10)] = 10


class Claims(Strict):
    """How the fund adjudicates claims without a person, and when it asks one."""

    auto_approve_up_to_fen: FenAmount = 50_000
    """A claim asking more goes to review, whatever its facts."""
    not_delivered_after_days: Annotated[int, Field(ge=1, le=365)] = 15
    """An order paid this long ago with no delivery is not delivered, on its facts."""
    reviewed: list[ClaimKind] = Field(
        default_factory=lambda: [ClaimKind.COUNTERFEIT, ClaimKind.NOT_AS_DESCRIBED]
    )
    """Kinds a reviewer always decides: their facts are not in the event log."""


class Deposit(Strict):
    """What happens to a merchant the fund could not recover from."""

    restriction: Literal["settlement_freeze", "traffic_limit", "ban"] = "settlement_freeze"
    """Issued when the deposit runs dry with debt left; lifted once the debt is paid.
    A settlement freeze tells the marketplace to pay the merchant nothing without asking
    first (POST /v1/merchants/{id}/settlements), so the fund keeps back what it is owed
    from every settlement until the debt is paid."""


class Protection(Strict):
    """The ``protection`` section of a policy file."""

    return_shipping: ReturnShipping = Field(default_factory=ReturnShipping)
    late_shipment: LateShipment = Field(default_factory=LateShipment)
    fake_one_pay_n: FakeOnePayN = Field(default_factory=FakeOnePayN)
    claims: Claims = Field(default_factory=Claims)
    deposit: Deposit = Field(default_factory=Deposit)
