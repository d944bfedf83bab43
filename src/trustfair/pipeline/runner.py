"""Runs stored events through projectors → detectors → policy → effects in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Decision, StoredEvent
from trustfair.pipeline.outbox import take_written_commands
from trustfair.pipeline.registry import Registry
from trustfair.store.context import StoreContext
from trustfair.store.models import DecisionRow, SignalRow


@dataclass
class PipelineOutcome:
    signals: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    commands: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(event seq, command) for every command the batch's decisions wrote to the outbox."""

    def add(self, other: PipelineOutcome) -> None:
        self.signals.update(other.signals)
        self.verdicts.update(other.verdicts)
        self.actions.update(other.actions)
        self.commands.extend(other.commands)

    def commands_for(self, seqs: Iterable[int]) -> list[dict[str, Any]]:
        """The commands decided for the events at ``seqs``, in the order written."""
        wanted = set(seqs)
        return [command for seq, command in self.commands if seq in wanted]


def store_decision(session: Session, decision: Decision) -> Decision:
    subject = decision.event.subject
    decision_id = session.execute(
        insert(DecisionRow).returning(DecisionRow.id),
        {
            "event_seq": decision.event.seq,
            "subject_type": subject.type,
            "subject_id": subject.id,
            "policy_version": decision.policy_version,
            "verdict": decision.verdict.value,
            "reasons": [hit.to_record() for hit in decision.hits],
            "actions": [
                {"kind": a.kind, "params": a.params, "rule": hit.rule}
                for hit in decision.hits
                if not hit.shadow
                for a in hit.actions
            ],
            "decided_at": decision.event.occurred_at,
            "confirmed_by": decision.confirmed_by,
            "confirmed_at": decision.confirmed_at,
        },
    ).scalar_one()
    return replace(decision, id=decision_id)


def run_pipeline(
    events: Sequence[StoredEvent], session: Session, registry: Registry
) -> PipelineOutcome:
    """Project, then detect, decide and apply effects for ``events`` (already in the
    log), in order."""
    outcome = PipelineOutcome()
    for projector in registry.projectors:
        relevant = [event for event in events if event.type in projector.event_types]
        if relevant:
            projector.project(relevant, session)
    context = StoreContext(session)
    signal_rows: list[dict[str, object]] = []
    for effect in registry.effects.values():
        before_batch = getattr(effect, "before_batch", None)
        if before_batch is not None:
            before_batch(events, session)
    for event in events:
        signals = [
            signal
            for detector in registry.detectors_for(event.type)
            for signal in detector.detect(event, context)
        ]
        for signal in signals:
            signal_rows.append({"event_seq": event.seq, **signal.to_record()})
            outcome.signals[signal.label] += 1
        decision = registry.policy.decide(event, signals, context)
        if decision is None:
            continue
        decision = store_decision(session, decision)
        outcome.verdicts[decision.verdict.value] += 1
        for action in decision.actions:
            registry.effect(action.kind).apply(decision, action, session)
            outcome.actions[action.kind] += 1
        outcome.commands.extend((event.seq, c) for c in take_written_commands(session))
    if signal_rows:
        session.execute(insert(SignalRow), signal_rows)
    return outcome
