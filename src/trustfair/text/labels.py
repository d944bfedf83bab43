"""The text labels every text detector speaks (DESIGN.md, "Text labels")."""

from __future__ import annotations

from typing import Literal, get_args

Label = Literal[
    "spam_porn",
    "extreme_claim",
    "medical_claim",
    "exaggeration",
    "price_fraud",
    "diversion",
    "staged_drama",
    "counterfeit_hint",
]
LABELS: tuple[str, ...] = get_args(Label)

ADVERTISING_LABELS: frozenset[str] = frozenset(
    {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "staged_drama"}
)
"""Labels of what a seller says to sell (广告法 and the pricing rules bind advertisers)."""
BUYER_SPEECH: frozenset[str] = frozenset({"review", "ticket"})
"""Contexts in which buyers speak: a shopper who writes that this was the best hotel in
town advertises nothing, while spam, diversion and counterfeit talk are still theirs to
answer for."""
