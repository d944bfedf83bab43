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
