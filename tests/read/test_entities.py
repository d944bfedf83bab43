"""An entity's timeline and standing, read back after real enforcement."""

from __future__ import annotations

from datetime import timedelta

from tests.enforce.conftest import at
from tests.enforce.test_appeals import suspended_m1
from trustfair.cases import work
from trustfair.enforce.appeals import file_appeal
from trustfair.events.payload import EntityRef
from trustfair.read.entities import (
    live_risk_clock,
    live_sessions_at_risk,
    points_ledger,
    standing,
    timeline,
)
from trustfair.store.models import LiveRiskRow

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


def test_the_points_ledger_keeps_the_award_and_its_reversal_newest_first(store, registry) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        case_id = file_appeal(session, sanction_id, "merchant:m1", "误判", at(days=2))
        work.assign(session, case_id, "user:li", at(days=2, minutes=1))
        work.decide(session, case_id, "user:li", work.OVERTURN_CASE, "误判", at(days=3))
    with store.reading() as session:
        entries, total = points_ledger(session, M1)
        [second], _ = points_ledger(session, M1, limit=1, offset=1)
    assert total == 3
    assert [(e.points, e.reverses_id is not None) for e in entries] == [
        (-12, True),
        (12, False),
        (6, False),
    ]
    assert entries[0].reverses_id == entries[1].id
    assert second.id == entries[1].id


def test_live_risk_is_decayed_to_the_later_of_the_wall_clock_and_the_newest_score(
    store, registry
) -> None:
    wall = at(days=1)
    with store.reading() as session:
        assert live_risk_clock(session, wall) == wall  # nothing live: the wall clock
    with store.transaction() as session:
        session.add(LiveRiskRow(session_id="ls1", streamer_id="st1", score=50, updated_at=at()))
        session.add(
            LiveRiskRow(session_id="ls2", streamer_id="st2", score=50, updated_at=at(days=2))
        )
    with store.reading() as session:
        ahead = live_risk_clock(session, wall)
        behind = live_risk_clock(session, at(days=3))
        ranked = live_sessions_at_risk(session, ahead, 120.0)
    # The marketplace's clock runs a day ahead of ours: its newest score is "now".
    assert (ahead, behind) == (at(days=2), at(days=3))
    assert [(s.session_id, s.score) for s in ranked] == [("ls2", 50.0)]


def test_the_partys_own_view_leaves_out_other_peoples_events(store, registry) -> None:
    from tests.factories import event, ingest, order_paid

    suspended_m1(store, registry)
    report = event(
        "r-e1",
        "report.filed",
        {
            "report_id": "r1",
            "reporter_id": "whistleblower-7",
            "target": {"type": "merchant", "id": "m1"},
            "reason": "counterfeit",
        },
        at(days=1),
    )
    ingest(store, registry, order_paid("o-e1", "o1"), report)
    with store.reading() as session:
        staff = {i.summary for i in timeline(session, M1) if i.kind == "event"}
        own = {i.summary for i in timeline(session, M1, as_party=True) if i.kind == "event"}
    assert "report.filed" in staff  # staff see who reported m1
    # m1 sees what it wrote and its own orders (what its shipping is judged on), not
    # who reported it.
    assert own == {"merchant.registered", "listing.published", "order.paid"}


def test_a_shared_sanction_tells_the_linked_account_what_and_why_not_the_others_case(
    store, registry
) -> None:
    from sqlalchemy import select

    from trustfair.store.models import SanctionRow

    suspended_m1(store, registry)
    with store.reading() as session:
        [copy] = session.scalars(
            select(SanctionRow).where(
                SanctionRow.entity_id == "m2", SanctionRow.kind == "live_suspension"
            )
        ).all()
    statement = copy.statement
    assert statement["violation"] == {
        "violation": "medical_claim",
        "class": "serious",
        "basis": "Advertising Law Art. 17",
    }
    assert "points" not in statement and "evidence" not in statement["violation"]
    assert statement["shared"]["linked_by"] == ["phone"]
