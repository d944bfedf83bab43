"""/v1/courses as a merchant takes an exam: scored by the server, for its own accounts only."""

from __future__ import annotations

from tests.api.conftest import Api, key_named
from trustfair.access.roles import Role
from trustfair.merchant.courses import default_courses
from trustfair.merchant.exams import LABELS
from trustfair.store.models import CourseAttemptRow

COURSE = "medical-claims"


def right_labels(api: Api, attempt_id: int) -> dict[str, str]:
    exam = default_courses().get(COURSE).exam  # type: ignore[union-attr]
    with api.store.reading() as session:
        asked = session.get(CourseAttemptRow, attempt_id).asked
    return {
        item["question"]: LABELS[item["choices"].index(exam.question(item["question"]).answer)]
        for item in asked
    }


def test_a_merchant_takes_an_exam_for_its_own_account_and_rates_the_course(api: Api) -> None:
    mine = key_named(api.store, "m2-owner", Role.MERCHANT, owns=["merchant:m2"])
    started = api.client.post(
        f"/v1/courses/{COURSE}/attempts?lang=zh",
        json={"entity_type": "merchant", "entity_id": "m2"},
        headers=mine,
    )
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert [c["label"] for c in attempt["questions"][0]["choices"]] == ["A", "B", "C"]
    answers = right_labels(api, attempt["attempt_id"])
    scored = api.client.post(
        f"/v1/course-attempts/{attempt['attempt_id']}/answers",
        json={"answers": answers},
        headers=mine,
    )
    assert scored.json() | {"released_sanctions": None} == {
        "attempt_id": attempt["attempt_id"],
        "correct": 4,
        "asked": 4,
        "passed": True,
        "late": False,
        "released_sanctions": None,
    }
    again = api.client.post(
        f"/v1/course-attempts/{attempt['attempt_id']}/answers",
        json={"answers": answers},
        headers=mine,
    )
    assert again.status_code == 409
    rated = api.client.post(
        f"/v1/courses/{COURSE}/rating",
        json={"entity_type": "merchant", "entity_id": "m2", "rating": 5, "comment": "有用"},
        headers=mine,
    )
    assert rated.json() == {"course_id": COURSE, "rating": 5, "comment": "有用"}
    listed = api.client.get("/v1/course-enrolments", headers=mine).json()
    assert [(e["entity_id"], e["passed_at"] is not None, e["rating"]) for e in listed] == [
        ("m2", True, 5)
    ]


def test_a_merchant_cannot_act_for_or_see_another_account(api: Api) -> None:
    m1 = api.as_(Role.MERCHANT)  # owns m1 only
    other = api.client.post(
        f"/v1/courses/{COURSE}/attempts",
        json={"entity_type": "merchant", "entity_id": "m2"},
        headers=m1,
    )
    assert other.status_code == 404
    m2 = key_named(api.store, "m2-owner", Role.MERCHANT, owns=["merchant:m2"])
    theirs = api.client.post(
        f"/v1/courses/{COURSE}/attempts",
        json={"entity_type": "merchant", "entity_id": "m2"},
        headers=m2,
    ).json()["attempt_id"]
    answered = api.client.post(
        f"/v1/course-attempts/{theirs}/answers", json={"answers": {}}, headers=m1
    )
    assert answered.status_code == 404
    assert (
        api.client.get(
            "/v1/course-enrolments?entity_type=merchant&entity_id=m2", headers=m1
        ).status_code
        == 404
    )
    seen = api.client.get("/v1/course-enrolments", headers=m1).json()
    assert {e["entity_id"] for e in seen} == {"m1"}  # the world's attempt of m1's
    staff = api.client.get("/v1/course-enrolments", headers=api.as_(Role.AUDITOR)).json()
    assert {e["entity_id"] for e in staff} == {"m1", "m2"}


def test_a_label_not_shown_is_refused_and_nothing_is_recorded(api: Api) -> None:
    m1 = api.as_(Role.MERCHANT)
    started = api.client.post(
        f"/v1/courses/{COURSE}/attempts",
        json={"entity_type": "merchant", "entity_id": "m1"},
        headers=m1,
    ).json()
    question = started["questions"][0]["id"]
    bad = api.client.post(
        f"/v1/course-attempts/{started['attempt_id']}/answers",
        json={"answers": {question: "Z"}},
        headers=m1,
    )
    assert bad.status_code == 422
    assert "'Z' is not one of the choices shown" in bad.json()["detail"]
    with api.store.reading() as session:
        assert session.get(CourseAttemptRow, started["attempt_id"]).submitted_at is None
