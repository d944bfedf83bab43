"""The recommendation score (NPS) from ``survey.answered`` (0–10), as projected into
``survey_answers``: promoters answer 9–10, detractors 0–6; NPS = 100 × (P − D) / n.

Its 95 % interval is normal over the trinomial variance of P − D:
var = (p_P + p_D − (p_P − p_D)²) / n, NPS ± 1.96 × 100 × √var, clipped to [−100, 100].
A group with fewer than ``MIN_N`` answers shows its n and counts but no score and no
interval (``suppressed``): a score of 12 answers moves by 30 points with one more.

Groups: ``overall``, ``week`` and ``month`` (China time), ``merchant``, ``category``,
and two segments a service team acts on: ``channel`` (the order came from a live
session, or from the shelf) and ``buyer`` (the survey's order was the buyer's first,
or a returning buyer's). Answers without an order fall in segment ``none``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.events.fields import CHINA
from trustfair.store.models import SurveyAnswerRow

MIN_N = 30
Z95 = 1.959964
GROUPINGS = ("overall", "week", "month", "merchant", "category", "channel", "buyer")
EXAMPLES = 3


def is_promoter(score: int) -> bool:
    return score >= 9


def is_detractor(score: int) -> bool:
    return score <= 6


@dataclass(frozen=True)
class Nps:
    key: str
    n: int
    promoters: int
    detractors: int
    min_n: int = MIN_N

    @property
    def passives(self) -> int:
        return self.n - self.promoters - self.detractors

    @property
    def suppressed(self) -> bool:
        return self.n < self.min_n

    @property
    def score(self) -> float | None:
        if self.suppressed or self.n == 0:
            return None
        return 100 * (self.promoters - self.detractors) / self.n

    @property
    def interval(self) -> tuple[float, float] | None:
        score = self.score
        if score is None:
            return None
        p, d = self.promoters / self.n, self.detractors / self.n
        half = Z95 * 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / self.n)
        return max(-100.0, score - half), min(100.0, score + half)

    def to_record(self) -> dict[str, Any]:
        interval = self.interval
        return {
            "key": self.key,
            "n": self.n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "nps": None if self.score is None else round(self.score, 1),
            "ci_low": None if interval is None else round(interval[0], 1),
            "ci_high": None if interval is None else round(interval[1], 1),
            "suppressed": self.suppressed,
        }


def group_key(row: SurveyAnswerRow, by: str) -> str:
    if by == "overall":
        return "all"
    if by == "week":
        year, week, _ = row.at.astimezone(CHINA).isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return row.at.astimezone(CHINA).strftime("%Y-%m")
    value = {
        "merchant": row.merchant_id,
        "category": row.category,
        "channel": row.channel,
        "buyer": row.buyer,
    }[by]
    return value or "none"


def answers(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[SurveyAnswerRow]:
    query = select(SurveyAnswerRow).order_by(SurveyAnswerRow.id)
    if since is not None:
        query = query.where(SurveyAnswerRow.at >= since)
    if until is not None:
        query = query.where(SurveyAnswerRow.at <= until)
    return list(session.scalars(query))


def nps_by(rows: list[SurveyAnswerRow], by: str, min_n: int = MIN_N) -> list[Nps]:
    """NPS of ``rows`` grouped ``by`` one of ``GROUPINGS``, groups in key order."""
    if by not in GROUPINGS:
        raise ValueError(f"by={by!r}: one of {', '.join(GROUPINGS)}")
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        c = counts[group_key(row, by)]
        c["n"] += 1
        c["promoters"] += is_promoter(row.score)
        c["detractors"] += is_detractor(row.score)
    return [
        Nps(key, c["n"], c["promoters"], c["detractors"], min_n)
        for key, c in sorted(counts.items())
    ]


@dataclass
class DetractorProblems:
    """What detractors' comments were about: counts per problem, and examples."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    without_comment: int = 0

    def to_record(self) -> dict[str, Any]:
        return {
            "problems": [
                {"problem": p, "count": n, "examples": self.examples.get(p, [])}
                for p, n in self.counts.most_common()
            ],
            "without_comment": self.without_comment,
        }


def detractor_problems(rows: list[SurveyAnswerRow]) -> DetractorProblems:
    found = DetractorProblems()
    for row in rows:
        if not is_detractor(row.score):
            continue
        if row.problem is None:
            found.without_comment += 1
            continue
        found.counts[row.problem] += 1
        examples = found.examples.setdefault(row.problem, [])
        if len(examples) < EXAMPLES and row.comment not in examples:
            examples.append(row.comment)
    return found


def nps_report(
    session: Session,
    by: str,
    since: datetime | None = None,
    until: datetime | None = None,
    min_n: int = MIN_N,
) -> dict[str, Any]:
    rows = answers(session, since, until)
    return {
        "by": by,
        "min_n": min_n,
        "groups": [g.to_record() for g in nps_by(rows, by, min_n)],
        "detractor_problems": detractor_problems(rows).to_record(),
    }
