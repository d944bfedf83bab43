"""The small typed interfaces that detectors, policies and effects implement.

The runner works on these alone; a new detector, rule or effect is one new module
that the registry loads, and nothing else imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    shadow: bool = False
    """A shadow rule's hit: recorded with the decision, and nothing more."""

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "rule": self.rule,
            "verdict": self.verdict.value,
            "explanation": self.explanation,
            "signals": [s.to_record() for s in self.signals],
        }
        if self.shadow:
            record["shadow"] = True
            record["would_do"] = [{"kind": a.kind, "params": a.params} for a in self.actions]
        return record


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer for one event: the strictest verdict of the rules that fired."""

    event: StoredEvent
    policy_version: str
    verdict: Verdict
    hits: tuple[RuleHit, ...]
    id: int | None = None
    """Set once the decision is stored, so effects can point back at it."""
    policy: Any = None
    """The policy that made it, for effects that need its tables (points, nodes)."""
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    """Set on a decision a reviewer's confirmation made (``cases.confirm``): who, and
    when. Its points are dated by the matter, like the pipeline's; its sanctions start,
    and their appeal period runs, from the confirmation."""

    @property
    def actions(self) -> tuple[Action, ...]:
        """What the rules that fired ask for; a shadow rule asks for nothing."""
        return tuple(action for hit in self.hits if not hit.shadow for action in hit.actions)

    def hit_of(self, action: Action) -> RuleHit | None:
        """The rule hit that asked for ``action`` (None for an action made elsewhere)."""
        return next((hit for hit in self.hits if any(a is action for a in hit.actions)), None)


@dataclass(frozen=True, slots=True)
class PricePoint:
    """One price of a listing's history: offered from ``at`` on (kind ``list``), or paid
    at ``at`` (kind ``transaction``); ``seq`` is the event that said so."""

    at: datetime
    price_fen: int
    seq: int


@dataclass(frozen=True, slots=True)
class Shipment:
    """One order a merchant shipped: when, and the deadline it had (None if the
    payment that set it has not arrived)."""

    order_id: str
    shipped_at: datetime
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShippingMark:
    """One event of an order's shipping: a payment and the deadline it set (``kind``
    ``due``), or a shipment (``kind`` ``shipped``), at ``at``; ``seq`` is the event."""

    kind: str
    at: datetime
    seq: int


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

    def points_between(self, entity: EntityRef, since: datetime, until: datetime) -> dict[str, int]:
        """``entity``'s penalty points awarded in [since, until], net of reversals, by class."""
        ...

    def active_sanctions(self, entity: EntityRef, at: datetime) -> list[tuple[str, int]]:
        """(kind, sanction id) of ``entity``'s sanctions in force at ``at``."""
        ...

    def listing_approved(
        self, streamer: EntityRef, listing_id: str, at: datetime, up_to_seq: int
    ) -> bool:
        """Whether ``listing_id`` passed pre-review for ``streamer`` by ``at``."""
        ...

    def linked_restrictions(
        self, entity: EntityRef, keys: list[str], at: datetime, up_to_seq: int
    ) -> list[dict[str, Any]]:
        """Sanctions in force at ``at`` on accounts linked to ``entity`` by ``keys``:
        {entity_type, entity_id, kind, sanction_id, linked_by}."""
        ...

    def listing_prices(
        self, listing_id: str, kind: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[PricePoint]:
        """The listing's prices of ``kind`` (list or transaction) with since ≤ at ≤ until,
        oldest first. Pass ``up_to_seq=event.seq - 1`` for "before this event"."""
        ...

    def last_listing_price(
        self, listing_id: str, kind: str, at: datetime, up_to_seq: int
    ) -> PricePoint | None:
        """The listing's latest price of ``kind`` at or before ``at``: for ``list``, the
        price in force at that moment."""
        ...

    def order_shipping(self, order_id: str, up_to_seq: int) -> list[ShippingMark]:
        """The order's deadlines (one per payment) and shipments (one per dispatch or
        re-scan) that arrived up to ``up_to_seq``, in the order they arrived."""
        ...

    def shipments(
        self, merchant_id: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[Shipment]:
        """The merchant's orders shipped in [since, until], with their deadlines."""
        ...

    def order_cover(self, order_id: str, up_to_seq: int) -> Any:
        """The order as paid (its latest payment up to ``up_to_seq``) with the guarantees
        that covered it then: a ``protect.coverage.OrderCover``, or None if no payment
        of it has arrived."""
        ...

    def listing_as_of(self, listing_id: str, up_to_seq: int) -> dict[str, Any] | None:
        """The listing as its ``listing.published`` and ``listing.updated`` events up to
        ``up_to_seq`` left it (later fields over earlier ones); None if never published."""
        ...

    def brand_matcher(self, at: datetime) -> Any:
        """The counterfeit feature library as it stands, ready to match listings: a
        ``brand.matching.Matcher``."""
        ...

    def picture_hits(self, image_ids: Sequence[str]) -> list[Any]:
        """The bank pictures the uploaded pictures ``image_ids`` match
        (``brand.matching.PictureHit``); pictures not uploaded match nothing."""
        ...


class Detector(Protocol):
    """A pure function of (event, read-only context) → signals."""

    name: str
    version: str
    event_types: frozenset[str]
    """The event types it reads; the runner calls it for no others."""

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]: ...


class Projector(Protocol):
    """Keeps a table derived from the log up to date, in the batch's transaction.

    Runs on the whole batch before any detector does; the rows it writes carry their
    event's seq, so the context can still answer as of each event.
    """

    name: str
    event_types: frozenset[str]
    """The event types it reads; the runner gives it no others."""

    def project(self, events: Sequence[StoredEvent], session: Session) -> None: ...


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
