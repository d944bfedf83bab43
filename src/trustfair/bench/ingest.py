"""events/s ingested and processed on the embedded store, beside a bare executemany.

Both sides write the same rows into a fresh SQLite file in WAL mode, in batches of the
same size, one transaction per batch. trustfair's side also parses and validates each
line, finds duplicates, runs the pipeline and records the run; the baseline only
inserts rows prepared before its clock starts. Runs alternate (A, B, A, B, ...) so a
noisy neighbour hurts both, and the median of each is reported.
"""

from __future__ import annotations

import io
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustfair.events.ingest import DEFAULT_BATCH_SIZE, ingest_lines, read_lines
from trustfair.events.validation import parse_line
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.event_log import event_row
from trustfair.store.types import sqlite_datetime

EVENT_COLUMNS = (
    "event_id",
    "type",
    "occurred_at",
    "source",
    "subject_type",
    "subject_id",
    "payload",
    "received_at",
)


def simulated_lines(count: int, seed: int = 7) -> list[bytes]:
    """The first ``count`` lines of a simulated marketplace (a realistic mix of types)."""
    from trustfair.sim import simulate

    with tempfile.TemporaryDirectory() as tmp:
        for scale in ("small", "medium", "large"):
            simulate(seed=seed, scale=scale, out_dir=Path(tmp))
            lines = (Path(tmp) / "events.jsonl").read_bytes().splitlines()
            if len(lines) >= count:
                return lines[:count]
    raise ValueError(f"the simulator cannot make {count} events")


def _trustfair_run(lines: list[bytes], db: Path, batch_size: int) -> float:
    return timed_ingest(lines, db, build_registry(Settings()), batch_size)


def timed_ingest(lines: list[bytes], db: Path, registry: Registry, batch_size: int) -> float:
    """Seconds to ingest ``lines`` with ``registry`` into a fresh SQLite file ``db``."""
    store = Store.open(f"sqlite:///{db}")
    data = b"\n".join(lines) + b"\n"
    started = time.perf_counter()
    result = ingest_lines(
        store, registry, read_lines(io.BytesIO(data)), source_name="bench", batch_size=batch_size
    )
    elapsed = time.perf_counter() - started
    store.close()
    if result.accepted != len(lines):
        raise RuntimeError(f"bench input not fully accepted: {result.counts()}")
    return elapsed


def _baseline_rows(lines: list[bytes]) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    rows = []
    for number, raw in enumerate(lines, start=1):
        envelope = parse_line(raw, number)
        row = event_row(envelope, now)  # type: ignore[arg-type]
        rows.append(
            (
                row["event_id"],
                row["type"],
                sqlite_datetime(row["occurred_at"]),  # type: ignore[arg-type]
                row["source"],
                row["subject_type"],
                row["subject_id"],
                json.dumps(row["payload"], ensure_ascii=False),
                sqlite_datetime(now),
            )
        )
    return rows


def _baseline_run(rows: list[tuple[Any, ...]], db: Path, batch_size: int) -> float:
    # The same table (built by the same migration), written by the sqlite3 module alone.
    Store.open(f"sqlite:///{db}").close()
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    placeholders = ", ".join("?" * len(EVENT_COLUMNS))
    statement = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({placeholders})"
    started = time.perf_counter()
    for start in range(0, len(rows), batch_size):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(statement, rows[start : start + batch_size])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    count = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    connection.close()
    if count != len(rows):
        raise RuntimeError(f"baseline stored {count} of {len(rows)} rows")
    return elapsed


def run(
    events: int = 50_000, repeats: int = 3, batch_size: int = DEFAULT_BATCH_SIZE
) -> dict[str, Any]:
    lines = simulated_lines(events)
    rows = _baseline_rows(lines)
    ours: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(repeats):
            ours.append(_trustfair_run(lines, Path(tmp) / f"trustfair-{attempt}.db", batch_size))
            bare.append(_baseline_run(rows, Path(tmp) / f"baseline-{attempt}.db", batch_size))
    ours_rate = events / statistics.median(ours)
    bare_rate = events / statistics.median(bare)
    return {
        "bench": "ingest",
        "events": events,
        "store": "sqlite (WAL, file)",
        "batch_size": batch_size,
        "repeats": repeats,
        "trustfair_events_per_s": round(ours_rate),
        "baseline_executemany_events_per_s": round(bare_rate),
        "ratio": round(ours_rate / bare_rate, 4),
        "trustfair_seconds": [round(s, 3) for s in ours],
        "baseline_seconds": [round(s, 3) for s in bare],
        "what_trustfair_does": (
            "read + validate + dedupe + insert + detect/decide/effects + run record"
        ),
        "what_baseline_does": "sqlite3 executemany of the prepared event rows",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
