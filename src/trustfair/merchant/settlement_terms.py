"""The terms of the merchant trust score and early settlement: data, in the policy
file's ``settlement`` section, checked when the file loads (a typo or a bad value is a
load error naming the key).

The score is the weighted mean of four sub-scores, each 0–100: violations, disputes,
fulfilment and feedback. Each falls linearly from 100 (nothing against the merchant) to
0 at the level the terms call unacceptable (``…_zero_at``). A merchant whose score is at
least ``bar`` is paid on shipment; one with fewer than ``min_orders`` orders in the
window has no score, and is not trusted by default.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Share = Annotated[float, Field(gt=0, le=1)]
Percent = Annotated[int, Field(ge=0, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weights(Strict):
    """How much each component counts, in percent; they add up to 100."""

    violations: Percent = 30
    disputes: Percent = 30
    fulfilment: Percent = 25
    feedback: Percent = 15

    @model_validator(mode="after")
    def _add_up_to_100(self) -> Weights:
        total = self.violations + self.disputes + self.fulfilment + self.feedback
        if total != 100:
            raise ValueError(f"the weights must add up to 100, they add up to {total}")
        return self


class Settlement(Strict):
    """The ``settlement`` section of a policy file."""

    early_settlement: bool = True
    """False turns early settlement off for everyone (the scores are still shown)."""
    window_days: Annotated[int, Field(ge=1, le=365)] = 90
    """The score reads the merchant's record over this many days before the moment."""
    min_orders: Annotated[int, Field(ge=1, le=100_000)] = 20
    """Fewer orders paid in the window: no score, and no early settlement."""
    bar: Percent = 80
    """The score that earns early settlement."""
    weights: Weights = Field(default_factory=Weights)
    points_cost: Annotated[int, Field(ge=0, le=100)] = 10
    """Violations sub-score lost per net penalty point awarded in the window."""
    disputes_zero_at: Share = 0.05
    """Disputes (approved claims, upheld IP complaints, buyer complaints) per order at
    which the disputes sub-score is 0."""
    late_zero_at: Share = 0.20
    """Share of orders shipped late at which the fulfilment sub-score is 0."""
    negative_zero_at: Share = 0.20
    """Negative feedback per order at which the feedback sub-score is 0."""
