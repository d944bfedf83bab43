"""A placeholder classifier of a user's words into a ``Problem``.

The real one (issue 8, part 1) replaces this module at merge with the same API:
``classify(text) -> Classification``. Until then a handful of honest keywords, the
first problem whose words appear winning; nothing here is tuned on the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustfair.voice.problems import Problem

KEYWORDS: tuple[tuple[Problem, tuple[str, ...]], ...] = (
    (Problem.RUDE_SERVICE, ("态度", "挂电话", "不理", "骂", "rude", "hung up", "ignored")),
    (Problem.COUNTERFEIT, ("假货", "高仿", "防伪", "不是正品", "fake", "counterfeit")),
    (Problem.REFUND_REFUSED, ("拒绝退", "不给退", "不退", "退款", "refund")),
    (Problem.LATE_SHIPMENT, ("发货", "没发", "催", "late", "not shipped")),
    (Problem.DELIVERY, ("物流", "快递", "delivery", "courier")),
    (Problem.QUALITY, ("质量", "破损", "坏", "不符", "quality", "broken")),
    (Problem.PRICE, ("价格", "降价", "差价", "price")),
)


@dataclass(frozen=True)
class Classification:
    problem: Problem
    score: float
    spans: list[tuple[int, int]] = field(default_factory=list)
    runner_up: Problem | None = None


def classify(text: str) -> Classification:
    """The problem ``text`` is about (``other`` when no keyword says)."""
    lowered = text.lower()
    found: list[tuple[Problem, tuple[int, int]]] = []
    for problem, words in KEYWORDS:
        for word in words:
            at = lowered.find(word)
            if at >= 0:
                found.append((problem, (at, at + len(word))))
                break
    if not found:
        return Classification(Problem.OTHER, 0.0)
    runner_up = found[1][0] if len(found) > 1 else None
    return Classification(found[0][0], 0.5, [found[0][1]], runner_up)
