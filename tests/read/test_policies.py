"""The running policy's rules beside their precision, and the versions decided under."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cases.test_work import appeal_of_m1
from tests.enforce.conftest import at
from trustfair.cases import work
from trustfair.read.policies import active_policy_of, rules_with_precision, versions_decided_under
from trustfair.store.models import ReviewOutcomeRow


def test_each_rule_is_shown_with_its_precision_and_retired_rules_apart(store, registry) -> None:
    case_id = appeal_of_m1(store, registry)
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(days=2, minutes=1))
        work.decide(session, case_id, "user:li", work.CONFIRM, "", at(days=3))
        session.add(
            ReviewOutcomeRow(
                case_id=case_id,
                decision_id=1,
                rule="old.rule",
                policy_version="test-0",
                outcome=work.OVERTURN_CASE,
                reviewer="user:li",
                at=datetime.now(UTC),
            )
        )
    with store.reading() as session:
        found = rules_with_precision(session, registry.policy)
        used = versions_decided_under(session)
    by_id = {item.rule.id: item.measured for item in found.rules}
    assert found.policy_version == "test-1"
    assert found.rules[0].rule.id == "live.refuse_restricted"  # priority 100
    assert (by_id["marked.block"].confirmed, by_id["marked.block"].precision) == (1, 1.0)
    assert by_id["marked.review"].precision is None
    assert [(m.rule, m.overturned) for m in found.former] == [("old.rule", 1)]
    assert [(v.version, v.decisions) for v in used] == [("test-1", 4)]
    assert active_policy_of(registry.policy).sha256 == registry.policy.digest
