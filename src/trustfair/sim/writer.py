"""Writing events in time order and keeping the truth.

Events are serialised as soon as they are made and parked in a heap keyed by
(time, creation number); the simulator flushes the heap day by day, so the file is
in chronological order while only the events still in the future stay in memory.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import IO, Any

# A Chinese platform's clock: every time in the file carries +08:00.
CST = timezone(timedelta(hours=8))
START = datetime(2026, 3, 1, tzinfo=CST)
DAY = 86_400


def iso(t: int) -> str:
    """Seconds since START → ISO 8601 with the +08:00 offset."""
    return (START + timedelta(seconds=t)).isoformat()


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class EventSink:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._heap: list[tuple[int, int, str]] = []
        self._next = 0
        self._flushed_until = 0
        self.counts: Counter[str] = Counter()

    def emit(self, t: int, type_: str, source: str, payload: dict[str, Any]) -> str:
        """Make one event at ``t`` seconds after START; return its event_id."""
        if t < self._flushed_until:
            # A bug in the simulator, not in the data: the file would go back in time.
            raise RuntimeError(f"{type_} at t={t} is before the flushed horizon")
        self._next += 1
        event_id = f"ev{self._next:09d}"
        line = dumps(
            {
                "event_id": event_id,
                "type": type_,
                "occurred_at": iso(t),
                "source": source,
                "payload": payload,
            }
        )
        heapq.heappush(self._heap, (t, self._next, line))
        self.counts[type_] += 1
        return event_id

    def flush(self, until: int | None = None) -> None:
        """Write every parked event earlier than ``until`` (all of them if None)."""
        heap = self._heap
        write = self._out.write
        while heap and (until is None or heap[0][0] < until):
            write(heapq.heappop(heap)[2] + "\n")
        if until is not None:
            self._flushed_until = max(self._flushed_until, until)


class Truth:
    """What really happened, for evaluators: natures of entities and violations."""

    def __init__(self) -> None:
        self.entities: list[dict[str, Any]] = []
        self.violations: dict[str, dict[str, Any]] = {}
        self.others: list[dict[str, Any]] = []

    def entity(
        self, entity_type: str, entity_id: str, nature: str, linked_to: list[str] | None = None
    ) -> None:
        record: dict[str, Any] = {
            "kind": "entity",
            "entity_type": entity_type,
            "entity_id": entity_id,
            "nature": nature,
        }
        if linked_to:
            record["linked_to"] = linked_to
        self.entities.append(record)

    def violation(
        self,
        event_id: str,
        event_type: str,
        author: tuple[str, str],
        labels: list[str],
        text_labels: list[str] | None = None,
        disguises: list[str] | None = None,
        **extra: Any,
    ) -> None:
        """Record (or add to) the violations of one event.

        ``text_labels`` are the labels a text detector can find in the event's own
        text; the others (price history, late shipment, counterfeit listing, report
        burst) need context beyond the text.
        """
        record = self.violations.get(event_id)
        if record is None:
            record = {
                "kind": "violation",
                "event_id": event_id,
                "event_type": event_type,
                "entity_type": author[0],
                "entity_id": author[1],
                "labels": [],
                "text_labels": [],
                "disguises": [],
            }
            self.violations[event_id] = record
        record["labels"] = sorted(set(record["labels"]) | set(labels))
        record["text_labels"] = sorted(set(record["text_labels"]) | set(text_labels or ()))
        record["disguises"] = sorted(set(record["disguises"]) | set(disguises or ()))
        record.update(extra)

    def write(self, out: IO[str]) -> None:
        for record in self.others:
            out.write(dumps(record) + "\n")
        for record in self.entities:
            out.write(dumps(record) + "\n")
        for record in self.violations.values():
            out.write(dumps(record) + "\n")
