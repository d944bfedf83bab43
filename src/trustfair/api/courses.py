"""/v1/courses: the rule courses, their exams, and the enrolments of merchants and streamers.

A party (a merchant key or user) acts only for the accounts it owns: another account's
enrolment or attempt answers 404, like one that does not exist. Staff read every
enrolment. An exam attempt's questions come with their choices in the order drawn for
it, labelled A, B, C ...; the answers name those labels and are scored by the server
against what it asked. Times are the server's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.schemas import Limit, Offset, RecordId, Text, errors
from trustfair.events.payload import EntityRef
from trustfair.merchant import exams
from trustfair.merchant.courses import Course, default_courses
from trustfair.merchant.exams import CourseNotFound, CourseRefused
from trustfair.merchant.progress import visible_enrolments
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["courses"])

CourseId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.:-]*$")]
Lang = Annotated[Literal["en", "zh"], Query(description="The language of the texts.")]


class Taker(BaseModel):
    entity_type: Literal["merchant", "streamer"]
    entity_id: Text = Field(min_length=1, max_length=128)

    @property
    def ref(self) -> EntityRef:
        return EntityRef(self.entity_type, self.entity_id)


class ExamTerms(BaseModel):
    questions: int
    pass_percent: int
    attempts_per_day: int
    cooldown_minutes: int
    time_limit_minutes: int


class LessonOut(BaseModel):
    id: str
    title: str
    body: str | None = None


class CourseOut(BaseModel):
    id: str
    title: str
    lessons: list[LessonOut]
    exam: ExamTerms


def _course_out(course: Course, lang: str, with_bodies: bool) -> CourseOut:
    exam = course.exam
    return CourseOut(
        id=course.id,
        title=course.title.in_(lang),
        lessons=[
            LessonOut(
                id=lesson.id,
                title=lesson.title.in_(lang),
                body=lesson.body.in_(lang) if with_bodies else None,
            )
            for lesson in course.lessons
        ],
        exam=ExamTerms(**exam.model_dump(exclude={"bank"})),
    )


def _course(course_id: str) -> Course:
    course = default_courses().get(course_id)
    if course is None:
        raise HTTPException(404, f"no course {course_id}")
    return course


@router.get(
    "/courses",
    response_model=list[CourseOut],
    summary="The rule courses (lessons listed without their text)",
    responses=errors(401, 403),
)
def list_courses(
    principal: Annotated[Principal, Depends(require(Permission.COURSES_READ))],
    lang: Lang = "en",
) -> list[CourseOut]:
    return [_course_out(c, lang, with_bodies=False) for c in default_courses().courses]


@router.get(
    "/courses/{course_id}",
    response_model=CourseOut,
    summary="A rule course with its lessons",
    responses=errors(401, 403, 404),
)
def get_course(
    principal: Annotated[Principal, Depends(require(Permission.COURSES_READ))],
    course_id: CourseId,
    lang: Lang = "en",
) -> CourseOut:
    return _course_out(_course(course_id), lang, with_bodies=True)


class ChoiceOut(BaseModel):
    label: str
    text: str


class QuestionOut(BaseModel):
    id: str
    text: str
    choices: list[ChoiceOut]


class AttemptOut(BaseModel):
    attempt_id: int
    course_id: str
    entity_type: str
    entity_id: str
    number: int
    started_at: datetime
    due_at: datetime
    questions: list[QuestionOut] = Field(description="Choices labelled in this attempt's order.")


def _refused(exc: CourseRefused) -> HTTPException:
    headers = None
    if exc.retry_at is not None:
        wait = max(1, int((exc.retry_at - datetime.now(UTC)).total_seconds()))
        headers = {"Retry-After": str(wait)}
    return HTTPException(409, str(exc), headers=headers)


@router.post(
    "/courses/{course_id}/attempts",
    response_model=AttemptOut,
    status_code=201,
    summary="Start an exam attempt (or get back the one still open)",
    description=(
        "Enrols the account if it is not. 409 while the cool-down after a failed "
        "attempt runs or the day's attempts are used, with Retry-After."
    ),
    responses=errors(401, 403, 404, 409),
)
def start_attempt(
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(require(Permission.COURSES_TAKE))],
    course_id: CourseId,
    body: Taker,
    lang: Lang = "en",
) -> AttemptOut:
    course = _course(course_id)
    ensure_may_see(principal, body.ref, f"no {body.entity_type} {body.entity_id}")
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.transaction() as session:
        try:
            attempt = exams.start_attempt(session, body.ref, course_id, principal.actor, now)
        except CourseRefused as exc:
            raise _refused(exc) from None
        if attempt.started_at < now:
            response.status_code = 200  # the open attempt, given back
        shown = exams.shown_questions(course, attempt, lang)
        return AttemptOut(
            attempt_id=attempt.id,
            course_id=course_id,
            entity_type=body.entity_type,
            entity_id=body.entity_id,
            number=attempt.number,
            started_at=attempt.started_at,
            due_at=attempt.due_at,
            questions=[
                QuestionOut(
                    id=q.id,
                    text=q.text,
                    choices=[ChoiceOut(label=label, text=text) for label, text in q.choices],
                )
                for q in shown
            ],
        )


class AnswersIn(BaseModel):
    answers: dict[
        Annotated[str, Field(max_length=32)], Annotated[str, Field(min_length=1, max_length=1)]
    ] = Field(max_length=100, description="Question id → the label of the choice picked.")


class ResultOut(BaseModel):
    attempt_id: int
    correct: int
    asked: int
    passed: bool
    late: bool
    released_sanctions: list[int] = Field(
        description="Sanctions that waited for this course and now lift (at their end, or now)."
    )


@router.post(
    "/course-attempts/{attempt_id}/answers",
    response_model=ResultOut,
    summary="Submit an exam attempt's answers: scored by the server",
    responses=errors(401, 403, 404, 409, 422),
)
def submit_answers(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COURSES_TAKE))],
    attempt_id: RecordId,
    body: AnswersIn,
) -> ResultOut:
    store: Store = request.app.state.store
    now = datetime.now(UTC)
    with store.transaction() as session:
        try:
            _, enrolment = exams.attempt_of(session, attempt_id)
        except CourseNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        owner = EntityRef(enrolment.entity_type, enrolment.entity_id)
        ensure_may_see(principal, owner, f"no exam attempt {attempt_id}")
        try:
            result = exams.submit_attempt(session, attempt_id, body.answers, now)
        except exams.AnswerRefused as exc:
            raise HTTPException(422, str(exc)) from None
        except CourseRefused as exc:
            raise _refused(exc) from None
        return ResultOut(
            attempt_id=attempt_id,
            correct=result.correct,
            asked=result.asked,
            passed=result.passed,
            late=result.late,
            released_sanctions=result.released,
        )


class RatingIn(Taker):
    rating: int = Field(ge=1, le=5, description="Satisfaction, 1 (poor) to 5 (very good).")
    comment: Text = Field(default="", max_length=2000)


class RatingOut(BaseModel):
    course_id: str
    rating: int
    comment: str


@router.post(
    "/courses/{course_id}/rating",
    response_model=RatingOut,
    summary="Rate a course after finishing its exam (a later rating replaces it)",
    responses=errors(401, 403, 404, 409),
)
def rate(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COURSES_TAKE))],
    course_id: CourseId,
    body: RatingIn,
) -> RatingOut:
    _course(course_id)
    ensure_may_see(principal, body.ref, f"no {body.entity_type} {body.entity_id}")
    store: Store = request.app.state.store
    with store.transaction() as session:
        try:
            row = exams.rate_course(
                session, body.ref, course_id, body.rating, body.comment, datetime.now(UTC)
            )
        except CourseRefused as exc:
            raise HTTPException(409, str(exc)) from None
        return RatingOut(course_id=course_id, rating=row.rating or 0, comment=row.comment)


class AttemptSummary(BaseModel):
    attempt_id: int
    number: int
    started_at: datetime
    due_at: datetime
    submitted_at: datetime | None
    correct: int | None
    asked: int
    passed: bool | None
    late: bool


class EnrolmentOut(BaseModel):
    enrolment_id: int
    course_id: str
    entity_type: str
    entity_id: str
    enrolled_at: datetime
    passed_at: datetime | None
    rating: int | None
    comment: str
    attempts: list[AttemptSummary]
    next_attempt_at: datetime | None


@router.get(
    "/course-enrolments",
    response_model=list[EnrolmentOut],
    summary="Enrolments and exam results (a party: its own accounts')",
    responses=errors(401, 403, 404),
)
def enrolments(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.COURSES_READ))],
    entity_type: Annotated[Literal["merchant", "streamer"] | None, Query()] = None,
    entity_id: Annotated[Text | None, Query(min_length=1, max_length=128)] = None,
    course_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    entity = None
    if (entity_type is None) != (entity_id is None):
        raise HTTPException(422, "give entity_type and entity_id together")
    if entity_type is not None and entity_id is not None:
        entity = EntityRef(entity_type, entity_id)
        ensure_may_see(principal, entity, f"no {entity_type} {entity_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        return visible_enrolments(
            session, principal, datetime.now(UTC), entity, course_id, limit, offset
        )
