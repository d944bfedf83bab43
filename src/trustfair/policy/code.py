"""A policy written in Python: rule objects merged strictest-wins.

The pipeline runs policy files (``files.py``); a policy in code is for embedding
trustfair in a program, and for tests of the spine that need a rule and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from trustfair.pipeline.interfaces import Context, Decision, RuleHit, Signal, StoredEvent, Verdict


class Rule(Protocol):
    id: str

    def evaluate(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> RuleHit | None: ...


@dataclass(frozen=True)
class RulePolicy:
    """Runs every rule; the strictest verdict among those that fired wins.

    An event with signals but no rule firing is still decided (``allow``), so the
    record shows it was looked at; an event with neither gets no decision row.
    """

    version: str
    rules: tuple[Rule, ...]

    def decide(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> Decision | None:
        hits = tuple(hit for rule in self.rules if (hit := rule.evaluate(event, signals, context)))
        if not hits and not signals:
            return None
        verdict = max(
            (hit.verdict for hit in hits), key=lambda v: v.strictness, default=Verdict.ALLOW
        )
        return Decision(event=event, policy_version=self.version, verdict=verdict, hits=hits)
