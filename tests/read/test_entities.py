"""An entity's timeline and standing, read back after real enforcement."""

from __future__ import annotations

from datetime import timedelta

from tests.enforce.conftest import at
from tests.enforce.test_appeals import suspended_m1
from trustfair.cases import work
from trustfair.enforce.appeals import file_appeal
from trustfair.events.payload import EntityRef
from trustfair.read.entities import standing, timeline

M1 = EntityRef("merchant", "m1")


def test_the_timeline_shows_events_decisions_points_sanctions_lifts_and_cases_newest_first(
    store, registry
) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        case_id = file_appeal(session, sanction_id, "merchant:m1", "误判", at(days=2))
        work.assign(session, case_id, "user:li", at(days=2, minutes=1))
        work.decide(session, case_id, "user:li", work.OVERTURN_CASE, "误判", at(days=3))
    with store.reading() as session:
        items = timeline(session, M1)
        other = timeline(session, EntityRef("merchant", "m2"))
    kinds = {item.kind for item in items}
    assert {"event", "decision", "points", "sanction", "lift", "case"} <= kinds
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    assert any(i.kind == "points" and i.summary.startswith("-12") for i in items)
    assert [i.ref["case_id"] for i in items if i.kind == "case"] == [case_id]
    # m2 shares m1's identity: it got (and lost) the shared copy, but not m1's points.
    assert {i.kind for i in other} >= {"event", "sanction", "lift"}
    assert not [i for i in other if i.kind == "points"]


def test_standing_is_the_periods_balance_and_what_is_in_force(store, registry) -> None:
    suspended_m1(store, registry)
    with store.reading() as session:
        now = standing(session, M1, at(days=1, minutes=1), registry.policy.spec)
        later = standing(session, M1, at(days=40), registry.policy.spec)
    assert now.points == {"general": 0, "serious": 18}
    assert {s["kind"] for s in now.sanctions} == {"live_suspension", "settlement_freeze"}
    assert {s["kind"] for s in later.sanctions} == set()
    assert later.period_until - later.period_from > timedelta(days=300)
