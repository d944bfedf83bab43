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
        self._side = 0
        self._seq = 0
        self._flushed_until = 0
        self.counts: Counter[str] = Counter()

    def emit(
        self, t: int, type_: str, source: str, payload: dict[str, Any], side: bool = False
    ) -> str:
        """Make one event at ``t`` seconds after START; return its event_id.

        ``side`` events (those a stream apart added later, like the voice of users) are
        numbered on a counter of their own (``evv…``), so the events made before they
        existed keep their ids."""
        if t < self._flushed_until:
            # A bug in the simulator, not in the data: the file would go back in time.
            raise RuntimeError(f"{type_} at t={t} is before the flushed horizon")
        if side:
            self._side += 1
            event_id = f"evv{self._side:09d}"
        else:
            self._next += 1
            event_id = f"ev{self._next:09d}"
        self._seq += 1
        line = dumps(
            {
                "event_id": event_id,
                "type": type_,
                "occurred_at": iso(t),
                "source": source,
                "payload": payload,
            }
        )
        heapq.heappush(self._heap, (t, self._seq, line))
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


HURT_WINDOW_DAYS = 30
HURT_AT_LEAST = 2
"""A user is hurt after at least HURT_AT_LEAST bad experiences within any
HURT_WINDOW_DAYS (the truth contract of issue 8)."""


class Truth:
    """What really happened, for evaluators: natures of entities, violations, what
    each ticket is about and the bad experiences users met."""

    def __init__(self) -> None:
        self.entities: list[dict[str, Any]] = []
        self.violations: dict[str, dict[str, Any]] = {}
        self.others: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        self.experiences: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._incidents: set[tuple[str, str]] = set()

    def ticket(self, ticket_id: str, problem: str, channel: str, user_id: str) -> None:
        self.tickets.append(
            {
                "kind": "ticket",
                "ticket_id": ticket_id,
                "problem": str(problem),
                "channel": channel,
                "user_id": user_id,
            }
        )

    def experience(
        self,
        user_id: str,
        kind: str,
        t: int,
        order_id: str | None = None,
        ticket_id: str | None = None,
    ) -> bool:
        """Record one bad experience at ``t``; an incident (kind, order or ticket) counts
        once, so a second record of it is ignored (returns False)."""
        key = (str(kind), order_id or ticket_id or f"{user_id}@{t}")
        if key in self._incidents:
            return False
        self._incidents.add(key)
        record: dict[str, Any] = {"kind": str(kind), "at": iso(t)}
        if order_id is not None:
            record["order_id"] = order_id
        if ticket_id is not None:
            record["ticket_id"] = ticket_id
        self.experiences.setdefault(user_id, []).append((t, record))
        return True

    def hurt_users(self) -> list[dict[str, Any]]:
        """Users with at least HURT_AT_LEAST experiences within some HURT_WINDOW_DAYS,
        each with all their experiences, oldest first; by user id."""
        window = HURT_WINDOW_DAYS * DAY
        out = []
        for user_id in sorted(self.experiences):
            met = sorted(self.experiences[user_id], key=lambda x: (x[0], x[1]["kind"]))
            times = [t for t, _ in met]
            k = HURT_AT_LEAST - 1
            if any(times[i + k] - times[i] <= window for i in range(len(times) - k)):
                out.append(
                    {"kind": "hurt_user", "user_id": user_id, "experiences": [r for _, r in met]}
                )
        return out

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
        for record in self.tickets:
            out.write(dumps(record) + "\n")
        for record in self.hurt_users():
            out.write(dumps(record) + "\n")
