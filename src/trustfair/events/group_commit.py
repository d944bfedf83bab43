"""Small concurrent ingestions committed together: one writer, one transaction a turn.

A transcript service sends one ``live.segment`` per request, hundreds a second, on
many connections. Taken one request per transaction on threads of their own, they
queue for the store's single writer (SQLite) and for the interpreter's lock, and the
queueing, not the work, becomes the request's time. Here one writer thread takes
whatever requests have arrived while it was busy (up to a batch of events), stores
and processes them in one transaction, in arrival order, and answers each with its
own counts. Each request is still its own ingestion run in the record, and the result
is the one a sequence of separate ingestions would have given: a repeated event id
is stored once, first come first stored. When a group's transaction fails, each of
its requests is committed again alone, so one bad request fails only itself.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert

from trustfair.events.envelope import Envelope
from trustfair.events.ingest import DEFAULT_BATCH_SIZE, IngestResult, Line
from trustfair.events.validation import Rejection, parse_line
from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import Registry
from trustfair.pipeline.runner import PipelineOutcome, run_pipeline
from trustfair.store.database import Store
from trustfair.store.event_log import append_events
from trustfair.store.models import IngestRunRow
from trustfair.store.retry import with_retries


@dataclass
class _Request:
    lines: list[Line]
    source_name: str
    received_at: datetime
    future: Future[IngestResult] = field(default_factory=Future)
    envelopes: list[Envelope] = field(default_factory=list)
    result: IngestResult = field(default_factory=IngestResult)


class GroupCommitter:
    """Ingests small inputs submitted from any thread; see the module docstring."""

    def __init__(
        self, store: Store, registry: Registry, max_events: int = DEFAULT_BATCH_SIZE
    ) -> None:
        self.store = store
        self.registry = registry
        self.max_events = max_events
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, lines: list[Line], source_name: str) -> Future[IngestResult]:
        """Ingest ``lines`` as one run; the future holds its result (rejections listed)."""
        request = _Request(lines, source_name[:512], datetime.now(UTC))
        self._ensure_started()
        self._queue.put(request)
        return request.future

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ingest-group-commit", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(timeout=30)
                self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, events, stopping = [first], len(first.lines), False
            while events < self.max_events:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                group.append(more)
                events += len(more.lines)
            self._commit(group)
            if stopping:
                return

    def _commit(self, group: list[_Request]) -> None:
        for request in group:
            request.envelopes, request.result = [], IngestResult()
            for line in request.lines:
                parsed = parse_line(line.raw, line.number, size=line.size)
                if isinstance(parsed, Rejection):
                    request.result.rejected += 1
                    request.result.rejections.append(parsed)
                else:
                    request.envelopes.append(parsed)

        def transaction() -> tuple[list[StoredEvent], PipelineOutcome]:
            with self.store.transaction() as session:
                envelopes = [e for request in group for e in request.envelopes]
                stored = append_events(session, envelopes, received_at=datetime.now(UTC))
                outcome = run_pipeline(stored, session, self.registry)
                stored_ids = {id(item.envelope) for item in stored}
                finished = datetime.now(UTC)
                runs = []
                for request in group:
                    accepted = sum(id(e) in stored_ids for e in request.envelopes)
                    runs.append(
                        {
                            "source_name": request.source_name,
                            "started_at": request.received_at,
                            "finished_at": finished,
                            "accepted": accepted,
                            "duplicates": len(request.envelopes) - accepted,
                            "rejected": request.result.rejected,
                        }
                    )
                session.connection().execute(insert(IngestRunRow.__table__), runs)
                return stored, outcome

        try:
            stored, outcome = with_retries(transaction)
        except Exception as exc:
            if len(group) > 1:
                # One request's failure is not its neighbours': each goes again alone.
                for request in group:
                    self._commit([request])
                return
            group[0].future.set_exception(exc)
            return
        except BaseException as exc:
            for request in group:
                request.future.set_exception(exc)
            raise
        stored_ids = {id(item.envelope) for item in stored}
        for request in group:
            accepted = sum(id(e) in stored_ids for e in request.envelopes)
            request.result.accepted = accepted
            request.result.duplicates = len(request.envelopes) - accepted
            mine = {id(e) for e in request.envelopes}
            request.result.stored_seqs = [item.seq for item in stored if id(item.envelope) in mine]
            # The pipeline's counts are the group's, not split per request.
            request.result.pipeline = outcome
            request.future.set_result(request.result)
