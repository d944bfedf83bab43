"""events/s through detect + decide + persist on the embedded store, beside ingestion
alone, in the same run.

Both sides ingest the same simulated lines (a realistic mix of event types, in time
order) into a fresh SQLite file in WAL mode, in batches of the same size, one
transaction per batch, through the same ``ingest_lines``: read, validate, dedupe and
append to the log. The pipeline side also runs every registered projector, detector,
the active policy file and its effects, and stores signals and decisions; the ingestion
side has a registry with none of them. Runs alternate (pipeline, ingestion, ...) so a
noisy neighbour hurts both; medians are reported. One further run, outside the
comparison, times each projector and detector on its own.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from trustfair.bench.ingest import simulated_lines, timed_ingest
from trustfair.events.ingest import DEFAULT_BATCH_SIZE
from trustfair.pipeline.interfaces import (
    Context,
    Decision,
    Detector,
    Projector,
    Signal,
    StoredEvent,
)
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings


class NoDecisions:
    """A policy that decides nothing: ingestion alone."""

    version = "none"

    def decide(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> Decision | None:
        return None


def ingestion_only(settings: Settings) -> Registry:
    return Registry(detectors=[], policy=NoDecisions(), effects={}, settings=settings)


@dataclass
class Stopwatch:
    seconds: Counter[str] = field(default_factory=Counter)


@dataclass
class TimedDetector:
    inner: Detector
    watch: Stopwatch

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def version(self) -> str:
        return self.inner.version

    @property
    def event_types(self) -> frozenset[str]:
        return self.inner.event_types

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        started = time.perf_counter()
        try:
            return self.inner.detect(event, context)
        finally:
            self.watch.seconds[f"detector:{self.inner.name}"] += time.perf_counter() - started


@dataclass
class TimedProjector:
    inner: Projector
    watch: Stopwatch

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def event_types(self) -> frozenset[str]:
        return self.inner.event_types

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        started = time.perf_counter()
        try:
            self.inner.project(events, session)
        finally:
            self.watch.seconds[f"projector:{self.inner.name}"] += time.perf_counter() - started


def _timed(registry: Registry, watch: Stopwatch) -> Registry:
    return Registry(
        detectors=[TimedDetector(d, watch) for d in registry.detectors],
        policy=registry.policy,
        effects=registry.effects,
        settings=registry.settings,
        projectors=[TimedProjector(p, watch) for p in registry.projectors],
    )


def run(
    events: int = 50_000, repeats: int = 3, batch_size: int = DEFAULT_BATCH_SIZE
) -> dict[str, Any]:
    lines = simulated_lines(events)
    settings = Settings()
    full = build_registry(settings)  # built once: loading the text engine is not timed
    bare = ingestion_only(settings)
    with_pipeline: list[float] = []
    alone: list[float] = []
    watch = Stopwatch()
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(repeats):
            with_pipeline.append(
                timed_ingest(lines, Path(tmp) / f"pipeline-{attempt}.db", full, batch_size)
            )
            alone.append(timed_ingest(lines, Path(tmp) / f"ingest-{attempt}.db", bare, batch_size))
        timed = _timed(full, watch)
        breakdown_total = timed_ingest(lines, Path(tmp) / "breakdown.db", timed, batch_size)
    pipeline_rate = events / statistics.median(with_pipeline)
    ingest_rate = events / statistics.median(alone)
    types = Counter(json.loads(line)["type"] for line in lines)
    return {
        "bench": "pipeline",
        "events": events,
        "event_mix": dict(types.most_common()),
        "store": "sqlite (WAL, file)",
        "batch_size": batch_size,
        "repeats": repeats,
        "pipeline_events_per_s": round(pipeline_rate),
        "ingest_only_events_per_s": round(ingest_rate),
        "ratio": round(pipeline_rate / ingest_rate, 4),
        "pipeline_seconds": [round(s, 3) for s in with_pipeline],
        "ingest_only_seconds": [round(s, 3) for s in alone],
        "breakdown_run_seconds": round(breakdown_total, 3),
        "breakdown_seconds": {k: round(v, 3) for k, v in watch.seconds.most_common()},
        "detectors": sorted(d.name for d in full.detectors),
        "projectors": sorted(p.name for p in full.projectors),
        "policy": full.policy.version,
        "what_pipeline_does": (
            "read + validate + dedupe + append + project + detect + decide + effects"
            " + persist signals/decisions + run record"
        ),
        "what_ingest_only_does": "read + validate + dedupe + append + run record",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
