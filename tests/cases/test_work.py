"""Working cases through the use cases: queues, the steps and who may take them, the
evidence spans of a case, an appeal decided through the queue, and rule precision."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from tests.enforce.conftest import at, live_segment, marker_registry, write_policy
from tests.enforce.test_appeals import suspended_m1
from tests.enforce.test_points import run
from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.cases import work
from trustfair.enforce.appeals import file_appeal
from trustfair.events.payload import EntityRef
from trustfair.policy.files import load_policy
from trustfair.store.models import CaseEventRow, CaseRow, SanctionRow

REVIEWER = "user:li"


def principal(role: Role, *owns: EntityRef) -> Principal:
    return Principal("user", role.value, role, PERMISSIONS[role], frozenset(owns))


def appeal_of_m1(store, registry) -> int:  # type: ignore[no-untyped-def]
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        return file_appeal(session, sanction_id, "merchant:m1", "说明书写的是辅助", at(days=2))


def test_a_case_goes_open_in_review_decided_closed_and_every_step_is_in_its_timeline(
    store, registry
) -> None:
    case_id = appeal_of_m1(store, registry)
    with store.transaction() as session:
        work.assign(session, case_id, REVIEWER, at(days=2, minutes=5))
        work.release(session, case_id, REVIEWER, at(days=2, minutes=6))
        work.assign(session, case_id, "user:wang", at(days=2, minutes=7))
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="assigned to"):
        work.decide(session, case_id, REVIEWER, work.CONFIRM, "", at(days=3))
    with store.transaction() as session:
        work.decide(session, case_id, "user:wang", work.CONFIRM, "证据充分", at(days=3))
        work.close(session, case_id, "user:wang", "", at(days=3, minutes=1))
    with store.reading() as session:
        steps = session.execute(
            select(CaseEventRow.action, CaseEventRow.to_state, CaseEventRow.actor)
            .where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.id)
        ).all()
        case = session.get(CaseRow, case_id)
        sanction = session.get(SanctionRow, int(case.subject_id))
    assert [(a, s) for a, s, _ in steps] == [
        ("opened", "open"),
        ("assign", "in_review"),
        ("release", "open"),
        ("assign", "in_review"),
        ("decide", "decided"),
        ("close", "closed"),
    ]
    assert (case.state, case.outcome, case.assignee) == ("closed", "confirm", "user:wang")
    assert sanction.state == "active"  # upheld


def test_a_step_the_state_machine_does_not_allow_is_refused_and_changes_nothing(
    store, registry
) -> None:
    case_id = appeal_of_m1(store, registry)
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="into review"):
        work.decide(session, case_id, REVIEWER, work.CONFIRM, "", at(days=3))
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="cannot 'release'"):
        work.release(session, case_id, REVIEWER, at(days=3))
    with store.transaction() as session, pytest.raises(work.CaseNotFound):
        work.assign(session, 999_999, REVIEWER, at(days=3))
    with store.reading() as session:
        assert session.get(CaseRow, case_id).state == "open"
        assert (
            len(session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id)).all())
            == 1
        )


def test_overturning_an_appeal_through_the_queue_lifts_the_sanction_and_counts_against_the_rule(
    store, registry
) -> None:
    case_id = appeal_of_m1(store, registry)
    with store.transaction() as session:
        work.assign(session, case_id, REVIEWER, at(days=2, minutes=5))
        work.decide(session, case_id, REVIEWER, work.OVERTURN_CASE, "词语误判", at(days=3))
    with store.reading() as session:
        case = session.get(CaseRow, case_id)
        sanction = session.get(SanctionRow, int(case.subject_id))
        precision = work.rule_precision(session)
    assert sanction.state == "lifted"
    assert precision["marked.block"].overturned == 1
    assert precision["marked.block"].precision == 0.0


def test_a_party_sees_only_its_own_cases_and_staff_see_all(store, registry) -> None:
    appeal_of_m1(store, registry)
    with store.reading() as session:
        mine, total = work.list_cases(
            session, principal(Role.MERCHANT, EntityRef("merchant", "m1"))
        )
        theirs, none = work.list_cases(
            session, principal(Role.MERCHANT, EntityRef("merchant", "m9"))
        )
        everything, _ = work.list_cases(session, principal(Role.REVIEWER))
    assert total == 1 and [c.kind for c in mine] == ["appeal"]
    assert (theirs, none) == ([], 0)
    assert len(everything) == 1


CONTENT_REVIEW = """\
version: t
violations: {diversion: {class: general, points: 4}}
nodes: {general: [{points: 12, sanctions: [{kind: warning}]}], serious: []}
appeals: {within_days: 7, how: in the console}
rules:
  - id: marked.review
    when: {signal: {detector: marker}}
    verdict: review
    actions:
      - kind: open_case
        params: {kind: content_review, queue: content, priority: 3, sla_minutes: 60}
"""


def test_a_case_shows_its_evidence_spans_in_the_original_text(store, tmp_path) -> None:
    content_review = marker_registry(load_policy(write_policy(tmp_path, CONTENT_REVIEW)))
    run(store, content_review, live_segment("e1", "ls1", "st1", "加我 [[diversion]] 私聊"))
    with store.reading() as session:
        [case], _ = work.list_cases(session, principal(Role.REVIEWER), queue="content")
        detail = work.case_detail(session, case.id, at(days=1))
        [summary] = work.queue_summaries(session, at(days=1))
    assert detail.party == EntityRef("streamer", "st1")
    assert detail.overdue
    [text] = [t for t in detail.texts if t["field"] == "text"]
    [span] = text["spans"]
    assert text["text"][span["start"] : span["end"]] == "[[diversion]]"
    pieces = work.highlighted(text["text"], text["spans"])
    assert "".join(piece for piece, _ in pieces) == text["text"]
    assert [labels for _, labels in pieces if labels] == [["diversion"]]
    assert (summary.queue, summary.open, summary.overdue) == ("content", 1, 1)


def test_a_partys_case_list_asks_the_store_about_its_own_cases_not_every_case(
    store, tmp_path
) -> None:
    content_review = marker_registry(load_policy(write_policy(tmp_path, CONTENT_REVIEW)))
    segments = [
        live_segment(f"e{n}", f"ls{n}", f"st{n}", "加我 [[diversion]]", at(minutes=n))
        for n in range(40)
    ]
    run(store, content_review, *segments)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.reading() as session:
            mine, total = work.list_cases(
                session, principal(Role.MERCHANT, EntityRef("streamer", "st7"))
            )
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert total == 1 and [c.subject_id for c in mine] == ["ls7"]
    # Before, every one of the 40 cases was loaded and its party looked up in turn.
    assert len(statements) < 10


def test_a_party_counts_its_own_waiting_cases_by_queue(store, registry) -> None:
    appeal_of_m1(store, registry)
    m1 = principal(Role.MERCHANT, EntityRef("merchant", "m1"))
    with store.reading() as session:
        [own] = work.own_queue_summaries(session, m1, at(days=5))
        none = work.own_queue_summaries(
            session, principal(Role.MERCHANT, EntityRef("merchant", "m9")), at(days=5)
        )
        staff = work.own_queue_summaries(session, principal(Role.REVIEWER), at(days=5))
    assert (own.queue, own.open, own.overdue) == ("appeals", 1, 1)
    assert none == []
    assert [(s.queue, s.open) for s in staff] == [("appeals", 1)]


def test_a_party_appeals_only_the_sanctions_it_may_see(store, registry) -> None:
    sanction_id = suspended_m1(store, registry)
    stranger = principal(Role.MERCHANT, EntityRef("merchant", "m9"))
    owner = principal(Role.MERCHANT, EntityRef("merchant", "m1"))
    with store.transaction() as session, pytest.raises(work.SanctionNotFound, match="no sanction"):
        work.appeal_sanction(session, stranger, sanction_id, "?", at(days=2))
    with store.transaction() as session:
        case_id = work.appeal_sanction(session, owner, sanction_id, "误判", at(days=2))
    with store.reading() as session:
        [opened] = session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id))
    assert (opened.actor, opened.note) == ("user:merchant", "误判")


def test_only_the_assignee_or_an_admin_releases_a_case_and_an_open_appeal_is_not_dismissed(
    store, registry
) -> None:
    case_id = appeal_of_m1(store, registry)
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="decided, not"):
        work.close(session, case_id, REVIEWER, "", at(days=2, minutes=1))
    with store.transaction() as session:
        work.assign(session, case_id, REVIEWER, at(days=2, minutes=5))
    with store.transaction() as session, pytest.raises(work.CaseRefused, match="assigned to"):
        work.release(session, case_id, "user:wang", at(days=2, minutes=6))
    with store.transaction() as session:
        work.release(session, case_id, "user:admin", at(days=2, minutes=7), may_release_others=True)
    with store.transaction() as session:
        work.close(
            session, case_id, "user:admin", "", at(days=2, minutes=8), may_decide_appeals=True
        )
    with store.reading() as session:
        assert session.get(CaseRow, case_id).state == "closed"
