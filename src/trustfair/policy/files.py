"""Policy files: loaded, checked before they run, and evaluated strictest-wins.

``load_policy(path)`` reads a YAML policy file (schema in ``schema.py``) and refuses
it with ``path:line: problem`` when anything is wrong, including references that do
not resolve (a points action for a violation type the file does not define). Rules
run by priority, highest first; a rule with ``stop: true`` that fires keeps the rest
from running (an exception for an official brand store, say). The decision's verdict
is the strictest of the rules that fired. Shadow rules are evaluated and recorded in
the decision's reasons with ``"shadow": true``; they add no verdict and no action.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from trustfair.enforce.authors import SANCTIONABLE, author_of, author_type_of
from trustfair.events.fields import CHINA
from trustfair.events.payload import PAYLOAD_TYPES
from trustfair.pipeline.interfaces import (
    Action,
    Context,
    Decision,
    RuleHit,
    Signal,
    StoredEvent,
    Verdict,
)
from trustfair.policy.schema import PolicyFile, RuleSpec, SignalCondition
from trustfair.settings import Settings
from trustfair.yaml_files import FileError, load_yaml_model, read_yaml

LIVE_RISK_EVENTS = frozenset({"live.segment", "live.chat", "report.filed"})
"""Events that concern a live session, whose risk score an action may raise."""
DEFAULT_POLICY_PATH = Path(__file__).parent / "data" / "default.yaml"
EPOCH = datetime(1970, 1, 1, tzinfo=CHINA)
"""Periods of N days start at midnight on the platform's calendar (+08:00)."""


def period_start(policy: PolicyFile, at: datetime) -> datetime:
    """When the points period holding ``at`` began: points reset at its start."""
    reset = policy.points_reset
    if reset.every == "calendar_year":
        # The platform's calendar is China's: a year begins at midnight +08:00.
        local = at.astimezone(CHINA)
        return datetime(local.year, 1, 1, tzinfo=CHINA).astimezone(UTC)
    assert reset.days is not None
    length = timedelta(days=reset.days)
    return EPOCH + ((at - EPOCH) // length) * length


def period_end(policy: PolicyFile, at: datetime) -> datetime:
    """When the points period holding ``at`` ends (the next one's start)."""
    start = period_start(policy, at)
    if policy.points_reset.every == "calendar_year":
        local = start.astimezone(CHINA)
        return datetime(local.year + 1, 1, 1, tzinfo=CHINA).astimezone(UTC)
    assert policy.points_reset.days is not None
    return start + timedelta(days=policy.points_reset.days)


def _signal_matches(condition: SignalCondition, signal: Signal) -> bool:
    evidence = signal.evidence
    if condition.detector is not None and signal.detector != condition.detector:
        return False
    if condition.labels is not None and signal.label not in condition.labels:
        return False
    if condition.severity is not None and evidence.get("severity") != condition.severity:
        return False
    if condition.min_score is not None and signal.score < condition.min_score:
        return False
    if condition.score_below is not None and signal.score >= condition.score_below:
        return False
    if condition.rules is not None:
        rule = str(evidence.get("rule", ""))
        if not any(rule == r or (r.endswith(".") and rule.startswith(r)) for r in condition.rules):
            return False
    for key, least in (condition.evidence_at_least or {}).items():
        value = evidence.get(key)
        if not isinstance(value, int | float) or value < least:
            return False
    for key, bound in (condition.evidence_below or {}).items():
        value = evidence.get(key)
        if not isinstance(value, int | float) or value >= bound:
            return False
    return True


class _AuthorState:
    """The author's points and sanctions, asked of the store once per event at most."""

    def __init__(self, policy: PolicyFile, event: StoredEvent, context: Context) -> None:
        self._policy, self._event, self._context = policy, event, context
        self.author = author_of(event)
        self._points: int | None = None
        self._kinds: set[str] | None = None

    @property
    def points(self) -> int:
        if self._points is None:
            at = self._event.occurred_at
            by_class = (
                self._context.points_between(self.author, period_start(self._policy, at), at)
                if self.author
                else {}
            )
            self._points = sum(by_class.values())
        return self._points

    @property
    def restricted_by(self) -> set[str]:
        if self._kinds is None:
            self._kinds = (
                {
                    kind
                    for kind, _ in self._context.active_sanctions(
                        self.author, self._event.occurred_at
                    )
                }
                if self.author
                else set()
            )
        return self._kinds


CASE_OPENING_ACTIONS = frozenset({"open_case", "raise_live_risk"})
"""Actions whose decision may open a case a reviewer confirms (cases.confirm too)."""


@dataclass(frozen=True)
class FilePolicy:
    """A loaded policy file: the ``Policy`` of ``pipeline.interfaces``."""

    spec: PolicyFile
    path: Path
    digest: str
    """The file's SHA-256: two files with one version string are still told apart."""

    @property
    def version(self) -> str:
        return self.spec.version

    @cached_property
    def rules(self) -> tuple[RuleSpec, ...]:
        """The rules in the order they run."""
        # sorted() is stable: rules of one priority run in the order the file gives.
        return tuple(sorted(self.spec.rules, key=lambda r: -r.priority))

    @cached_property
    def _rules_by_type(self) -> dict[str, tuple[tuple[RuleSpec, ...], tuple[RuleSpec, ...]]]:
        return {}

    def _rules_for(self, event_type: str, with_signals: bool) -> tuple[RuleSpec, ...]:
        """The rules that may fire on an event of ``event_type``, in order: those that
        name other event types, or need a signal when there is none, cannot."""
        found = self._rules_by_type.get(event_type)
        if found is None:
            typed = tuple(
                r for r in self.rules if r.when.events is None or event_type in r.when.events
            )
            found = (typed, tuple(r for r in typed if r.when.signal is None))
            self._rules_by_type[event_type] = found
        return found[0] if with_signals else found[1]

    def decide(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> Decision | None:
        rules = self._rules_for(event.type, bool(signals))
        if not rules and not signals:
            return None
        state = _AuthorState(self.spec, event, context)
        hits: list[RuleHit] = []
        for rule in rules:
            hit = self._evaluate(rule, event, signals, state, context)
            if hit is None:
                continue
            hits.append(hit)
            if rule.stop and not rule.shadow:
                break
        if not hits and not signals:
            return None
        verdict = max(
            (hit.verdict for hit in hits if not hit.shadow),
            key=lambda v: v.strictness,
            default=Verdict.ALLOW,
        )
        return Decision(
            event=event, policy_version=self.version, verdict=verdict, hits=tuple(hits), policy=self
        )

    def confirmed(
        self, event: StoredEvent, rule_id: str, signals: tuple[Signal, ...], context: Context
    ) -> Decision | None:
        """The decision a reviewer's confirmation makes: the rule's ``on_confirm``
        actions on the event it decided, with the signals it matched then. None if the
        rule asks for nothing on confirmation (or is no longer in the policy)."""
        rule = next((r for r in self.rules if r.id == rule_id), None)
        if rule is None or rule.shadow or not rule.on_confirm:
            return None
        state = _AuthorState(self.spec, event, context)
        actions = tuple(
            self._action(rule, spec.kind, spec.params, signals, state, {})
            for spec in rule.on_confirm
        )
        hit = RuleHit(
            rule=rule.id,
            verdict=Verdict.BLOCK if rule.verdict == Verdict.REVIEW else rule.verdict,
            explanation="confirmed by a reviewer: " + self._explain(rule, signals, state),
            signals=signals,
            actions=tuple(a for a in actions if a is not None),
        )
        return Decision(
            event=event, policy_version=self.version, verdict=hit.verdict, hits=(hit,), policy=self
        )

    def _evaluate(
        self,
        rule: RuleSpec,
        event: StoredEvent,
        signals: list[Signal],
        state: _AuthorState,
        context: Context,
    ) -> RuleHit | None:
        when = rule.when
        if when.events is not None and event.type not in when.events:
            return None
        matched: tuple[Signal, ...] = ()
        if when.signal is not None:
            matched = tuple(s for s in signals if _signal_matches(when.signal, s))
            if not matched:
                return None
        # The cheap tests first: an event without a listing cannot fail pre-review, and
        # needs no question about its author's points.
        listing_id = getattr(event.envelope.payload, "listing_id", None)
        if when.listing_approved is not None and (listing_id is None or state.author is None):
            return None
        if when.author is not None:
            if state.author is None:
                return None
            author = when.author
            if author.points_at_least is not None and state.points < author.points_at_least:
                return None
            if author.points_below is not None and state.points >= author.points_below:
                return None
            if author.restricted_by is not None and not (
                state.restricted_by & set(author.restricted_by)
            ):
                return None
        if when.listing_approved is not None:
            assert state.author is not None and listing_id is not None
            approved = context.listing_approved(
                state.author, listing_id, event.occurred_at, event.seq
            )
            if approved != when.listing_approved:
                return None
        found: dict[str, Any] = {}
        if when.linked is not None:
            if state.author is None:
                return None
            keys = when.linked.keys or (
                self.spec.linked_accounts.keys if self.spec.linked_accounts else []
            )
            links = [
                link
                for link in context.linked_restrictions(
                    state.author, keys, event.occurred_at, event.seq
                )
                if link["kind"] in when.linked.restricted_by
            ]
            if not links:
                return None
            found["linked"] = links
        actions = tuple(
            self._action(rule, spec.kind, spec.params, matched, state, found)
            for spec in rule.actions
        )
        explanation = self._explain(rule, matched, state)
        if found.get("linked"):
            explanation += "; linked to " + ", ".join(
                f"{link['entity_type']}:{link['entity_id']} ({link['kind']}, by "
                f"{'/'.join(link['linked_by'])})"
                for link in found["linked"]
            )
        return RuleHit(
            rule=rule.id,
            verdict=rule.verdict,
            explanation=explanation,
            signals=matched,
            actions=tuple(a for a in actions if a is not None),
            shadow=rule.shadow,
        )

    def _action(
        self,
        rule: RuleSpec,
        kind: str,
        params: dict[str, Any],
        matched: tuple[Signal, ...],
        state: _AuthorState,
        found: dict[str, Any],
    ) -> Action | None:
        author = state.author
        if kind == "sanction":
            if author is None or author.type not in SANCTIONABLE:
                return None
            return Action(
                kind,
                {
                    **params,
                    "rule": rule.id,
                    "author": {"type": author.type, "id": author.id},
                    "evidence": found,
                },
            )
        if kind != "points":
            return Action(kind, {**params, "rule": rule.id})
        # Points are worked out here, where the policy is known: which violation types,
        # for whom. The effect records them and checks the nodes.
        if author is None or author.type not in SANCTIONABLE:
            return None
        named = params.get("violations")
        violations = (
            list(named)
            if isinstance(named, list)
            else sorted({s.label for s in matched if s.label in self.spec.violations})
        )
        if not violations:
            return None
        return Action(
            "points",
            {
                "rule": rule.id,
                "violations": violations,
                "author": {"type": author.type, "id": author.id},
            },
        )

    @staticmethod
    def _explain(rule: RuleSpec, matched: tuple[Signal, ...], state: _AuthorState) -> str:
        if rule.explain and matched:
            strongest = max(matched, key=lambda s: s.score)
            try:
                return rule.explain.format_map(strongest.evidence)
            except (KeyError, IndexError, ValueError, AttributeError):
                pass  # evidence without the field: say it the plain way
        parts = [rule.description or rule.id]
        if matched:
            parts.append("found " + ", ".join(sorted({s.label for s in matched})))
        return "; ".join(parts)


def active_policy(settings: Settings) -> FilePolicy:
    """The policy the pipeline runs: TRUSTFAIR_POLICY's file, or the bundled default."""
    return load_policy(settings.policy_path or DEFAULT_POLICY_PATH)


def load_policy(path: Path | str) -> FilePolicy:
    """The policy file at ``path``, or FileError naming the file, line and problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(path, None, f"cannot read: {exc.strerror}") from None
    spec = load_yaml_model(path, PolicyFile, data)
    _check_references(path, spec, read_yaml(path, data)[1])
    return FilePolicy(spec, path, hashlib.sha256(data).hexdigest())


def _check_action(
    path: Path,
    spec: PolicyFile,
    rule: RuleSpec,
    kind: str,
    params: dict[str, Any],
    line: int | None,
) -> None:
    """An action's params are well formed (schema); here, what they name must exist and
    the rule's events must be ones the action can act on."""
    events = rule.when.events
    if kind == "sanction" and params["violation"] not in spec.violations:
        raise FileError(
            path,
            line,
            f"rule {rule.id}: a sanction names the violation it punishes"
            f" (one of violations:), not {params['violation']!r}",
        )
    unknown = [v for v in params.get("violations") or () if v not in spec.violations]
    if kind == "points" and unknown:
        raise FileError(
            path,
            line,
            f"rule {rule.id}: points for {', '.join(unknown)},"
            " which the file's violations: do not define",
        )
    sanctionable = events is None or any(author_type_of(e) in SANCTIONABLE for e in events)
    if kind in ("points", "sanction") and not sanctionable:
        raise FileError(
            path,
            line,
            f"rule {rule.id}: {kind} for {', '.join(events or ())}, whose authors are not"
            " merchants or streamers: it would never apply",
        )
    if kind == "raise_live_risk" and (events is None or not set(events) <= LIVE_RISK_EVENTS):
        raise FileError(
            path,
            line,
            f"rule {rule.id}: raise_live_risk needs events: limited to"
            f" {', '.join(sorted(LIVE_RISK_EVENTS))} (a live session to score)",
        )
    if kind == "share_sanctions" and spec.linked_accounts is None:
        raise FileError(
            path, line, f"rule {rule.id}: share_sanctions, but the file has no linked_accounts"
        )
    _check_money_action(path, rule, kind, params, line)
    signal = rule.when.signal
    if kind == "file_notice" and (
        signal is None
        or signal.detector != "ip_complaints"
        or "ip_notice" not in (signal.labels or ())
    ):
        raise FileError(
            path,
            line,
            f"rule {rule.id}: file_notice files the ip_complaints detector's notices;"
            " say when.signal: {detector: ip_complaints, labels: [ip_notice]}",
        )
    if kind == "brand_check" and (signal is None or signal.detector != "brand"):
        raise FileError(
            path,
            line,
            f"rule {rule.id}: brand_check records the brand detector's findings;"
            " say when.signal: {detector: brand}",
        )


def _check_money_action(
    path: Path, rule: RuleSpec, kind: str, params: dict[str, Any], line: int | None
) -> None:
    """A money action reads its facts from one protection signal: a rule that does not
    match that signal would never move money, so it is refused here, not left silent."""
    from trustfair.detect.early_settlement import SETTLEMENT_SIGNALS
    from trustfair.detect.protection import MONEY_SIGNALS

    detector, needed = "protection", MONEY_SIGNALS.get((kind, params.get("guarantee")))
    if kind in SETTLEMENT_SIGNALS:
        detector, needed = "early_settlement", SETTLEMENT_SIGNALS[kind]
    if needed is None:
        return
    signal = rule.when.signal
    labels = set(signal.labels or ()) if signal is not None else set()
    if signal is None or signal.detector not in (None, detector) or needed not in labels:
        raise FileError(
            path,
            line,
            f"rule {rule.id}: {kind} moves money on the {detector} detector's {needed!r}"
            f" signal; say when.signal: {{detector: {detector}, labels: [{needed}]}}",
        )


def _check_references(path: Path, spec: PolicyFile, lines: dict[tuple[Any, ...], int]) -> None:
    """What one part of the file says about another must hold."""
    seen: dict[str, int] = {}
    for index, rule in enumerate(spec.rules):
        where = ("rules", index)
        if rule.id in seen:
            raise FileError(
                path,
                lines.get((*where, "id")),
                f"rule id {rule.id!r} is used twice (first: rules.{seen[rule.id]})",
            )
        seen[rule.id] = index
        if rule.when.linked and not rule.when.linked.keys and not spec.linked_accounts:
            raise FileError(
                path,
                lines.get((*where, "when", "linked")),
                f"rule {rule.id}: when.linked names no keys, and the file has no linked_accounts",
            )
        for name in rule.when.events or ():
            if name not in PAYLOAD_TYPES:
                raise FileError(
                    path,
                    lines.get((*where, "when", "events")),
                    f"rule {rule.id}: no event type {name!r}; known: {', '.join(PAYLOAD_TYPES)}",
                )
        if rule.on_confirm and not {a.kind for a in rule.actions} & CASE_OPENING_ACTIONS:
            raise FileError(
                path,
                lines.get((*where, "on_confirm")),
                f"rule {rule.id}: on_confirm runs when a reviewer confirms the rule's case,"
                " and the rule opens none (add an open_case action)",
            )
        for key in ("actions", "on_confirm"):
            for number, action in enumerate(getattr(rule, key)):
                line = lines.get((*where, key, number)) or lines.get((*where, key))
                _check_action(path, spec, rule, action.kind, action.params, line)
    for name, violation in spec.violations.items():
        if violation.violation_class not in spec.nodes:
            raise FileError(
                path,
                lines.get(("violations", name)),
                f"violation {name} is {violation.violation_class},"
                f" and nodes: has no {violation.violation_class} nodes",
            )
