"""Points are awarded once per matter, escalate on repeats, and reach sanctions."""

from __future__ import annotations

from sqlalchemy import select

from tests.enforce.conftest import at, listing_published, live_segment, live_started
from tests.factories import event
from tests.factories import ingest as run
from trustfair.store.models import DecisionRow, OutboxRow, PointsEntryRow, SanctionRow


def points(store) -> list[tuple[str, str, int, str]]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return [
            (r.entity_id, r.violation, r.points, r.matter)
            for r in session.scalars(select(PointsEntryRow).order_by(PointsEntryRow.id))
        ]


def sanctions(store) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return [
            (r.entity_id, r.kind, r.node)
            for r in session.scalars(select(SanctionRow).order_by(SanctionRow.id))
        ]


def test_a_listing_is_one_matter_however_often_its_copy_shows_the_violation(
    store, registry
) -> None:
    run(
        store,
        registry,
        listing_published("e1", "l1", "m1", "国家级 [[extreme_claim]]"),
        listing_published("e2", "l1", "m1", "again [[extreme_claim]]", at(minutes=5)),
    )
    assert points(store) == [("m1", "extreme_claim", 4, "extreme_claim@listing:l1")]


def test_every_live_session_is_a_matter_of_its_own_and_a_repeat_costs_double(
    store, registry
) -> None:
    run(
        store,
        registry,
        live_segment("e1", "ls1", "st1", "[[diversion]]"),
        live_segment("e2", "ls1", "st1", "[[diversion]] again", at(minutes=1)),
        live_segment("e3", "ls2", "st1", "[[diversion]]", at(days=2)),
        live_segment("e4", "ls3", "st1", "[[diversion]]", at(days=40)),
    )
    assert [(p[2], p[3]) for p in points(store)] == [
        (4, "diversion@live_session:ls1"),
        (8, "diversion@live_session:ls2"),  # within 30 days of the first
        (4, "diversion@live_session:ls3"),  # 38 days after the last one
    ]


def test_review_findings_and_chat_users_earn_no_points(store, registry) -> None:
    run(
        store,
        registry,
        live_segment("e1", "ls1", "st1", "[[diversion:review]]"),
        {
            "event_id": "e2",
            "type": "live.chat",
            "occurred_at": at().isoformat(),
            "source": "t",
            "payload": {
                "session_id": "ls1",
                "message_id": "c1",
                "user_id": "u1",
                "text": "[[spam_porn]]",
            },
        },
    )
    assert points(store) == []
    with store.reading() as session:
        assert sorted(d.verdict for d in session.scalars(select(DecisionRow))) == [
            "block",
            "review",
        ]


def test_a_node_reached_issues_its_sanctions_once_with_a_statement_of_reasons(
    store, registry
) -> None:
    run(
        store,
        registry,
        listing_published("e1", "l1", "m1", "[[medical_claim]] 治疗糖尿病"),
        listing_published("e2", "l2", "m1", "[[medical_claim]]", at(days=1)),  # 6 + 12 = 18
        listing_published("e3", "l3", "m1", "[[medical_claim]]", at(days=2)),  # 30
    )
    assert sanctions(store) == [
        ("m1", "live_suspension", "serious:12@2026-01-01#0"),
        ("m1", "settlement_freeze", "serious:12@2026-01-01#1"),
        ("m1", "ban", "serious:24@2026-01-01#0"),
    ]
    with store.reading() as session:
        suspension = session.scalars(select(SanctionRow)).first()
        statement = suspension.statement
        commands = session.scalars(select(OutboxRow.topic)).all()
    assert statement["rule"] == "marked.block"
    assert statement["policy_version"] == "test-1"
    assert statement["violation"]["violation"] == "medical_claim"
    assert statement["violation"]["basis"] == "Advertising Law Art. 17"
    assert statement["violation"]["event_id"] == "e2"
    assert statement["violation"]["evidence"][0]["rule"] == "medical_claim.marked"
    assert statement["points"] == {
        "class": "serious",
        "balance": 18,
        "node": 12,
        "period_from": "2025-12-31T16:00:00+00:00",
        "period_until": "2026-12-31T16:00:00+00:00",
    }
    assert statement["appeal"]["within_days"] == 7
    assert statement["until"] is not None
    assert commands == ["sanction.issued"] * 3


def test_points_of_the_two_classes_are_counted_apart(store, registry) -> None:
    run(
        store,
        registry,
        listing_published("e1", "l1", "m1", "[[extreme_claim]]"),
        listing_published("e2", "l2", "m1", "[[medical_claim]]", at(days=1)),
    )
    # 4 general and 6 serious: neither class has reached a node.
    assert sanctions(store) == []


def test_points_reset_with_the_calendar_year(store, registry) -> None:
    december = at(days=290)  # 2026-12-16
    run(
        store,
        registry,
        listing_published("e1", "l1", "m1", "[[extreme_claim]]", december),
        listing_published("e2", "l2", "m1", "[[extreme_claim]]", december + (at(days=20) - at())),
    )
    # The second award doubles (a repeat within 30 days) but falls in the new year:
    # 4 points in 2026 and 8 in 2027, and no node of 8 is reached in either... but 8 is.
    assert [p[2] for p in points(store)] == [4, 8]
    assert sanctions(store) == [("m1", "warning", "general:8@2027-01-01#0")]


def test_a_suspended_streamer_going_live_is_refused(store, registry) -> None:
    run(
        store,
        registry,
        live_segment("e1", "ls1", "st1", "[[spam_porn]]"),
        live_started("e2", "ls2", "st1", at(days=1)),
        live_started("e3", "ls3", "st1", at(days=8)),  # the 7 days are over
    )
    with store.reading() as session:
        refusals = session.scalars(select(OutboxRow).where(OutboxRow.topic == "live.refuse")).all()
        verdicts = {d.event_seq: d.verdict for d in session.scalars(select(DecisionRow))}
    assert [r.payload["subject"] for r in refusals] == [{"type": "live_session", "id": "ls2"}]
    assert refusals[0].payload["rule"] == "live.refuse_restricted"
    assert sorted(verdicts.values()) == ["block", "block"]


def test_a_streamer_at_risk_selling_an_unapproved_product_commits_a_violation(
    store, registry
) -> None:
    approved = event(
        "e3",
        "prereview.decided",
        {"streamer_id": "st1", "listing_id": "l-ok", "approved": True, "reviewer_id": "r1"},
        at(days=1),
    )
    run(
        store,
        registry,
        live_segment("e1", "ls1", "st1", "[[extreme_claim]]", listing_id="l-x"),
        live_segment("e2", "ls2", "st1", "[[extreme_claim]]", at(days=1), listing_id="l-x"),
        approved,
        live_segment("e4", "ls3", "st1", "好物推荐", at(days=2), listing_id="l-ok"),
        live_segment("e5", "ls4", "st1", "这款也不错", at(days=3), listing_id="l-new"),
    )
    # The state an event is judged by is the state before it: 4 points at e2, and 12
    # (over the policy's 8) from then on. l-ok was approved; l-new was not.
    assert [(p[1], p[3]) for p in points(store)] == [
        ("extreme_claim", "extreme_claim@live_session:ls1"),
        ("extreme_claim", "extreme_claim@live_session:ls2"),
        ("unapproved_product", "unapproved_product@live_session:ls4"),
    ]
