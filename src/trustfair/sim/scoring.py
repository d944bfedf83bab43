"""Signals in a store held against the simulator's truth: precision and recall of one
label on the event types where it is judged.

``python -m trustfair.sim.scoring DIR`` ingests DIR/events.jsonl into a fresh SQLite
store with only the projectors and the price-history detector (the text engine is
not what is measured here) and prints the figures for ``price_fraud`` as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from trustfair.store.database import Store
from trustfair.store.models import EventRow, SignalRow

PRICE_EVENT_TYPES = ("listing.price_changed", "live.segment")
"""Where the truth marks price fraud read from prices rather than words."""


@dataclass
class Score:
    """Events flagged against events truly violating, for one label and event type."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    missed: list[str] = field(default_factory=list)
    wrongly_flagged: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        truly = self.true_positive + self.false_negative
        return self.true_positive / truly if truly else 1.0

    def to_record(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "false_negative": self.false_negative,
        }


def true_events(
    truth: Iterable[dict[str, Any]], label: str, event_type: str, *, text_too: bool = False
) -> set[str]:
    """Ids of events of ``event_type`` the truth marks with ``label``.

    Unless ``text_too``, events whose label the truth says is in their own words
    (``text_labels``) are left out: those are the text detector's to find.
    """
    found = set()
    for record in truth:
        if record.get("kind") != "violation" or record.get("event_type") != event_type:
            continue
        if label not in record["labels"]:
            continue
        if not text_too and label in record.get("text_labels", []):
            continue
        found.add(record["event_id"])
    return found


def flagged_events(store: Store, label: str, detector: str, event_type: str) -> set[str]:
    with store.reading() as session:
        return set(
            session.scalars(
                select(EventRow.event_id)
                .join(SignalRow, SignalRow.event_seq == EventRow.seq)
                .where(
                    SignalRow.label == label,
                    SignalRow.detector == detector,
                    EventRow.type == event_type,
                )
            )
        )


def score(flagged: set[str], truly: set[str]) -> Score:
    return Score(
        true_positive=len(flagged & truly),
        false_positive=len(flagged - truly),
        false_negative=len(truly - flagged),
        missed=sorted(truly - flagged),
        wrongly_flagged=sorted(flagged - truly),
    )


def score_price_fraud(store: Store, truth_path: Path) -> dict[str, Score]:
    """The price-history detector's ``price_fraud`` per event type, against the truth."""
    truth = [json.loads(line) for line in truth_path.open(encoding="utf-8")]
    return {
        event_type: score(
            flagged_events(store, "price_fraud", "price_history", event_type),
            true_events(truth, "price_fraud", event_type),
        )
        for event_type in PRICE_EVENT_TYPES
    }


def ingest_for_prices(store: Store, events_path: Path) -> None:
    """Run the log through the projectors and the price-history detector only."""
    from trustfair.detect.price_history import PriceHistoryDetector
    from trustfair.events.ingest import ingest_lines, read_lines
    from trustfair.pipeline.registry import Registry, build_projectors
    from trustfair.policy.code import RulePolicy
    from trustfair.settings import Settings

    settings = Settings()
    registry = Registry(
        detectors=[PriceHistoryDetector()],
        policy=RulePolicy(version="scoring", rules=()),
        effects={},
        settings=settings,
        projectors=build_projectors(settings),
    )
    with events_path.open("rb") as stream:
        ingest_lines(store, registry, read_lines(stream), source_name=str(events_path))


def main(argv: list[str]) -> None:
    directory = Path(argv[0])
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'scoring.db'}")
        ingest_for_prices(store, directory / "events.jsonl")
        scores = score_price_fraud(store, directory / "truth.jsonl")
        store.close()
    result = {event_type: s.to_record() for event_type, s in scores.items()}
    for event_type, s in scores.items():
        result[event_type]["missed"] = s.missed[:20]
        result[event_type]["wrongly_flagged"] = s.wrongly_flagged[:20]
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
