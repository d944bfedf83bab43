"""The trust report's rule-course section: who enrolled, who passed and in how many
attempts, how satisfied they were, and the sanctions that waited for an exam — read
from ``course_enrolments``, ``course_attempts`` and ``course_holds``
(``trustfair export courses`` gives them attempt by attempt).

"Waiting" is judged at the end of the report's period (the last event), as the
enforcement section judges what is in force: a sanction held past its term by a course
not passed by then is counted as held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import (
    CourseAttemptRow,
    CourseEnrolmentRow,
    CourseHoldRow,
    SanctionRow,
)


def course_figures(session: Session, at: datetime) -> dict[str, Any]:
    """The counts behind the section, also shown on the console's staff view."""
    enrolments = session.execute(
        select(
            CourseEnrolmentRow.id,
            CourseEnrolmentRow.course_id,
            CourseEnrolmentRow.passed_at,
            CourseEnrolmentRow.rating,
        )
    ).all()
    attempts = session.execute(
        select(
            CourseAttemptRow.enrolment_id,
            CourseAttemptRow.number,
            CourseAttemptRow.submitted_at,
            CourseAttemptRow.passed,
        )
    ).all()
    submitted = [a for a in attempts if a.submitted_at is not None]
    passed = [a for a in submitted if a.passed]
    # Attempts it took to pass: the number of each enrolment's first passing attempt.
    first_pass: dict[int, int] = {}
    for a in passed:
        first_pass[a.enrolment_id] = min(first_pass.get(a.enrolment_id, a.number), a.number)
    ratings = [e.rating for e in enrolments if e.rating is not None]
    holds = session.execute(
        select(CourseHoldRow.released_at, SanctionRow.ends_at, SanctionRow.state).join(
            SanctionRow, SanctionRow.id == CourseHoldRow.sanction_id
        )
    ).all()
    unreleased = [h for h in holds if h.released_at is None or h.released_at > at]
    active = [h for h in unreleased if h.state == "active"]
    by_course: dict[str, dict[str, Any]] = {}
    for e in enrolments:
        row = by_course.setdefault(e.course_id, {"enrolled": 0, "passed": 0, "ratings": []})
        row["enrolled"] += 1
        row["passed"] += e.passed_at is not None
        if e.rating is not None:
            row["ratings"].append(e.rating)
    return {
        "enrolments": len(enrolments),
        "completions": sum(e.passed_at is not None for e in enrolments),
        "attempts_submitted": len(submitted),
        "attempts_passed": len(passed),
        "pass_rate": round(len(passed) / len(submitted), 4) if submitted else None,
        "attempts_per_completion": (
            round(sum(first_pass.values()) / len(first_pass), 2) if first_pass else None
        ),
        "ratings": len(ratings),
        "mean_satisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "sanctions_waiting_for_a_course": len(holds),
        "waiting_at_end": len(active),
        "held_past_term_at_end": sum(
            1 for h in active if h.ends_at is not None and h.ends_at <= at
        ),
        "lifted_by_an_exam": sum(
            1
            for h in holds
            if h.released_at is not None
            and h.released_at <= at
            and h.ends_at is not None
            and h.released_at > h.ends_at
        ),
        "by_course": {
            course: {
                "enrolled": row["enrolled"],
                "passed": row["passed"],
                "mean_satisfaction": (
                    round(sum(row["ratings"]) / len(row["ratings"]), 2) if row["ratings"] else None
                ),
            }
            for course, row in sorted(by_course.items())
        },
    }


def courses_section(session: Session, at: datetime) -> Section:
    f = course_figures(session, at)
    section = Section("courses", "Rule courses")
    section.figures = [
        Figure(
            "course_enrolments", "Enrolments in rule courses", f["enrolments"], "course_enrolments"
        ),
        Figure(
            "course_completions",
            "Enrolments whose exam was passed",
            f["completions"],
            "course_enrolments with passed_at",
        ),
        Figure(
            "course_pass_rate",
            "Exam attempts passed, of those submitted",
            f["pass_rate"],
            "course_attempts: passed / submitted",
            unit="share",
        ),
        Figure(
            "course_attempts_per_completion",
            "Attempts it took to pass (mean)",
            f["attempts_per_completion"],
            "course_attempts: number of each enrolment's first passed attempt, averaged",
        ),
        Figure(
            "course_mean_satisfaction",
            "Satisfaction with the courses (1-5, mean)",
            f["mean_satisfaction"],
            f"course_enrolments.rating, {f['ratings']} ratings",
        ),
        Figure(
            "sanctions_waiting_for_a_course",
            "Sanctions issued that wait for a passed exam",
            f["sanctions_waiting_for_a_course"],
            "course_holds",
        ),
        Figure(
            "sanctions_held_past_term",
            "Sanctions kept in force past their term by an exam not passed (at the end)",
            f["held_past_term_at_end"],
            "course_holds not released by the last event, sanction active and ends_at before it",
        ),
        Figure(
            "sanctions_lifted_by_an_exam",
            "Sanctions lifted by an exam passed after their term",
            f["lifted_by_an_exam"],
            "course_holds released after the sanction's ends_at",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "course_completions_by_course",
            "Enrolments passed, by course",
            {course: row["passed"] for course, row in f["by_course"].items()},
            "course_enrolments with passed_at, grouped by course_id",
        ),
        Breakdown(
            "course_enrolments_by_course",
            "Enrolments, by course",
            {course: row["enrolled"] for course, row in f["by_course"].items()},
            "course_enrolments, grouped by course_id",
        ),
    ]
    return section
