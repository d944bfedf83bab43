"""The small typed interfaces that detectors, policies and effects implement.

The runner works on these alone; a new detector, rule or effect is one new module
that the registry loads, and nothing else imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from trustfair.events.envelope import Envelope
from trustfair.events.payload import EntityRef


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the pipeline sees it: validated, and placed in the log at ``seq``."""

    seq: int
    envelope: Envelope

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def occurred_at(self) -> datetime:
        return self.envelope.occurred_at_utc()

    @property
    def subject(self) -> EntityRef:
        return self.envelope.subject()


@dataclass(frozen=True, slots=True)
class Signal:
    """What one detector saw in one event."""

    detector: str
    detector_version: str
    label: str
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "detector_version": self.detector_version,
            "label": self.label,
            "score": self.score,
            "evidence": self.evidence,
        }


class Verdict(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def strictness(self) -> int:
        return _STRICTNESS[self]


_STRICTNESS = {Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.BLOCK: 2}


@dataclass(frozen=True, slots=True)
class Action:
    """Something an effect must do: ``kind`` names the effect, ``params`` its input."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that fired, with the evidence and what it asks for."""

    rule: str
    verdict: Verdict
    explanation: str
    signals: tuple[Signal, ...] = ()
    actions: tuple[Action, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "verdict": self.verdict.value,
            "explanation": self.explanation,
            "signals": [s.to_record() for s in self.signals],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer for one event: the strictest verdict of the rules that fired."""

    event: StoredEvent
    policy_version: str
    verdict: Verdict
    hits: tuple[RuleHit, ...]
    id: int | None = None
    """Set once the decision is stored, so effects can point back at it."""

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(action for hit in self.hits for action in hit.actions)


class Context(Protocol):
    """Read-only questions detectors and policies may ask of the store.

    Answers see only events that arrived before or with the one being processed, so
    a result does not depend on how the input was cut into batches.
    """

    def events_between(
        self, subject: EntityRef, event_type: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[tuple[datetime, dict[str, Any]]]:
        """(time, payload) of ``subject``'s events of ``event_type`` in [since, until]."""
        ...


class Detector(Protocol):
    """A pure function of (event, read-only context) → signals."""

    name: str
    version: str
    event_types: frozenset[str]
    """The event types it reads; the runner calls it for no others."""

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]: ...


class Policy(Protocol):
    """Maps an event's signals (and entity state) to a decision."""

    version: str

    def decide(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> Decision | None: ...


class Effect(Protocol):
    """Carries out one kind of action in the batch's transaction.

    An effect may also define ``before_batch(events, session)``: the runner calls it
    once before the batch's first event, so an effect that locks rows can take its
    locks in one fixed order there (two batches taking them event by event, in
    different orders, would deadlock).
    """

    kind: str

    def apply(self, decision: Decision, action: Action, session: Session) -> None: ...
