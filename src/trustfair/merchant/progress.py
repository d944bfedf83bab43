"""What is shown of a party's courses: its enrolments, their attempts (never the right
answers), and the sanctions that wait for a course. Read by the API and the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.events.payload import EntityRef
from trustfair.merchant.courses import default_courses
from trustfair.merchant.exams import TAKERS, attempts_of, next_attempt_at
from trustfair.store.models import CourseAttemptRow, CourseEnrolmentRow


def attempt_record(attempt: CourseAttemptRow) -> dict[str, Any]:
    return {
        "attempt_id": attempt.id,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "due_at": attempt.due_at,
        "submitted_at": attempt.submitted_at,
        "correct": attempt.correct,
        "asked": len(attempt.asked),
        "passed": attempt.passed,
        "late": bool((attempt.answers or {}).get("late")),
    }


def enrolment_record(session: Session, row: CourseEnrolmentRow, now: datetime) -> dict[str, Any]:
    attempts = attempts_of(session, row.id)
    course = default_courses().get(row.course_id)
    return {
        "enrolment_id": row.id,
        "course_id": row.course_id,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "enrolled_at": row.enrolled_at,
        "passed_at": row.passed_at,
        "rating": row.rating,
        "comment": row.comment,
        "attempts": [attempt_record(a) for a in attempts],
        "next_attempt_at": next_attempt_at(course, attempts, now) if course else None,
    }


def visible_enrolments(
    session: Session,
    principal: Principal,
    now: datetime,
    entity: EntityRef | None = None,
    course_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Enrolments ``principal`` may see: a party its own accounts', staff everyone's."""
    query = select(CourseEnrolmentRow)
    if entity is not None:
        query = query.where(
            CourseEnrolmentRow.entity_type == entity.type,
            CourseEnrolmentRow.entity_id == entity.id,
        )
    if course_id is not None:
        query = query.where(CourseEnrolmentRow.course_id == course_id)
    if not principal.sees_everything:
        own = [(p.type, p.id) for p in principal.owns if p.type in TAKERS]
        if not own:
            return []
        query = query.where(
            or_(tuple_(CourseEnrolmentRow.entity_type, CourseEnrolmentRow.entity_id).in_(own))
        )
    rows = session.scalars(
        query.order_by(CourseEnrolmentRow.id.desc()).limit(limit).offset(offset)
    ).all()
    return [enrolment_record(session, row, now) for row in rows]


def takers_of(principal: Principal) -> list[EntityRef]:
    """The accounts ``principal`` takes courses for: a party's own merchants and streamers."""
    return sorted(p for p in principal.owns if p.type in TAKERS)
