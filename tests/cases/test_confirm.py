"""A reviewer's confirmation runs the rule's on_confirm actions; an overturn runs none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.enforce.conftest import at, listing_published, marker_registry, write_policy
from tests.enforce.test_points import run
from trustfair.cases import work
from trustfair.policy.files import load_policy
from trustfair.store.models import (
    CaseEventRow,
    CaseRow,
    DecisionRow,
    OutboxRow,
    PointsEntryRow,
    SanctionRow,
)
from trustfair.yaml_files import FileError

HELD_FOR_REVIEW = """\
version: t
violations: {diversion: {class: general, points: 4, basis: 站外导流}}
nodes: {general: [{points: 12, sanctions: [{kind: warning}]}], serious: []}
appeals: {within_days: 7, how: in the console}
rules:
  - id: marked.held
    when: {signal: {detector: marker, severity: review}}
    verdict: review
    actions:
      - kind: open_case
        params: {kind: content_review, queue: content, priority: 3, sla_minutes: 60}
    on_confirm:
      - kind: points
      - kind: send_command
        params: {topic: content.block}
"""


@pytest.fixture
def held(tmp_path):  # type: ignore[no-untyped-def]
    return marker_registry(load_policy(write_policy(tmp_path, HELD_FOR_REVIEW)))


def case_of(store, listing: str) -> int:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return session.scalars(select(CaseRow.id).where(CaseRow.subject_id == listing)).one()


def test_confirming_held_text_awards_its_points_and_takes_it_down(store, held) -> None:
    run(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    with store.reading() as session:
        assert session.scalars(select(PointsEntryRow)).all() == []  # held, not punished
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(minutes=5))
        work.decide(session, case_id, "user:li", work.CONFIRM, "确属导流", at(minutes=6), held)
    with store.reading() as session:
        points = session.execute(select(PointsEntryRow.entity_id, PointsEntryRow.points)).all()
        topics = session.scalars(select(OutboxRow.topic)).all()
        steps = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
        ).all()
        precision = work.rule_precision(session)
    assert points == [("m1", 4)]
    assert "content.block" in topics
    assert steps == ["opened", "assign", "decide", "effects"]
    assert precision["marked.held"].confirmed == 1


def test_overturning_held_text_punishes_nothing(store, held) -> None:
    run(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(minutes=5))
        work.decide(session, case_id, "user:li", work.OVERTURN_CASE, "正常", at(minutes=6), held)
    with store.reading() as session:
        assert session.scalars(select(PointsEntryRow)).all() == []
        assert "content.block" not in session.scalars(select(OutboxRow.topic)).all()
        assert work.rule_precision(session)["marked.held"].precision == 0.0


def test_on_confirm_without_a_case_to_confirm_is_refused(tmp_path) -> None:
    text = HELD_FOR_REVIEW.replace(
        """      - kind: open_case
        params: {kind: content_review, queue: content, priority: 3, sla_minutes: 60}
""",
        "      - kind: points\n",
    )
    with pytest.raises(FileError, match="opens none"):
        load_policy(write_policy(tmp_path, text))


def test_a_late_confirmation_starts_the_sanction_and_its_appeal_period_then(
    store, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    text = HELD_FOR_REVIEW.replace(
        "nodes: {general: [{points: 12, sanctions: [{kind: warning}]}], serious: []}",
        "nodes: {general: [{points: 4, sanctions: [{kind: live_suspension, days: 7}]}],"
        " serious: []}",
    )
    held = marker_registry(load_policy(write_policy(tmp_path, text)))
    run(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    confirmed = at(days=10)  # a reviewer gets to it ten days later
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", confirmed)
        work.decide(session, case_id, "user:li", work.CONFIRM, "", confirmed, held)
    with store.reading() as session:
        [suspension] = session.scalars(select(SanctionRow)).all()
        [entry] = session.scalars(select(PointsEntryRow)).all()
        decisions = session.execute(
            select(DecisionRow.confirmed_by, DecisionRow.confirmed_at).order_by(DecisionRow.id)
        ).all()
    assert suspension.starts_at == confirmed  # not ten days in the past, half expired
    assert suspension.statement["appeal"]["until"] == (confirmed + timedelta(days=7)).isoformat()
    assert entry.at == at()  # the points stay dated by the offence
    assert decisions == [(None, None), ("user:li", confirmed)]


def test_a_verdict_on_a_case_judges_only_the_rules_that_opened_it(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = HELD_FOR_REVIEW.replace(
        "rules:\n",
        "rules:\n  - id: marked.block\n"
        "    when: {signal: {detector: marker, severity: block}}\n"
        "    verdict: block\n"
        "    actions: [{kind: points}]\n",
    )
    held = marker_registry(load_policy(write_policy(tmp_path, text)))
    run(store, held, listing_published("e1", "l1", "m1", "[[diversion]] 和 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(minutes=5))
        work.decide(session, case_id, "user:li", work.OVERTURN_CASE, "", at(minutes=6), held)
    with store.reading() as session:
        assert set(work.rule_precision(session)) == {"marked.held"}


def test_confirming_a_case_confirms_the_evidence_added_to_it_too(store, held) -> None:  # type: ignore[no-untyped-def]
    from tests.enforce.conftest import live_segment

    run(
        store,
        held,
        live_segment("e1", "ls1", "st1", "[[diversion:review]]"),
        live_segment("e2", "ls1", "st1", "又一次 [[diversion:review]]", at(minutes=3)),
    )
    case_id = case_of(store, "ls1")
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(minutes=5))
        work.decide(session, case_id, "user:li", work.CONFIRM, "", at(minutes=6), held)
    with store.reading() as session:
        blocks = session.scalars(
            select(OutboxRow.payload).where(OutboxRow.topic == "content.block")
        ).all()
        points = session.execute(select(PointsEntryRow.entity_id, PointsEntryRow.points)).all()
    # Both lines are taken down; the session is one matter, punished once.
    assert {b["event_id"] for b in blocks} == {"e1", "e2"}
    assert points == [("st1", 4)]


def test_a_confirmed_case_appealed_and_overturned_undoes_what_the_confirmation_did(
    store, held
) -> None:  # type: ignore[no-untyped-def]
    run(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    with store.transaction() as session:
        work.assign(session, case_id, "user:li", at(minutes=5))
        work.decide(session, case_id, "user:li", work.CONFIRM, "导流", at(minutes=6), held)
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="take it into"):
        work.decide(session, case_id, "user:li", work.OVERTURN_CASE, "", at(minutes=7), held)
    with store.transaction() as session:
        work.appeal(session, case_id, "user:m1-owner", "那是客服电话", at(days=1))
        work.assign(session, case_id, "user:wang", at(days=1, minutes=5))
        work.decide(session, case_id, "user:wang", work.OVERTURN_CASE, "确是客服", at(days=2), held)
    with store.reading() as session:
        points = session.execute(
            select(PointsEntryRow.points, PointsEntryRow.reverses_id).order_by(PointsEntryRow.id)
        ).all()
        steps = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
        ).all()
        precision = work.rule_precision(session)["marked.held"]
    assert points == [(4, None), (-4, 1)]  # both entries stay; the balance is back to 0
    assert steps == [
        "opened",
        "assign",
        "decide",
        "effects",
        "appeal",
        "assign",
        "decide",
        "undone",
    ]
    assert (precision.confirmed, precision.overturned) == (0, 1)


def test_only_a_confirmed_case_can_be_appealed(store, held) -> None:  # type: ignore[no-untyped-def]
    run(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    case_id = case_of(store, "l1")
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="nothing to appeal"):
        work.appeal(session, case_id, "user:m1-owner", "?", at(days=1))
