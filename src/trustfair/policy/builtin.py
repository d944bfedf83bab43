"""The policy trustfair runs until a policy file replaces it: its registered rules,
merged strictest-wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from trustfair.pipeline.interfaces import Context, Decision, RuleHit, Signal, StoredEvent, Verdict
from trustfair.settings import Settings

BUILTIN_POLICY_VERSION = "builtin-1"


class Rule(Protocol):
    id: str

    def evaluate(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> RuleHit | None: ...


_rule_factories: dict[str, Callable[[Settings], Rule]] = {}


def register_rule(rule_id: str):
    """Register ``factory(settings) -> Rule`` as part of the built-in policy."""

    def decorator(factory: Callable[[Settings], Rule]) -> Callable[[Settings], Rule]:
        if rule_id in _rule_factories:
            raise ValueError(f"rule {rule_id!r} is registered twice")
        _rule_factories[rule_id] = factory
        return factory

    return decorator


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


def builtin_policy(settings: Settings) -> RulePolicy:
    from trustfair.pipeline.registry import load_plugins

    load_plugins()
    rules = tuple(factory(settings) for _, factory in sorted(_rule_factories.items()))
    return RulePolicy(version=BUILTIN_POLICY_VERSION, rules=rules)
