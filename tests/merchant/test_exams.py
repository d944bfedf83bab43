"""Rule courses and exams: the catalogue, scoring, attempts, and sanctions that wait
for a passed exam before they lift."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.enforce.conftest import (
    POLICY,
    at,
    live_segment,
    live_started,
    marker_registry,
    write_policy,
)
from tests.factories import ingest
from trustfair.enforce.evaluation import sanctioned_at
from trustfair.enforce.sanctions import active_sanction_rows, sanction_record
from trustfair.events.payload import EntityRef
from trustfair.merchant import exams
from trustfair.merchant.courses import default_courses, load_courses
from trustfair.merchant.exams import LABELS, CourseRefused
from trustfair.policy.files import load_policy
from trustfair.store.context import StoreContext
from trustfair.store.models import (
    CourseAttemptRow,
    OutboxRow,
    SanctionRow,
)
from trustfair.yaml_files import FileError

COURSE = "medical-claims"
FREEZE = "settlement_freeze"
"""Issued with the suspension by the serious node; it does not wait (not listed)."""
ST1 = EntityRef("streamer", "st1")
WAITING_POLICY = POLICY.replace(
    "appeals: {within_days: 7, how: appeal in the console}",
    "appeals: {within_days: 7, how: appeal in the console}\n"
    "courses:\n"
    "  by_violation: {medical_claim: medical-claims, spam_porn: live-conduct}\n"
    "  sanctions: [live_suspension]",
)


def right_answers(attempt: CourseAttemptRow) -> dict[str, str]:
    """The labels an attempt showed its right answers under, read from the course."""
    exam = default_courses().get(COURSE).exam  # type: ignore[union-attr]
    return {
        item["question"]: LABELS[item["choices"].index(exam.question(item["question"]).answer)]
        for item in attempt.asked
    }


def wrong_answers(attempt: CourseAttemptRow) -> dict[str, str]:
    right = right_answers(attempt)
    return {q: "A" if label != "A" else "B" for q, label in right.items()}


def take(session, entity, when, answers=right_answers, seed=1):  # type: ignore[no-untyped-def]
    attempt = exams.start_attempt(session, entity, COURSE, "test", when, random.Random(seed))
    return exams.submit_attempt(session, attempt.id, answers(attempt), when + timedelta(minutes=5))


# -- the catalogue ---------------------------------------------------------------------


def test_the_shipped_courses_cover_the_rules_enforced_in_both_languages() -> None:
    catalogue = default_courses()
    assert {
        "advertising-claims",
        "medical-claims",
        "counterfeits-ip",
        "off-platform-diversion",
        "price-marking",
        "shipping-on-time",
        "live-conduct",
    } <= catalogue.ids
    for course in catalogue.courses:
        assert course.exam.questions <= len(course.exam.bank)
        for lesson in course.lessons:
            assert lesson.body.en and lesson.body.zh
        for question in course.exam.bank:
            assert question.answer in [c.id for c in question.choices]


GOOD = """\
courses:
  - id: c1
    title: {en: One, zh: 一}
    lessons: [{id: l1, title: {en: L, zh: 课}, body: {en: B, zh: 文}}]
    exam:
      questions: 1
      pass_percent: 100
      attempts_per_day: 3
      cooldown_minutes: 30
      time_limit_minutes: 30
      bank:
        - id: q1
          text: {en: Q, zh: 问}
          choices: [{id: a, en: A, zh: 甲}, {id: b, en: B, zh: 乙}]
          answer: a
"""


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("answer: a", "answer: c"), "answer 'c' is not one of ['a', 'b']"),
        (("questions: 1", "questions: 2"), "asks 2 questions but its bank holds 1"),
        (("pass_percent: 100", "pass_percent: 120"), "pass_percent"),
        (("cooldown_minutes: 30", "cooldown_minute: 30"), "cooldown_minute"),
        (("id: c1", "id: C 1"), "courses.0.id"),
        (("{id: b, en: B", "{id: a, en: B"), "choice ids repeat"),
    ],
)
def test_a_wrong_course_file_is_refused_naming_the_line_and_the_key(
    tmp_path: Path, change: tuple[str, str], said: str
) -> None:
    path = tmp_path / "courses.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(FileError) as raised:
        load_courses(path)
    assert said in str(raised.value)
    assert raised.value.line is not None


def test_two_courses_of_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "courses.yaml"
    second = GOOD.split("courses:\n")[1]
    path.write_text(GOOD + second, encoding="utf-8")
    with pytest.raises(FileError, match=r"course ids repeat: \['c1'\]"):
        load_courses(path)
    path.write_text(GOOD, encoding="utf-8")
    assert load_courses(path).ids == {"c1"}


# -- the policy names courses ----------------------------------------------------------


def test_a_policy_naming_an_unknown_course_is_refused(tmp_path: Path) -> None:
    bad = WAITING_POLICY.replace("medical_claim: medical-claims", "medical_claim: no-such-course")
    with pytest.raises(ValueError, match=r"courses\.by_violation\.medical_claim: no course"):
        load_policy(write_policy(tmp_path, bad))
    on_node = POLICY.replace(
        "{kind: live_suspension, days: 7}]}",
        "{kind: live_suspension, days: 7, requires_course: nope}]}",
    )
    with pytest.raises(ValueError, match=r"nodes\.general at 12: no course 'nope'"):
        load_policy(write_policy(tmp_path, on_node))
    a_ban = WAITING_POLICY.replace("sanctions: [live_suspension]", "sanctions: [ban]")
    with pytest.raises(ValueError, match="a ban does not lift"):
        load_policy(write_policy(tmp_path, a_ban))
    assert load_policy(write_policy(tmp_path, WAITING_POLICY)).spec.courses.sanctions
    a_rule = POLICY.replace(
        "actions: [{kind: sanction, params: {kind: ban, violation: evading_sanction}}]",
        "actions: [{kind: sanction, params: {kind: live_suspension, days: 7,"
        " violation: evading_sanction, requires_course: nope}}]",
    )
    with pytest.raises(ValueError, match=r"rule accounts\.evasion: no course 'nope'"):
        load_policy(write_policy(tmp_path, a_rule))


# -- scoring and attempts --------------------------------------------------------------


def test_an_exam_is_scored_against_what_the_attempt_asked(store) -> None:
    with store.transaction() as session:
        attempt = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(7))
        exam = default_courses().get(COURSE).exam  # type: ignore[union-attr]
        assert len(attempt.asked) == exam.questions
        answers = right_answers(attempt)
        # One wrong of four: 75 %, the pass mark.
        first = attempt.asked[0]["question"]
        answers[first] = LABELS[(LABELS.index(answers[first]) + 1) % 3]
        result = exams.submit_attempt(session, attempt.id, answers, at(minutes=10))
        assert (result.correct, result.asked, result.passed) == (3, 4, True)
        with pytest.raises(CourseRefused, match="submitted already"):
            exams.submit_attempt(session, attempt.id, answers, at(minutes=11))
    with store.reading() as session:
        row = session.get(CourseAttemptRow, attempt.id)
        assert (row.correct, row.passed) == (3, True)
        assert exams.enrolment_of(session, ST1, COURSE).passed_at == at(minutes=10)


def test_two_wrong_fail_and_a_question_not_asked_or_a_label_not_shown_is_refused(store) -> None:
    with store.transaction() as session:
        attempt = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(3))
        asked = [item["question"] for item in attempt.asked]
        not_asked = next(q.id for q in default_courses().get(COURSE).exam.bank if q.id not in asked)  # type: ignore[union-attr]
        with pytest.raises(CourseRefused, match=f"did not ask question '{not_asked}'"):
            exams.submit_attempt(session, attempt.id, {not_asked: "A"}, at(minutes=1))
        with pytest.raises(CourseRefused, match="'D' is not one of the choices shown"):
            exams.submit_attempt(session, attempt.id, {asked[0]: "D"}, at(minutes=1))
        answers = right_answers(attempt)
        del answers[asked[0]]  # left out: wrong
        answers[asked[1]] = wrong_answers(attempt)[asked[1]]
        result = exams.submit_attempt(session, attempt.id, answers, at(minutes=2))
        assert (result.correct, result.passed) == (2, False)


def test_an_answer_sheet_replayed_from_another_attempt_is_read_in_that_attempts_order(
    store,
) -> None:
    with store.transaction() as session:
        first = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        sheet = right_answers(first)
        assert exams.submit_attempt(session, first.id, sheet, at(minutes=5)).passed
        second = exams.start_attempt(session, ST1, COURSE, "test", at(minutes=6), random.Random(2))
        assert second.asked != first.asked
        replayed = {q: label for q, label in sheet.items() if q in right_answers(second)}
        result = exams.submit_attempt(session, second.id, replayed, at(minutes=8))
        # What the replayed labels are worth on the second attempt, read directly.
        expected = sum(right_answers(second)[q] == label for q, label in replayed.items())
        assert result.correct == expected
        assert not result.passed


def test_a_late_submission_fails(store) -> None:
    with store.transaction() as session:
        attempt = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        result = exams.submit_attempt(session, attempt.id, right_answers(attempt), at(minutes=31))
        assert (result.correct, result.late, result.passed) == (4, True, False)


def test_attempts_wait_out_the_cool_down_and_the_days_allowance(store) -> None:
    with store.transaction() as session:
        assert not take(session, ST1, at(), wrong_answers).passed  # submitted at +5 min
        with pytest.raises(CourseRefused, match="may start at") as refused:
            exams.start_attempt(session, ST1, COURSE, "test", at(minutes=20))
        assert refused.value.retry_at == at(minutes=35)
        assert not take(session, ST1, at(minutes=35), wrong_answers).passed
        assert not take(session, ST1, at(minutes=70), wrong_answers).passed
        # Three started in 24 hours: the fourth waits for the first to be a day old.
        with pytest.raises(CourseRefused) as refused:
            exams.start_attempt(session, ST1, COURSE, "test", at(minutes=200))
        assert refused.value.retry_at == at(days=1)
        assert take(session, ST1, at(days=1)).passed


def test_an_abandoned_attempt_failed_when_its_time_was_up(store) -> None:
    with store.transaction() as session:
        exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        # Never submitted; its 30 minutes are up at +30, the cool-down runs to +60.
        with pytest.raises(CourseRefused, match="may start at") as refused:
            exams.start_attempt(session, ST1, COURSE, "test", at(minutes=31))
        assert refused.value.retry_at == at(minutes=60)
        second = exams.start_attempt(session, ST1, COURSE, "test", at(minutes=60))
        assert second.number == 2


def test_an_open_attempt_is_given_back_not_drawn_again(store) -> None:
    with store.transaction() as session:
        first = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        again = exams.start_attempt(session, ST1, COURSE, "test", at(minutes=3), random.Random(9))
        assert again.id == first.id


def test_a_course_is_rated_only_after_its_exam(store) -> None:
    with store.transaction() as session:
        exams.enrol(session, ST1, COURSE, "test", at())
        with pytest.raises(CourseRefused, match="after finishing"):
            exams.rate_course(session, ST1, COURSE, 5, "好", at())
        take(session, ST1, at(), wrong_answers)
        with pytest.raises(CourseRefused, match="1 to 5"):
            exams.rate_course(session, ST1, COURSE, 6, "", at(minutes=9))
        row = exams.rate_course(session, ST1, COURSE, 4, " clear ", at(minutes=9))
        assert (row.rating, row.comment) == (4, "clear")


# -- sanctions that wait for an exam ---------------------------------------------------


@pytest.fixture
def waiting_registry(tmp_path: Path):  # type: ignore[no-untyped-def]
    return marker_registry(load_policy(write_policy(tmp_path, WAITING_POLICY)))


def suspend_st1(store, registry) -> int:  # type: ignore[no-untyped-def]
    """st1 suspended at at(): two medical claims on air reach the serious 12 node."""
    ingest(
        store,
        registry,
        live_segment("s1", "ls1", "st1", "[[medical_claim]] 包治百病"),
        live_segment("s2", "ls2", "st1", "[[medical_claim]] 降血压", at(minutes=1)),
    )
    with store.reading() as session:
        rows = active_sanction_rows(session, ST1, at(minutes=2))
        (row,) = [r for r in rows if r.kind == "live_suspension"]
        assert row.statement["requires_course"] == COURSE
        return row.id


def in_force(store, when) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Whether st1's suspension is in force at ``when``, as each reader sees it."""
    with store.reading() as session:
        rows = [r.id for r in active_sanction_rows(session, ST1, when) if r.kind != FREEZE]
        context = [
            i for kind, i in StoreContext(session).active_sanctions(ST1, when) if kind != FREEZE
        ]
        evaluation = (
            ["live_suspension"] if ("streamer", "st1") in sanctioned_at(session, when) else []
        )
    return {"rows": rows, "context": context, "evaluation": evaluation}


def test_a_sanction_waiting_for_a_course_stays_in_force_until_the_exam_is_passed(
    store, waiting_registry
) -> None:
    sanction = suspend_st1(store, waiting_registry)
    after_term = at(days=8)
    assert in_force(store, after_term) == {
        "rows": [sanction],
        "context": [sanction],
        "evaluation": ["live_suspension"],
    }
    # The pipeline agrees: going live after the 7 days is still refused.
    ingest(store, waiting_registry, live_started("go1", "ls8", "st1", after_term))
    with store.transaction() as session:
        record = sanction_record(session.get(SanctionRow, sanction))
        assert record["waits_for_course"] == {"course_id": COURSE, "passed_at": None}
        assert exams.waiting_sanctions(session, ST1)[0]["course_id"] == COURSE
        result = take(session, ST1, at(days=9))
        assert result.released == [sanction]
    passed_at = at(days=9, minutes=5)
    assert in_force(store, passed_at - timedelta(seconds=1))["rows"] == [sanction]
    assert in_force(store, passed_at) == {"rows": [], "context": [], "evaluation": []}
    ingest(store, waiting_registry, live_started("go2", "ls10", "st1", at(days=10)))
    with store.reading() as session:
        refused = session.scalars(select(OutboxRow).where(OutboxRow.topic == "live.refuse"))
        refused_sessions = [r.payload["subject"]["id"] for r in refused]
        told = session.scalars(
            select(OutboxRow).where(OutboxRow.topic == "sanction.course_passed")
        ).one()
    assert refused_sessions == ["ls8"]  # not ls10, started after the pass
    assert told.payload["ends_at"] == passed_at.isoformat()


def test_an_exam_passed_during_the_term_lets_the_sanction_end_with_its_term(
    store, waiting_registry
) -> None:
    sanction = suspend_st1(store, waiting_registry)
    with store.transaction() as session:
        assert take(session, ST1, at(days=2)).released == [sanction]
    assert in_force(store, at(days=6))["rows"] == [sanction]
    assert in_force(store, at(days=7, minutes=2))["rows"] == []


def test_an_exam_passed_before_the_sanction_started_does_not_lift_it(
    store, waiting_registry
) -> None:
    with store.transaction() as session:
        assert take(session, ST1, at(days=-3)).passed
    sanction = suspend_st1(store, waiting_registry)
    assert in_force(store, at(days=30))["rows"] == [sanction]
    with store.transaction() as session:
        assert take(session, ST1, at(days=31)).released == [sanction]
    assert in_force(store, at(days=31, minutes=6))["rows"] == []


def test_a_pass_recorded_before_a_sanction_that_started_earlier_arrives_counts(
    store, waiting_registry
) -> None:
    # The exam is passed on day 3; the events of day 0 that suspend st1 arrive later.
    with store.transaction() as session:
        assert take(session, ST1, at(days=3)).passed
    sanction = suspend_st1(store, waiting_registry)
    assert in_force(store, at(days=6))["rows"] == [sanction]
    assert in_force(store, at(days=8))["rows"] == []


def test_a_sanction_of_a_kind_that_does_not_wait_ends_with_its_term(
    store, waiting_registry
) -> None:
    suspend_st1(store, waiting_registry)
    with store.reading() as session:
        kinds = {r.kind for r in active_sanction_rows(session, ST1, at(days=31))}
        held = [
            sanction_record(r)["waits_for_course"]
            for r in active_sanction_rows(session, ST1, at(days=2))
        ]
    assert kinds == {"live_suspension"}  # the 30-day freeze was issued without a course
    assert sorted(held, key=str) == [None, {"course_id": COURSE, "passed_at": None}]


# -- counted ---------------------------------------------------------------------------


def test_the_report_counts_what_the_attempts_and_holds_say(store, waiting_registry) -> None:
    from trustfair.report.courses import course_figures
    from trustfair.store.export import export_records

    sanction = suspend_st1(store, waiting_registry)
    other = EntityRef("merchant", "m9")
    with store.transaction() as session:
        assert not take(session, ST1, at(days=8), wrong_answers).passed
        assert take(session, ST1, at(days=9)).released == [sanction]  # after the 7 days
        exams.rate_course(session, ST1, COURSE, 4, "", at(days=9))
        assert take(session, other, at(days=1)).passed
        exams.rate_course(session, other, COURSE, 5, "", at(days=1))
        exams.enrol(session, EntityRef("merchant", "m8"), COURSE, "test", at())
    with store.reading() as session:
        end = course_figures(session, at(days=10))
        before_the_pass = course_figures(session, at(days=8, minutes=30))
    assert {k: end[k] for k in end if k != "by_course"} == {
        "enrolments": 3,
        "completions": 2,
        "attempts_submitted": 3,
        "attempts_passed": 2,
        "pass_rate": round(2 / 3, 4),
        "attempts_per_completion": 1.5,  # st1 in 2, m9 in 1
        "ratings": 2,
        "mean_satisfaction": 4.5,
        "sanctions_waiting_for_a_course": 1,
        "waiting_at_end": 0,
        "held_past_term_at_end": 0,
        "lifted_by_an_exam": 1,
    }
    assert (before_the_pass["waiting_at_end"], before_the_pass["held_past_term_at_end"]) == (1, 1)
    assert end["by_course"] == {COURSE: {"enrolled": 3, "passed": 2, "mean_satisfaction": 4.5}}
    records = list(export_records(store, "courses"))
    assert [(r["entity_id"], r["number"], r["passed"]) for r in records] == [
        ("st1", 1, False),
        ("st1", 2, True),
        ("m9", 1, True),
    ]
    assert "answer" not in str(records[0]["asked"])


def _in_another_transaction(store, work):  # type: ignore[no-untyped-def]
    """Run ``work(session)`` in a transaction of its own on another thread; returns
    the thread and a dict that gets its result (or the exception it raised)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            with store.transaction() as session:
                outcome["result"] = work(session)
        except Exception as exc:  # handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_an_attempt_submitted_twice_at_once_is_scored_once(store) -> None:
    with store.transaction() as session:
        attempt = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        attempt_id, right, wrong = attempt.id, right_answers(attempt), wrong_answers(attempt)
    with store.transaction() as session:
        exams.submit_attempt(session, attempt_id, wrong, at(minutes=5))
        # The second submission starts while the first is not committed yet.
        thread, outcome = _in_another_transaction(
            store, lambda s: exams.submit_attempt(s, attempt_id, right, at(minutes=6)).passed
        )
        time.sleep(0.5)
    thread.join(30)
    assert isinstance(outcome.get("error"), CourseRefused), outcome
    assert "submitted already" in str(outcome["error"])
    with store.reading() as session:
        row = session.get(CourseAttemptRow, attempt_id)
        assert (row.passed, row.submitted_at) == (False, at(minutes=5))


def test_two_starts_at_once_give_back_one_attempt(store) -> None:
    with store.transaction() as session:
        first = exams.start_attempt(session, ST1, COURSE, "test", at(), random.Random(1))
        first_id = first.id
        # A second start (enrolling too) while the first is not committed yet.
        thread, outcome = _in_another_transaction(
            store,
            lambda s: exams.start_attempt(s, ST1, COURSE, "test", at(minutes=1)).id,
        )
        time.sleep(0.5)
    thread.join(30)
    assert outcome == {"result": first_id}
    with store.reading() as session:
        assert [a.id for a in session.scalars(select(CourseAttemptRow))] == [first_id]
