"""Measure the engine on labeled text: precision, recall and false-positive rate per
label, the lawful text it wrongly flags, and how much of what the plain wording is
flagged for its disguised rewrites still are.

A labeled line is ``{"id", "text", "label"}`` with a taxonomy label or ``clean``;
``context`` and ``category`` are passed to the engine when present, and a line with
``plain_id`` is a disguised rewrite of that line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustfair.text.engine import ModerationEngine
from trustfair.text.lexicon import LABELS

CLEAN = "clean"


@dataclass
class LabelScore:
    label: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    negatives: int = 0

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None


@dataclass
class Outcome:
    id: str
    text: str
    gold: str
    predicted: list[str]
    verdict: str


@dataclass
class Evaluation:
    scores: dict[str, LabelScore]
    outcomes: list[Outcome] = field(default_factory=list)
    clean_lines: int = 0
    clean_flagged: int = 0
    disguised: int = 0
    disguised_recovered: int = 0

    @property
    def lawful_false_alarm_rate(self) -> float | None:
        return self.clean_flagged / self.clean_lines if self.clean_lines else None

    @property
    def disguise_recovery(self) -> float | None:
        return self.disguised_recovered / self.disguised if self.disguised else None

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.gold != CLEAN and o.gold not in o.predicted]

    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.outcomes if any(p != o.gold for p in o.predicted)]

    def to_record(self, examples: int = 20) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "lines": len(self.outcomes),
            "lawful_false_alarm_rate": rounded(self.lawful_false_alarm_rate),
            "clean_lines": self.clean_lines,
            "disguise_recovery": rounded(self.disguise_recovery),
            "disguised_lines": self.disguised,
            "labels": {
                label: {
                    "precision": rounded(s.precision),
                    "recall": rounded(s.recall),
                    "false_positive_rate": rounded(s.false_positive_rate),
                    "support": s.true_positives + s.false_negatives,
                }
                for label, s in self.scores.items()
            },
            "misses": [_example(o) for o in self.misses()[:examples]],
            "false_alarms": [_example(o) for o in self.false_alarms()[:examples]],
        }


def _example(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "gold": outcome.gold,
        "predicted": outcome.predicted,
        "text": outcome.text[:120],
    }


class LabeledLineError(ValueError):
    pass


def read_labeled(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Every labeled line of ``paths``; a malformed one is an error naming file and line."""
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise LabeledLineError(f"{path}:{number}: invalid JSON: {exc}") from None
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise LabeledLineError(f"{path}:{number}: needs a text")
                if item.get("label") not in (*LABELS, CLEAN):
                    raise LabeledLineError(
                        f"{path}:{number}: label {item.get('label')!r} is not one of "
                        f"{', '.join((*LABELS, CLEAN))}"
                    )
                yield item


def evaluate(engine: ModerationEngine, items: Iterable[dict[str, Any]]) -> Evaluation:
    scores = {label: LabelScore(label) for label in LABELS}
    evaluation = Evaluation(scores)
    flagged_for_gold: dict[str, bool] = {}
    disguises: list[tuple[str, bool]] = []
    for item in items:
        result = engine.moderate(item["text"], item.get("context"), item.get("category"))
        predicted = sorted({label.label for label in result.labels})
        gold = item["label"]
        item_id = str(item.get("id", len(evaluation.outcomes) + 1))
        evaluation.outcomes.append(Outcome(item_id, item["text"], gold, predicted, result.verdict))
        flagged_for_gold[item_id] = gold in predicted
        if item.get("plain_id"):
            disguises.append((str(item["plain_id"]), gold in predicted))
        if gold == CLEAN:
            evaluation.clean_lines += 1
            evaluation.clean_flagged += bool(predicted)
        for label, score in scores.items():
            if gold == label:
                if label in predicted:
                    score.true_positives += 1
                else:
                    score.false_negatives += 1
            else:
                score.negatives += 1
                score.false_positives += label in predicted
    # Recovery counts only rewrites whose plain wording is itself flagged: it measures
    # what disguising costs, not what the lexicon never knew.
    for plain_id, recovered in disguises:
        if flagged_for_gold.get(plain_id):
            evaluation.disguised += 1
            evaluation.disguised_recovered += recovered
    return evaluation
