"""A reviewer's confirmation runs the rule's on_confirm actions; an overturn runs none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.enforce.conftest import at, listing_published, marker_registry, write_policy
from tests.enforce.test_points import run
from trustfair.cases import work
from trustfair.policy.files import load_policy
from trustfair.store.models import CaseEventRow, CaseRow, OutboxRow, PointsEntryRow
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
