"""The trust score's components, against a direct computation over the same events."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.factories import ingest
from tests.merchant.builders import buyer_complaint, history, negative
from tests.protect.builders import at
from trustfair.merchant.settlement_terms import Settlement
from trustfair.merchant.trust_score import early_settlement, trust_score
from trustfair.pipeline.registry import Registry
from trustfair.policy.files import DEFAULT_POLICY_PATH, FileError, load_policy
from trustfair.store.models import PointsEntryRow


def _points(store, merchant_id: str, points: int, when: datetime) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        session.add(
            PointsEntryRow(
                entity_type="merchant",
                entity_id=merchant_id,
                violation="extreme_claim",
                violation_class="general",
                points=points,
                matter=f"test:{when.isoformat()}",
                at=when,
                policy_version="test",
                rule="test",
            )
        )


def _direct(events: list[dict], merchant_id: str, points: int, terms: Settlement) -> dict:
    """The sub-scores worked out from the events themselves, not from the store."""
    paid = {e["payload"]["order_id"]: e for e in events if e["type"] == "order.paid"}
    shipped = {e["payload"]["order_id"]: e for e in events if e["type"] == "order.shipped"}
    late = sum(
        datetime.fromisoformat(shipped[o]["occurred_at"])
        > datetime.fromisoformat(paid[o]["occurred_at"]) + timedelta(hours=48)
        for o in shipped
    )
    negatives = sum(e["type"] == "feedback.negative" for e in events)
    complaints = sum(e["type"] == "complaint.filed" for e in events)

    def falling(value: float, zero_at: float) -> int:
        return round(100 * max(0.0, 1 - value / zero_at))

    subs = {
        "violations": max(0, 100 - terms.points_cost * points),
        "disputes": falling(complaints / len(paid), terms.disputes_zero_at),
        "fulfilment": falling(late / len(shipped), terms.late_zero_at),
        "feedback": falling(negatives / len(paid), terms.negative_zero_at),
    }
    weights = terms.weights.model_dump()
    return {"subs": subs, "score": round(sum(subs[k] * weights[k] for k in subs) / 100)}


def test_score_components_match_a_direct_computation(store, registry: Registry) -> None:
    events = history("m1", 30, late=3)
    events += [negative(f"neg{n}", "m1", at(days=10 + n)) for n in range(2)]
    events.append(buyer_complaint("c1", "m1", at(days=12)))
    ingest(store, registry, *events)
    _points(store, "m1", 2, at(days=5))
    terms = Settlement()
    when = at(days=40)

    with store.reading() as session:
        score = trust_score(session, "m1", when, terms)

    expected = _direct(events, "m1", 2, terms)
    assert {c.name: c.sub_score for c in score.components} == expected["subs"]
    assert score.score == expected["score"]
    assert score.orders == 30
    fulfilment = next(c for c in score.components if c.name == "fulfilment")
    assert fulfilment.reason == "3 of 30 orders shipped in the last 90 days shipped late (10.0 %)"
    disputes = next(c for c in score.components if c.name == "disputes")
    assert disputes.figures["buyer_complaints"] == 1
    assert score.clears_bar == (expected["score"] >= terms.bar)


def test_the_window_leaves_older_records_out(store, registry: Registry) -> None:
    ingest(store, registry, *history("m1", 25, late=5))
    terms = Settlement(window_days=10)
    with store.reading() as session:
        score = trust_score(session, "m1", at(days=30), terms)
    fulfilment = next(c for c in score.components if c.name == "fulfilment")
    # Shipped in the 10 days up to day 30: orders paid on days 19-24 (shipped 20-25),
    # none of the five late ones (paid on days 0-4).
    assert fulfilment.figures == {"shipped": 6, "late": 0}


def test_too_few_orders_have_no_score_and_no_early_settlement(store, registry: Registry) -> None:
    ingest(store, registry, *history("m1", 5))
    with store.reading() as session:
        found = early_settlement(session, "m1", at(days=10), Settlement())
    assert found.score.score is None
    assert not found.on
    assert "5 orders paid" in found.why and "at least 20" in found.why


def test_a_restricting_sanction_zeroes_violations_and_a_freeze_stops_early_settlement(
    store, registry: Registry
) -> None:
    from trustfair.enforce.sanctions import issue_sanction
    from trustfair.events.payload import EntityRef

    ingest(store, registry, *history("m1", 25))
    with store.transaction() as session:
        issue_sanction(
            session,
            EntityRef("merchant", "m1"),
            "settlement_freeze",
            None,
            "test.freeze",
            at(days=1),
            decision_id=None,
            policy_version="test",
            statement={"rule": "test.freeze", "explanation": "test"},
        )
    with store.reading() as session:
        found = early_settlement(session, "m1", at(days=30), Settlement())
    violations = next(c for c in found.score.components if c.name == "violations")
    assert violations.sub_score == 0
    assert not found.on and "settlement_freeze" in found.why


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"weights": {"violations": 50, "disputes": 30, "fulfilment": 25, "feedback": 15}}, "100"),
        ({"bar": 120}, "bar"),
        ({"min_orders": 0}, "min_orders"),
        ({"late_zero_at": 0}, "late_zero_at"),
        ({"barr": 80}, "barr"),
    ],
)
def test_bad_settlement_terms_are_a_load_error_naming_the_key(
    tmp_path: Path, section: dict, message: str
) -> None:
    spec = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    spec["settlement"] = section
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FileError) as raised:
        load_policy(path)
    assert message in str(raised.value)


def test_a_settlement_rule_without_its_signal_is_a_load_error(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    wrong = "signal: {detector: early_settlement, labels: [order_confirmed]}"
    assert wrong in text
    path = tmp_path / "policy.yaml"
    path.write_text(
        text.replace(wrong, "signal: {detector: early_settlement, labels: [order_refunded]}"),
        encoding="utf-8",
    )
    with pytest.raises(FileError) as raised:
        load_policy(path)
    assert "settle_advance" in str(raised.value) and "order_confirmed" in str(raised.value)
