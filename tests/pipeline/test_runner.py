"""The runner: detectors → policy (strictest wins) → effects, all in the batch's transaction."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.factories import jsonl, order_paid
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.pipeline.interfaces import Action, RuleHit, Signal, Verdict
from trustfair.pipeline.registry import Registry
from trustfair.policy.code import RulePolicy
from trustfair.policy.files import DEFAULT_POLICY_PATH
from trustfair.settings import Settings
from trustfair.store.models import DecisionRow, SignalRow


@dataclass
class AmountDetector:
    """Flags orders by size: a stand-in detector with a visible rule."""

    name: str = "amount"
    version: str = "7"
    event_types: frozenset[str] = frozenset({"order.paid"})

    def detect(self, event, context):  # type: ignore[no-untyped-def]
        amount = event.envelope.payload.amount_fen
        return (
            [Signal(self.name, self.version, "big_order", amount / 10_000, {"amount": amount})]
            if amount >= 10_000
            else []
        )


@dataclass
class ThresholdRule:
    id: str
    at_least: int
    verdict: Verdict
    actions: tuple[Action, ...] = ()

    def evaluate(self, event, signals, context):  # type: ignore[no-untyped-def]
        hits = [s for s in signals if s.evidence["amount"] >= self.at_least]
        if hits:
            return RuleHit(
                self.id, self.verdict, f"amount ≥ {self.at_least}", tuple(hits), self.actions
            )
        return None


class RecordingEffect:
    kind = "record"

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    def apply(self, decision, action, session) -> None:  # type: ignore[no-untyped-def]
        assert decision.id is not None
        self.seen.append((decision.id, action.params["note"]))


def make_registry(effect: RecordingEffect) -> Registry:
    rules = (
        ThresholdRule("review_big", 10_000, Verdict.REVIEW, (Action("record", {"note": "r"}),)),
        ThresholdRule("block_huge", 50_000, Verdict.BLOCK, (Action("record", {"note": "b"}),)),
    )
    return Registry(
        detectors=[AmountDetector()],
        policy=RulePolicy(version="test-3", rules=rules),
        effects={"record": effect},
        settings=Settings(),
    )


def run(store, registry, *events) -> None:  # type: ignore[no-untyped-def]
    ingest_lines(store, registry, read_lines(io.BytesIO(jsonl(*events))), source_name="t")


def test_strictest_verdict_wins_and_every_rule_that_fired_is_a_reason(store) -> None:
    effect = RecordingEffect()
    run(store, make_registry(effect), order_paid("e1", "o1", 60_000))
    with store.reading() as session:
        decision = session.scalars(select(DecisionRow)).one()
    assert decision.verdict == "block"
    assert [r["rule"] for r in decision.reasons] == ["review_big", "block_huge"]
    assert decision.policy_version == "test-3"
    assert [a["rule"] for a in decision.actions] == ["review_big", "block_huge"]
    assert effect.seen == [(decision.id, "r"), (decision.id, "b")]


def test_signals_are_stored_with_their_detector_version(store) -> None:
    run(store, make_registry(RecordingEffect()), order_paid("e1", "o1", 20_000))
    with store.reading() as session:
        signal = session.scalars(select(SignalRow)).one()
    assert (signal.detector, signal.detector_version, signal.label) == ("amount", "7", "big_order")
    assert signal.evidence == {"amount": 20_000}


def test_no_signal_means_no_decision_row(store) -> None:
    run(store, make_registry(RecordingEffect()), order_paid("e1", "o1", 500))
    with store.reading() as session:
        assert session.scalars(select(DecisionRow)).all() == []


def test_signals_that_no_rule_acts_on_are_recorded_as_allowed(store) -> None:
    registry = make_registry(RecordingEffect())
    registry.policy = RulePolicy(version="quiet", rules=())
    run(store, registry, order_paid("e1", "o1", 20_000))
    with store.reading() as session:
        decision = session.scalars(select(DecisionRow)).one()
    assert (decision.verdict, decision.reasons) == ("allow", [])


def test_an_action_without_an_effect_fails_the_batch_loudly(store) -> None:
    registry = make_registry(RecordingEffect())
    registry.effects = {}
    with pytest.raises(LookupError, match="no effect for action 'record'"):
        run(store, registry, order_paid("e1", "o1", 20_000))
    with store.reading() as session:
        assert session.scalars(select(DecisionRow)).all() == []


def test_the_default_registry_finds_the_builtin_plugins(registry) -> None:
    assert [d.name for d in registry.detectors_for("report.filed")] == ["live_reports", "text"]
    assert [d.name for d in registry.detectors_for("live.chat")] == ["text"]
    assert [d.name for d in registry.detectors_for("order.paid")] == [
        "late_shipment",
        "protection",
    ]
    assert [d.name for d in registry.detectors_for("claim.filed")] == ["protection", "text"]
    assert [d.name for d in registry.detectors_for("listing.published")] == [
        "brand",
        "price_history",
        "text",
    ]
    assert "brand_check" in registry.effects
    assert [d.name for d in registry.detectors_for("ip_complaint.upheld")] == ["ip_complaints"]
    assert "open_case" in registry.effects
    assert registry.policy.path == DEFAULT_POLICY_PATH
    assert {"points", "send_command", "share_sanctions"} <= set(registry.effects)
    assert {"file_claim", "take_deposit", "compensate"} <= set(registry.effects)
    assert [p.name for p in registry.projectors] == [
        "coverage",
        "identity_keys",
        "listening",
        "listing_prices",
        "order_shipping",
        "voice_tickets",
    ]
    shipped = registry.detectors_for("order.shipped")
    assert [d.name for d in shipped] == ["early_settlement", "late_shipment", "protection"]
    assert [d.name for d in registry.detectors_for("order.confirmed")] == ["early_settlement"]
    assert {"advance_settlement", "settle_advance", "reverse_advance"} <= set(registry.effects)
    assert "raise_live_risk" in registry.effects
