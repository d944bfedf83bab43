"""Ingestion: lines in, events stored and processed, every other line accounted for.

Lines are validated one by one; valid events are appended to the log and run through
the pipeline in batches, one transaction per batch. A line that fails goes to the
rejects sink with its number and reason and never stops the rest. A batch that has
been committed stays committed: if a later batch fails, running the same input again
finds the earlier events as duplicates and carries on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from trustfair.events.envelope import Envelope
from trustfair.events.validation import MAX_LINE_BYTES, Rejection, parse_line, raw_text
from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import Registry
from trustfair.pipeline.runner import PipelineOutcome, run_pipeline
from trustfair.store.database import Store
from trustfair.store.event_log import append_events
from trustfair.store.models import IngestRunRow
from trustfair.store.retry import with_retries

DEFAULT_BATCH_SIZE = 2_000
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    pipeline: PipelineOutcome = field(default_factory=PipelineOutcome)
    stored_seqs: list[int] = field(default_factory=list)
    """Where the accepted events went in the log, for callers that answer about them."""

    def counts(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


RejectSink = Callable[[Rejection], None]


def jsonl_reject_writer(stream: IO[str]) -> RejectSink:
    """A sink that writes each rejection as one JSON line and flushes it at once."""

    def write(rejection: Rejection) -> None:
        stream.write(json.dumps(rejection.to_record(), ensure_ascii=False) + "\n")
        stream.flush()

    return write


class Line(NamedTuple):
    number: int
    raw: bytes
    """The line without its ending; only the head of an oversized line."""
    size: int
    """How many bytes the whole line had."""


def read_lines(stream: IO[bytes], on_bytes: Callable[[int], Any] | None = None) -> Iterator[Line]:
    """Every non-blank line of ``stream``, numbered from 1.

    A line longer than the limit is not held in memory whole: its head is kept, for
    the rejects file, and the rest is skipped.
    """
    number = 0
    # +2: a line of exactly the limit still fits with its \r\n ending.
    while raw := stream.readline(MAX_LINE_BYTES + 2):
        number += 1
        consumed, tail = len(raw), raw
        if consumed > MAX_LINE_BYTES + 1 and not raw.endswith(b"\n"):
            while tail := stream.readline(1 << 20):
                consumed += len(tail)
                if tail.endswith(b"\n"):
                    break
        if on_bytes:
            on_bytes(consumed)
        head = raw.rstrip(b"\r\n")
        if number == 1 and head.startswith(UTF8_BOM):
            head, consumed = head[len(UTF8_BOM) :], consumed - len(UTF8_BOM)
        ending = len(tail) - len(tail.rstrip(b"\r\n"))
        size = consumed - ending
        # An oversized line is never "blank", whatever its first bytes are.
        if size > MAX_LINE_BYTES or head.strip():
            yield Line(number, head, size)


_RUNS = IngestRunRow.__table__
_INSERT_RUN = insert(_RUNS).returning(_RUNS.c.id)
_UPDATE_RUN = update(_RUNS).where(_RUNS.c.id == bindparam("run_id"))


class Ingestor:
    """Stores and processes events for one ingestion run (a file or an HTTP batch).

    The run's record is written in the transaction of its first batch and brought up
    to date in its last one, so an input of one batch (an HTTP request, most often)
    costs one transaction, not three.
    """

    def __init__(self, store: Store, registry: Registry, source_name: str) -> None:
        self.store = store
        self.registry = registry
        self.source_name = source_name[:512]
        self.started_at = datetime.now(UTC)
        self.run_id: int | None = None
        self.finished = False

    def _record_run(self, session: Session, counts: dict[str, int], finished: bool) -> int:
        values: dict[str, object] = dict(counts)
        if finished:
            values["finished_at"] = datetime.now(UTC)
        # Core statements on the table: the ORM's bulk paths cost more than the row.
        connection = session.connection()
        if self.run_id is None:
            return connection.execute(
                _INSERT_RUN,
                {"source_name": self.source_name, "started_at": self.started_at, **values},
            ).scalar_one()
        connection.execute(_UPDATE_RUN.values(**values), {"run_id": self.run_id})
        return self.run_id

    def store_batch(
        self,
        batch: list[tuple[Line, Envelope]],
        result: IngestResult,
        on_duplicate: RejectSink | None = None,
        *,
        last: bool = False,
    ) -> None:
        if not batch:
            return
        envelopes = [envelope for _, envelope in batch]

        def transaction() -> tuple[list[StoredEvent], PipelineOutcome, int]:
            with self.store.transaction() as session:
                stored = append_events(session, envelopes, received_at=datetime.now(UTC))
                outcome = run_pipeline(stored, session, self.registry)
                counts = {
                    "accepted": result.accepted + len(stored),
                    "duplicates": result.duplicates + len(envelopes) - len(stored),
                    "rejected": result.rejected,
                }
                return stored, outcome, self._record_run(session, counts, finished=last)

        # A deadlock with another writer rolls the whole batch back; it is then
        # simply done again (its inserts are idempotent).
        stored, outcome, self.run_id = with_retries(transaction)
        self.finished = last
        result.accepted += len(stored)
        result.stored_seqs.extend(item.seq for item in stored)
        result.duplicates += len(envelopes) - len(stored)
        result.pipeline.add(outcome)
        if on_duplicate is not None and len(stored) < len(envelopes):
            # The first line of each stored id is the one that was stored; every other
            # line with that id is a duplicate, and says so in the rejects file.
            stored_envelope = {item.envelope.event_id: item.envelope for item in stored}
            for line, envelope in batch:
                if stored_envelope.get(envelope.event_id) is envelope:
                    continue
                on_duplicate(
                    Rejection(
                        line.number,
                        f"duplicate event_id {envelope.event_id!r}: already stored, unchanged",
                        raw_text(line.raw),
                        line.size,
                        duplicate=True,
                    )
                )

    def finish(self, result: IngestResult) -> None:
        """Record the run as finished, unless its last batch already did."""
        if self.finished:
            return
        with self.store.transaction() as session:
            self.run_id = self._record_run(session, result.counts(), finished=True)
        self.finished = True


def ingest_lines(
    store: Store,
    registry: Registry,
    lines: Iterable[Line],
    *,
    source_name: str,
    on_reject: RejectSink | None = None,
    on_duplicate: RejectSink | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> IngestResult:
    """Validate, store and process numbered lines; see the module docstring."""
    ingestor = Ingestor(store, registry, source_name)
    result = IngestResult()
    batch: list[tuple[Line, Envelope]] = []
    try:
        for line in lines:
            parsed = parse_line(line.raw, line.number, size=line.size)
            if isinstance(parsed, Rejection):
                result.rejected += 1
                if on_reject is not None:
                    on_reject(parsed)
                else:
                    result.rejections.append(parsed)
                continue
            batch.append((line, parsed))
            if len(batch) >= batch_size:
                ingestor.store_batch(batch, result, on_duplicate)
                batch = []
        ingestor.store_batch(batch, result, on_duplicate, last=True)
    finally:
        ingestor.finish(result)
    return result
