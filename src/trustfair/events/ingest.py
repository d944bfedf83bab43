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


class Ingestor:
    """Stores and processes events for one ingestion run (a file or an HTTP batch)."""

    def __init__(self, store: Store, registry: Registry, source_name: str) -> None:
        self.store = store
        self.registry = registry
        with store.transaction() as session:
            run = IngestRunRow(source_name=source_name[:512], started_at=datetime.now(UTC))
            session.add(run)
            session.flush()
            self.run_id = run.id

    def store_batch(
        self,
        batch: list[tuple[Line, Envelope]],
        result: IngestResult,
        on_duplicate: RejectSink | None = None,
    ) -> None:
        if not batch:
            return
        envelopes = [envelope for _, envelope in batch]

        def transaction() -> tuple[list[StoredEvent], PipelineOutcome]:
            with self.store.transaction() as session:
                stored = append_events(session, envelopes, received_at=datetime.now(UTC))
                return stored, run_pipeline(stored, session, self.registry)

        # A deadlock with another writer rolls the whole batch back; it is then
        # simply done again (its inserts are idempotent).
        stored, outcome = with_retries(transaction)
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
        with self.store.transaction() as session:
            run = session.get(IngestRunRow, self.run_id)
            assert run is not None
            run.finished_at = datetime.now(UTC)
            run.accepted = result.accepted
            run.duplicates = result.duplicates
            run.rejected = result.rejected


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
        ingestor.store_batch(batch, result, on_duplicate)
    finally:
        ingestor.finish(result)
    return result
