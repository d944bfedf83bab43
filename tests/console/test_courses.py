"""The rule courses in the console: a merchant whose suspension waits for a course
reads it, takes the exam through the form, and the suspension is gone from its page."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.console.conftest import NOW, add
from trustfair.enforce.sanctions import issue_sanction
from trustfair.events.payload import EntityRef
from trustfair.merchant.courses import default_courses
from trustfair.merchant.exams import LABELS
from trustfair.store.models import CourseAttemptRow

COURSE = "medical-claims"


def suspend_m1_waiting_for_the_course(store) -> int:  # type: ignore[no-untyped-def]
    """A 7-day suspension of m1's, issued 10 days ago, that waits for the course."""
    with store.transaction() as session:
        row = issue_sanction(
            session,
            EntityRef("merchant", "m1"),
            "live_suspension",
            7,
            "test:course",
            NOW - timedelta(days=10),
            decision_id=None,
            policy_version="test",
            statement={},
            requires_course=COURSE,
        )
        assert row is not None
        return row.id


def test_a_merchant_passes_the_course_its_suspension_waits_for(store, sign_in) -> None:  # type: ignore[no-untyped-def]
    sanction = suspend_m1_waiting_for_the_course(store)
    add(store, "shop", "merchant", ["merchant:m1"], locale="zh")
    browser = sign_in("shop")
    mine = browser.get("/console/mine").text
    assert f'data-sanction="{sanction}"' in mine and f"/console/courses/{COURSE}" in mine
    listed = browser.get("/console/courses").text
    assert "须通过以下课程后解除" in listed and "医疗功效宣传" in listed
    lessons = browser.get(f"/console/courses/{COURSE}").text
    assert "只有药品能宣传治疗" in lessons
    started = browser.post(f"/console/courses/{COURSE}/attempts", {"account": "merchant:m1"})
    assert started.status_code == 303
    attempt_url = started.headers["location"]
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    exam = browser.get(attempt_url).text
    asked = re.findall(r'name="q:([^"]+)" value="A"', exam)
    bank = default_courses().get(COURSE).exam  # type: ignore[union-attr]
    with store.reading() as session:
        order = {
            i["question"]: i["choices"] for i in session.get(CourseAttemptRow, attempt_id).asked
        }
    assert sorted(asked) == sorted(order)
    answers = {f"q:{q}": LABELS[order[q].index(bank.question(q).answer)] for q in asked}
    submitted = browser.post(attempt_url, answers)
    assert submitted.status_code == 303
    result = browser.get(attempt_url).text
    assert "通过：4题答对4题" in result
    assert f'data-sanction="{sanction}"' not in browser.get("/console/mine").text
    rated = browser.post(
        f"/console/courses/{COURSE}/rating",
        {"account": "merchant:m1", "rating": "5", "comment": "实用"},
    )
    assert rated.status_code == 303


def test_staff_see_the_figures_and_a_merchant_not_another_accounts_attempt(  # type: ignore[no-untyped-def]
    store, sign_in
) -> None:
    suspend_m1_waiting_for_the_course(store)
    add(store, "shop", "merchant", ["merchant:m1"])
    add(store, "other", "merchant", ["merchant:m2"])
    started = sign_in("shop").post(
        f"/console/courses/{COURSE}/attempts", {"account": "merchant:m1"}
    )
    attempt_url = started.headers["location"]
    other = sign_in("other")
    assert other.get(attempt_url).status_code == 404
    assert other.post(attempt_url, {}).status_code == 404
    assert (
        other.post(f"/console/courses/{COURSE}/attempts", {"account": "merchant:m1"}).status_code
        == 404
    )
    add(store, "audit", "auditor")
    staff = sign_in("audit").get("/console/courses").text
    assert 'id="course-figures"' in staff
    held = re.search(r"Held past their term now</th><td class=\"num\">(\d+)<", staff)
    assert held and held[1] == "1"
