"""Taking a rule course: enrol, start an exam attempt, submit it, rate the course.

The server keeps what each attempt asked: the questions drawn at random from the
course's bank and the order each question's choices were shown in, labelled A, B, C ...
An answer names a label, and is read against that attempt's order: an answer sheet
replayed from another attempt names other choices, and other questions.

Attempts are limited: at most ``attempts_per_day`` started in any 24 hours, and none
within ``cooldown_minutes`` of a failed one (an attempt left unsubmitted failed when
its time was up). An attempt submitted after its time limit
fails. A pass releases the sanctions of the same holder that wait for this course and
started no later than the pass (``CourseHoldRow``); the marketplace is told by an
outbox command. The API and the console call these functions, nothing else.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.merchant.courses import Catalogue, Course, default_courses
from trustfair.pipeline.outbox import enqueue
from trustfair.store.models import (
    CourseAttemptRow,
    CourseEnrolmentRow,
    CourseHoldRow,
    SanctionRow,
)

LABELS = string.ascii_uppercase
TAKERS = ("merchant", "streamer")
"""Who takes courses: the accounts sanctions fall on."""
DAY = timedelta(hours=24)


class CourseNotFound(LookupError):
    """No such course, enrolment or attempt (or not the caller's)."""


class CourseRefused(ValueError):
    """A step the course's rules do not allow now: the message says why."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class AnswerRefused(CourseRefused):
    """Answers that do not fit the attempt: a question it did not ask, a label not shown."""


@dataclass(frozen=True)
class ShownQuestion:
    id: str
    text: str
    choices: list[tuple[str, str]]
    """(label, text) in the order shown."""


@dataclass(frozen=True)
class AttemptResult:
    attempt: CourseAttemptRow
    correct: int
    asked: int
    passed: bool
    late: bool
    released: list[int]
    """Sanctions this pass released from waiting."""


def course_of(course_id: str, catalogue: Catalogue | None = None) -> Course:
    course = (catalogue or default_courses()).get(course_id)
    if course is None:
        raise CourseNotFound(f"no course {course_id!r}")
    return course


def enrolment_of(session: Session, entity: EntityRef, course_id: str) -> CourseEnrolmentRow | None:
    return session.scalars(
        select(CourseEnrolmentRow).where(
            CourseEnrolmentRow.course_id == course_id,
            CourseEnrolmentRow.entity_type == entity.type,
            CourseEnrolmentRow.entity_id == entity.id,
        )
    ).one_or_none()


def enrol(
    session: Session, entity: EntityRef, course_id: str, actor: str, at: datetime
) -> CourseEnrolmentRow:
    """``entity``'s enrolment in the course, made now if it has none (idempotent)."""
    course_of(course_id)
    if entity.type not in TAKERS:
        raise CourseRefused(f"courses are taken by merchants and streamers, not {entity.type}")
    found = enrolment_of(session, entity, course_id)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            return _new_enrolment(session, entity, course_id, actor, at)
    except IntegrityError:
        # Enrolled at the same moment by another request (the unique index): theirs.
        found = enrolment_of(session, entity, course_id)
        assert found is not None
        return found


def _new_enrolment(
    session: Session, entity: EntityRef, course_id: str, actor: str, at: datetime
) -> CourseEnrolmentRow:
    row = CourseEnrolmentRow(
        course_id=course_id,
        entity_type=entity.type,
        entity_id=entity.id,
        enrolled_at=at,
        enrolled_by=actor,
        comment="",
    )
    session.add(row)
    session.flush()
    return row


def attempts_of(session: Session, enrolment_id: int) -> list[CourseAttemptRow]:
    return list(
        session.scalars(
            select(CourseAttemptRow)
            .where(CourseAttemptRow.enrolment_id == enrolment_id)
            .order_by(CourseAttemptRow.number)
        )
    )


def next_attempt_at(course: Course, attempts: list[CourseAttemptRow], at: datetime) -> datetime:
    """When the next attempt may start (``at`` if now): after the cool-down of a failed
    last attempt, and once fewer than the day's allowance started in the 24 hours before.
    An attempt abandoned (never submitted, its time up) failed when its time was up:
    walking away from a hard attempt does not skip the cool-down."""
    exam = course.exam
    earliest = at
    finished = [(a, ended) for a in attempts if (ended := _ended_at(a, at)) is not None]
    if finished and not finished[-1][0].passed:
        earliest = max(earliest, finished[-1][1] + timedelta(minutes=exam.cooldown_minutes))
    starts = sorted(a.started_at for a in attempts)
    if len(starts) >= exam.attempts_per_day:
        # The day's allowance frees up 24 hours after the oldest of the last N starts.
        earliest = max(earliest, starts[-exam.attempts_per_day] + DAY)
    return earliest


def _ended_at(attempt: CourseAttemptRow, at: datetime) -> datetime | None:
    """When the attempt ended by ``at``: submitted, or its time up unsubmitted (None:
    still open)."""
    if attempt.submitted_at is not None:
        return attempt.submitted_at
    return attempt.due_at if attempt.due_at < at else None


def start_attempt(
    session: Session,
    entity: EntityRef,
    course_id: str,
    actor: str,
    at: datetime,
    rng: random.Random | None = None,
) -> CourseAttemptRow:
    """Start an exam attempt, or give back the one still open (not submitted, in time)."""
    course = course_of(course_id)
    enrolment = enrol(session, entity, course_id, actor, at)
    # One start at a time per enrolment: a second request waits here, then finds the
    # attempt the first one started (and is given it back) instead of drawing another.
    session.scalars(
        select(CourseEnrolmentRow.id).where(CourseEnrolmentRow.id == enrolment.id).with_for_update()
    ).one()
    attempts = attempts_of(session, enrolment.id)
    for attempt in attempts:
        if attempt.submitted_at is None and at <= attempt.due_at:
            return attempt
    allowed_at = next_attempt_at(course, attempts, at)
    if allowed_at > at:
        raise CourseRefused(
            f"the next attempt at {course_id} may start at {allowed_at.isoformat()}", allowed_at
        )
    rng = rng or random.SystemRandom()
    drawn = rng.sample(list(course.exam.bank), course.exam.questions)
    asked = []
    for question in drawn:
        order = [c.id for c in question.choices]
        rng.shuffle(order)
        asked.append({"question": question.id, "choices": order})
    row = CourseAttemptRow(
        enrolment_id=enrolment.id,
        number=len(attempts) + 1,
        started_at=at,
        due_at=at + timedelta(minutes=course.exam.time_limit_minutes),
        asked=asked,
    )
    session.add(row)
    session.flush()
    return row


def shown_questions(course: Course, attempt: CourseAttemptRow, lang: str) -> list[ShownQuestion]:
    """The attempt's questions as they are shown: the choices in its order, labelled."""
    shown = []
    for item in attempt.asked:
        question = course.exam.question(item["question"])
        choices = [
            (LABELS[i], question.choice(choice_id).in_(lang))
            for i, choice_id in enumerate(item["choices"])
        ]
        shown.append(ShownQuestion(question.id, question.text.in_(lang), choices))
    return shown


def attempt_of(
    session: Session, attempt_id: int, *, for_update: bool = False
) -> tuple[CourseAttemptRow, CourseEnrolmentRow]:
    """The attempt and its enrolment; ``for_update``: the attempt locked as it is now
    (a concurrent submission waits, then finds it submitted)."""
    attempt = session.get(
        CourseAttemptRow, attempt_id, with_for_update=for_update, populate_existing=for_update
    )
    if attempt is None:
        raise CourseNotFound(f"no exam attempt {attempt_id}")
    enrolment = session.get(CourseEnrolmentRow, attempt.enrolment_id)
    assert enrolment is not None
    return attempt, enrolment


def submit_attempt(
    session: Session, attempt_id: int, answers: dict[str, str], at: datetime
) -> AttemptResult:
    """Score ``answers`` (question id → the label shown) against what the attempt asked.

    A question left out counts as wrong; a question the attempt did not ask, or a label
    it did not show, is refused (nothing is recorded). Late: scored, and failed."""
    attempt, enrolment = attempt_of(session, attempt_id, for_update=True)
    if attempt.submitted_at is not None:
        raise CourseRefused(f"attempt {attempt_id} was submitted already")
    course = course_of(enrolment.course_id)
    asked = {item["question"]: item["choices"] for item in attempt.asked}
    for question_id, label in answers.items():
        if question_id not in asked:
            raise AnswerRefused(f"attempt {attempt_id} did not ask question {question_id!r}")
        shown = LABELS[: len(asked[question_id])]
        if not isinstance(label, str) or label not in shown:
            raise AnswerRefused(
                f"question {question_id}: {label!r} is not one of the choices shown ({shown})"
            )
    correct = 0
    for question_id, order in asked.items():
        label = answers.get(question_id)
        chosen = order[LABELS.index(label)] if label is not None else None
        if chosen == course.exam.question(question_id).answer:
            correct += 1
    late = at > attempt.due_at
    passed = not late and course.exam.passes(correct, len(asked))
    attempt.submitted_at, attempt.correct, attempt.passed = at, correct, passed
    attempt.answers = {"given": dict(answers), "late": late}
    released: list[int] = []
    if passed:
        if enrolment.passed_at is None:
            enrolment.passed_at = at
        entity = EntityRef(enrolment.entity_type, enrolment.entity_id)
        released = release_holds(session, entity, enrolment.course_id, attempt, at)
    session.flush()
    return AttemptResult(attempt, correct, len(asked), passed, late, released)


def release_holds(
    session: Session, entity: EntityRef, course_id: str, attempt: CourseAttemptRow, at: datetime
) -> list[int]:
    """Release ``entity``'s sanctions that wait for ``course_id`` and started by ``at``;
    each lifts at the later of its own end and ``at``. The ids released."""
    rows = session.execute(
        select(CourseHoldRow, SanctionRow)
        .join(SanctionRow, SanctionRow.id == CourseHoldRow.sanction_id)
        .where(
            CourseHoldRow.entity_type == entity.type,
            CourseHoldRow.entity_id == entity.id,
            CourseHoldRow.course_id == course_id,
            CourseHoldRow.released_at.is_(None),
            SanctionRow.starts_at <= at,
        )
        .order_by(CourseHoldRow.sanction_id)
    ).all()
    released = []
    for hold, sanction in rows:
        hold.released_at, hold.released_by_attempt_id = at, attempt.id
        lifts_at = max(sanction.ends_at, at) if sanction.ends_at is not None else None
        enqueue(
            session,
            "sanction.course_passed",
            f"sanction.course_passed:{sanction.id}",
            {
                "command": "sanction.course_passed",
                "sanction_id": sanction.id,
                "entity_type": sanction.entity_type,
                "entity_id": sanction.entity_id,
                "kind": sanction.kind,
                "course_id": course_id,
                "passed_at": at.isoformat(),
                "ends_at": lifts_at.isoformat() if lifts_at else None,
            },
            sanction.decision_id,
        )
        released.append(sanction.id)
    return released


def passed_since(
    session: Session, entity: EntityRef, course_id: str, since: datetime
) -> CourseAttemptRow | None:
    """``entity``'s first passed attempt at ``course_id`` submitted at or after ``since``."""
    return session.scalars(
        select(CourseAttemptRow)
        .join(CourseEnrolmentRow, CourseEnrolmentRow.id == CourseAttemptRow.enrolment_id)
        .where(
            CourseEnrolmentRow.course_id == course_id,
            CourseEnrolmentRow.entity_type == entity.type,
            CourseEnrolmentRow.entity_id == entity.id,
            CourseAttemptRow.passed.is_(True),
            CourseAttemptRow.submitted_at >= since,
        )
        .order_by(CourseAttemptRow.submitted_at, CourseAttemptRow.id)
        .limit(1)
    ).one_or_none()


def rate_course(
    session: Session,
    entity: EntityRef,
    course_id: str,
    rating: int,
    comment: str,
    at: datetime,
) -> CourseEnrolmentRow:
    """Record ``entity``'s satisfaction with a course it finished (an attempt submitted);
    a later rating replaces the earlier one."""
    course_of(course_id)
    if not 1 <= rating <= 5:
        raise CourseRefused(f"a rating is 1 to 5, not {rating}")
    enrolment = enrolment_of(session, entity, course_id)
    finished = (
        enrolment is not None
        and session.scalar(
            select(func.count())
            .select_from(CourseAttemptRow)
            .where(
                CourseAttemptRow.enrolment_id == enrolment.id,
                CourseAttemptRow.submitted_at.is_not(None),
            )
        )
        > 0
    )
    if not finished or enrolment is None:
        raise CourseRefused(f"rate {course_id} after finishing its exam")
    enrolment.rating, enrolment.comment, enrolment.rated_at = rating, comment.strip(), at
    session.flush()
    return enrolment


def waiting_sanctions(session: Session, entity: EntityRef) -> list[dict[str, Any]]:
    """``entity``'s sanctions that wait for a course not yet passed, with the course."""
    rows = session.execute(
        select(CourseHoldRow, SanctionRow)
        .join(SanctionRow, SanctionRow.id == CourseHoldRow.sanction_id)
        .where(
            CourseHoldRow.entity_type == entity.type,
            CourseHoldRow.entity_id == entity.id,
            CourseHoldRow.released_at.is_(None),
            SanctionRow.state == "active",
        )
        .order_by(SanctionRow.id)
    ).all()
    return [
        {
            "sanction_id": sanction.id,
            "kind": sanction.kind,
            "course_id": hold.course_id,
            "starts_at": sanction.starts_at,
            "ends_at": sanction.ends_at,
        }
        for hold, sanction in rows
    ]
