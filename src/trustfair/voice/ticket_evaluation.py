"""How well ``voice.classify`` names tickets' problems, against labels.

Two sources of labels: a simulation (``ticket.opened`` texts in its events file,
``{"kind": "ticket", "ticket_id", "problem", "channel"}`` lines in its truth file), and
a held-out JSONL of ``{"text", "problem", "channel"?}`` written by someone who never
saw the classifier's words. The measure: accuracy, precision / recall / F1 per problem,
the confusion matrix (truth → predicted), accuracy by channel, and a few misses.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustfair.voice.classify import classify
from trustfair.voice.problems import Problem

MISSES_SHOWN = 20


class LabelError(ValueError):
    """A labelled line that cannot be read: says the file, the line and what."""


@dataclass(frozen=True)
class Labelled:
    text: str
    problem: Problem
    channel: str | None = None
    ref: str | None = None


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise LabelError(f"{path}:{number}: not a JSON object")
            yield number, record


def _problem(value: Any, where: str) -> Problem:
    try:
        return Problem(value)
    except ValueError:
        known = ", ".join(p.value for p in Problem)
        raise LabelError(f"{where}: unknown problem {value!r}; known: {known}") from None


def read_held_out(path: Path) -> list[Labelled]:
    """``{"text", "problem", "channel"?}`` lines."""
    found = []
    for number, record in _lines(path):
        where = f"{path}:{number}"
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise LabelError(f"{where}: no text")
        found.append(Labelled(text, _problem(record.get("problem"), where), record.get("channel")))
    return found


def read_simulation(events: Path, truth: Path) -> list[Labelled]:
    """The simulated tickets' texts with the problem the truth gives them; a ticket the
    truth names but the events lack (or the other way round) is left out."""
    labels: dict[str, tuple[Problem, str | None]] = {}
    for number, record in _lines(truth):
        if record.get("kind") != "ticket":
            continue
        where = f"{truth}:{number}"
        ticket_id = record.get("ticket_id")
        if not isinstance(ticket_id, str):
            raise LabelError(f"{where}: a ticket line without ticket_id")
        labels[ticket_id] = (_problem(record.get("problem"), where), record.get("channel"))
    found = []
    for _, record in _lines(events):
        if record.get("type") != "ticket.opened":
            continue
        payload = record.get("payload") or {}
        label = labels.get(payload.get("ticket_id"))
        if label is not None and isinstance(payload.get("text"), str):
            problem, channel = label
            found.append(
                Labelled(
                    payload["text"],
                    problem,
                    payload.get("channel") or channel,
                    payload.get("ticket_id"),
                )
            )
    return found


def evaluate(items: Iterable[Labelled]) -> dict[str, Any]:
    """Accuracy, per-problem precision/recall/F1, confusion, by channel, misses."""
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    channels: dict[str, Counter[str]] = defaultdict(Counter)
    misses = []
    total = right = 0
    for item in items:
        predicted = classify(item.text).problem
        total += 1
        hit = predicted is item.problem
        right += hit
        confusion[item.problem.value][predicted.value] += 1
        if item.channel:
            channels[item.channel]["items"] += 1
            channels[item.channel]["right"] += hit
        if not hit and len(misses) < MISSES_SHOWN:
            misses.append(
                {
                    "ref": item.ref,
                    "text": item.text,
                    "truth": item.problem.value,
                    "predicted": predicted.value,
                }
            )
    per_problem = {}
    for problem in Problem:
        p = problem.value
        true_pos = confusion[p][p]
        predicted = sum(row[p] for row in confusion.values())
        actual = sum(confusion[p].values())
        precision = true_pos / predicted if predicted else None
        recall = true_pos / actual if actual else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision and recall
            else (0.0 if precision is not None and recall is not None else None)
        )
        per_problem[p] = {
            "support": actual,
            "predicted": predicted,
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(f1),
        }
    return {
        "items": total,
        "accuracy": _round(right / total if total else None),
        "per_problem": per_problem,
        "confusion": {t: dict(sorted(row.items())) for t, row in sorted(confusion.items())},
        "by_channel": {
            c: {"items": v["items"], "accuracy": _round(v["right"] / v["items"])}
            for c, v in sorted(channels.items())
        },
        "misses": misses,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
