"""The rule courses in the console: the course list (a merchant's progress and the
sanctions waiting for a course; staff's figures and the latest enrolments), a course's
lessons with the form to start its exam, the exam form, and the result with the rating
form.

Every step calls the use cases the API calls (``merchant.exams``). A merchant acts for
the accounts it owns only: another account's attempt answers 404, like one that does
not exist. Times are the console's clock.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from trustfair.access.roles import Permission
from trustfair.api.schemas import RecordId
from trustfair.console.routes import MAX_NOTE, Now
from trustfair.console.web import PREFIX, Problem, Viewer, redirect, render, store_of, viewer_with
from trustfair.events.payload import EntityRef
from trustfair.merchant import exams
from trustfair.merchant.courses import Course, default_courses
from trustfair.merchant.exams import CourseNotFound, CourseRefused
from trustfair.merchant.progress import takers_of, visible_enrolments
from trustfair.report.courses import course_figures

P = Permission
router = APIRouter(prefix=PREFIX, include_in_schema=False)

CourseId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.:-]*$")]


def _course_or_404(viewer: Viewer, course_id: str) -> Course:
    course = default_courses().get(course_id)
    if course is None:
        raise Problem(404, "404", viewer.locale)
    return course


def _account_or_404(viewer: Viewer, account: str) -> EntityRef:
    kind, _, ident = account.partition(":")
    entity = EntityRef(kind, ident)
    if kind not in exams.TAKERS or not ident or not viewer.principal.may_see(entity):
        raise Problem(404, "404", viewer.locale)
    return entity


@router.get("/courses")
def course_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_READ))],
    now: Now,
) -> HTMLResponse:
    principal = viewer.principal
    accounts = takers_of(principal)
    with store_of(request).reading() as session:
        mine = [
            {
                "entity": entity,
                "enrolments": visible_enrolments(session, principal, now, entity),
                "waiting": exams.waiting_sanctions(session, entity),
            }
            for entity in accounts
        ]
        staff: dict[str, Any] | None = None
        if principal.sees_everything:
            staff = {
                "figures": course_figures(session, now),
                "enrolments": visible_enrolments(session, principal, now, limit=50),
            }
        return render(
            request,
            "courses.html",
            viewer,
            courses=default_courses().courses,
            mine=mine,
            staff=staff,
        )


def _course_page(
    request: Request,
    viewer: Viewer,
    course: Course,
    now: Any,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    with store_of(request).reading() as session:
        accounts = [
            {
                "entity": entity,
                "enrolment": next(
                    iter(visible_enrolments(session, viewer.principal, now, entity, course.id)),
                    None,
                ),
            }
            for entity in takers_of(viewer.principal)
        ]
    return render(
        request,
        "course.html",
        viewer,
        status=status,
        course=course,
        accounts=accounts,
        error=error,
    )


@router.get("/courses/{course_id}")
def course_page(
    request: Request,
    course_id: CourseId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_READ))],
    now: Now,
) -> HTMLResponse:
    return _course_page(request, viewer, _course_or_404(viewer, course_id), now)


@router.post("/courses/{course_id}/attempts")
def start_attempt(
    request: Request,
    course_id: CourseId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_TAKE))],
    now: Now,
    account: Annotated[str, Form(max_length=170)] = "",
) -> Response:
    course = _course_or_404(viewer, course_id)
    entity = _account_or_404(viewer, account)
    try:
        with store_of(request).transaction() as session:
            attempt = exams.start_attempt(session, entity, course_id, viewer.principal.actor, now)
            attempt_id = attempt.id
    except CourseRefused as exc:
        return _course_page(request, viewer, course, now, status=409, error=str(exc))
    return redirect(f"{PREFIX}/course-attempts/{attempt_id}")


def _attempt_page(
    request: Request,
    viewer: Viewer,
    attempt_id: int,
    now: Any,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    with store_of(request).reading() as session:
        try:
            attempt, enrolment = exams.attempt_of(session, attempt_id)
        except CourseNotFound:
            raise Problem(404, "404", viewer.locale) from None
        owner = EntityRef(enrolment.entity_type, enrolment.entity_id)
        if not viewer.principal.may_see(owner):
            raise Problem(404, "404", viewer.locale)
        course = _course_or_404(viewer, enrolment.course_id)
        shown = exams.shown_questions(course, attempt, viewer.locale)
        given = (attempt.answers or {}).get("given", {})
        return render(
            request,
            "course_attempt.html",
            viewer,
            status=status,
            course=course,
            attempt=attempt,
            enrolment=enrolment,
            owner=owner,
            questions=shown,
            given=given,
            open=attempt.submitted_at is None and now <= attempt.due_at,
            may_take=viewer.can(P.COURSES_TAKE),
            error=error,
        )


@router.get("/course-attempts/{attempt_id}")
def attempt_page(
    request: Request,
    attempt_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_READ))],
    now: Now,
) -> HTMLResponse:
    return _attempt_page(request, viewer, attempt_id, now)


@router.post("/course-attempts/{attempt_id}")
async def submit_attempt(
    request: Request,
    attempt_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_TAKE))],
    now: Now,
) -> Response:
    form = await request.form()
    # Each question's answer is sent as q:<question id> = the label picked.
    answers = {
        str(key)[2:]: str(value)
        for key, value in form.multi_items()
        if str(key).startswith("q:") and len(str(key)) <= 40 and len(str(value)) <= 2
    }

    def submit() -> str | None:
        with store_of(request).transaction() as session:
            try:
                _, enrolment = exams.attempt_of(session, attempt_id)
            except CourseNotFound:
                raise Problem(404, "404", viewer.locale) from None
            owner = EntityRef(enrolment.entity_type, enrolment.entity_id)
            if not viewer.principal.may_see(owner):
                raise Problem(404, "404", viewer.locale)
            try:
                exams.submit_attempt(session, attempt_id, answers, now)
            except CourseRefused as exc:
                return str(exc)
        return None

    from starlette.concurrency import run_in_threadpool

    error = await run_in_threadpool(submit)
    if error is not None:
        return await run_in_threadpool(_attempt_page, request, viewer, attempt_id, now, 409, error)
    return redirect(f"{PREFIX}/course-attempts/{attempt_id}")


@router.post("/courses/{course_id}/rating")
def rate_course(
    request: Request,
    course_id: CourseId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COURSES_TAKE))],
    now: Now,
    account: Annotated[str, Form(max_length=170)] = "",
    rating: Annotated[int, Form(ge=1, le=5)] = 5,
    comment: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    course = _course_or_404(viewer, course_id)
    entity = _account_or_404(viewer, account)
    try:
        with store_of(request).transaction() as session:
            exams.rate_course(session, entity, course_id, rating, comment, now)
    except CourseRefused as exc:
        return _course_page(request, viewer, course, now, status=409, error=str(exc))
    return redirect(f"{PREFIX}/courses/{course_id}?rated=1")
