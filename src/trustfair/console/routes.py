"""The console's pages. Each calls the use cases (``cases.work``, ``read.entities``,
``enforce.appeals``) directly and renders a template; nothing here decides anything
the use cases do not.

Reviewers and staff see every record; a merchant or brand user sees only what its
parties own (``Principal.may_see``): anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trustfair.access.accounts import AccessRefused, TooManyAttempts, sign_out
from trustfair.access.roles import Permission, Principal, Role, shown_reasons
from trustfair.api.auth import SESSION_COOKIE, cookies_secure
from trustfair.api.idempotency import (
    Answer,
    KeyProblem,
    checked_key,
    fingerprint,
    run_once,
)
from trustfair.api.protection import protection_terms, refusing

# Ids and offsets bounded as the API bounds them: SQLite overflows on 2**64.
from trustfair.api.schemas import MAX_ID, Offset, RecordId
from trustfair.api.session import client_of, open_session, set_session_cookie
from trustfair.cases import work
from trustfair.cases.states import ACTIVE_STATES, CaseState
from trustfair.console.i18n import Translator
from trustfair.console.web import (
    PREFIX,
    STATIC_DIR,
    ConsoleHeaders,
    Problem,
    SignInFirst,
    Viewer,
    console_now,
    current_viewer,
    is_htmx,
    problem_page,
    redirect,
    render,
    safe_next,
    sign_in_first,
    store_of,
    viewer_with,
)
from trustfair.enforce.appeals import APPEAL, AppealRefused, file_appeal
from trustfair.events.payload import EntityRef
from trustfair.pipeline.registry import Registry
from trustfair.protect import claim_states as claims
from trustfair.protect.claims import claim_record, decide_claim
from trustfair.read.claims import claim_postings, visible_claims
from trustfair.read.entities import ACCOUNT_TYPES, live_sessions_at_risk, standing, timeline
from trustfair.store.models import (
    CaseRow,
    ClaimRow,
    DecisionRow,
    SanctionRow,
)

P = Permission
router = APIRouter(prefix=PREFIX, include_in_schema=False)

LOGIN_CSRF_COOKIE = "tf_login_csrf"
"""A sign-in form's token, also set as a cookie: a form posted from another site
cannot sign a browser in to an account of the attacker's choosing."""
PAGE_SIZE = 50
LIVE_REFRESH_SECONDS = 5
ACTIONS_BY_STATE: dict[str, tuple[str, ...]] = {
    CaseState.OPEN: ("assign", "close"),
    CaseState.IN_REVIEW: (work.CONFIRM, work.OVERTURN_CASE, "release"),
    CaseState.DECIDED: ("close",),
    CaseState.APPEALED: ("assign",),
    CaseState.CLOSED: (),
}
MAX_NOTE = 2000

Now = Annotated[datetime, Depends(console_now)]


def mount(app: FastAPI) -> None:
    """Add the console to ``app``: its pages under /console, its static files, the
    handlers of its redirects and problem pages, and its security headers."""
    from trustfair.console.brand_pages import router as brand_router
    from trustfair.console.course_pages import router as course_router
    from trustfair.console.listening_pages import router as listening_router
    from trustfair.console.merchant_pages import router as merchant_router
    from trustfair.console.urge_pages import router as urge_router
    from trustfair.console.voice_pages import router as voice_router

    app.include_router(router)
    app.include_router(brand_router)
    app.include_router(voice_router)
    app.include_router(listening_router)
    app.include_router(course_router)
    app.include_router(urge_router)
    app.include_router(merchant_router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    app.add_exception_handler(SignInFirst, sign_in_first)
    app.add_exception_handler(Problem, problem_page)
    app.add_middleware(ConsoleHeaders)


def landing(principal: Principal) -> str:
    """Staff land on the queues; a brand that acts for no account on its brand page;
    other parties on their own accounts."""
    if principal.sees_everything:
        return f"{PREFIX}/queues"
    owns = {e.type for e in principal.owns}
    if principal.can(P.BRAND_READ) and "brand" in owns and not owns & set(ACCOUNT_TYPES):
        return f"{PREFIX}/brand"
    return f"{PREFIX}/mine"


def _policy(request: Request) -> Any:
    return request.app.state.registry.policy


# -- signing in and out -----------------------------------------------------------------


def _login_page(
    request: Request, next_url: str, status: int = 200, error: str | None = None, **more: Any
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", status=status, form_token=token, next=next_url, error=error, **more
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=cookies_secure(request),
        path=f"{PREFIX}/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None, out: int = 0) -> HTMLResponse:
    return _login_page(request, safe_next(next) or "", signed_out=bool(out))


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    next_url = safe_next(next) or ""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, next_url, 403, "login.expired_form", username=username)
    try:
        signed = await run_in_threadpool(
            open_session, store_of(request), username, password, client_of(request)
        )
    except TooManyAttempts as exc:
        response = _login_page(
            request, next_url, 429, "login.too_many", seconds=exc.retry_after, username=username
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AccessRefused:
        return _login_page(request, next_url, 401, "login.wrong", username=username)
    response = redirect(next_url or landing(signed.principal))
    set_session_cookie(request, response, signed)
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path=f"{PREFIX}/login", secure=cookies_secure(request)
    )
    return response


@router.post("/logout")
async def logout(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]) -> Response:
    session_id = viewer.principal.session_id
    if session_id is not None:
        store = store_of(request)

        def end() -> None:
            with store.transaction() as session:
                sign_out(session, session_id, console_now())

        await run_in_threadpool(end)
    response = redirect(f"{PREFIX}/login?out=1")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=cookies_secure(request))
    return response


@router.get("")
@router.get("/")
async def home(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Response:
    return redirect(landing(viewer.principal))


# -- queues and cases -------------------------------------------------------------------


def _sla(case: CaseRow, now: datetime) -> dict[str, Any]:
    waiting = CaseState(case.state) in ACTIVE_STATES
    return {
        "waiting": waiting,
        "overdue": waiting and case.sla_due_at < now,
        "seconds": abs((case.sla_due_at - now).total_seconds()),
        "due": case.sla_due_at,
    }


@router.get("/queues")
def queues(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CASES_READ))],
    now: Now,
    queue: str | None = None,
    state: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    known_states = [s.value for s in CaseState]
    if state == "any":
        states = None
    elif state in known_states:
        states = [state]
    else:
        state, states = None, [s.value for s in CaseState if s in ACTIVE_STATES]
    offset = max(0, offset)
    principal = viewer.principal
    with store_of(request).reading() as session:
        summaries = work.queue_summaries(session, now) if principal.sees_everything else []
        queue_names = (
            sorted(session.scalars(select(CaseRow.queue).distinct()))
            if principal.sees_everything
            else []
        )
        cases, total = work.list_cases(
            session, principal, queue=queue or None, states=states, limit=PAGE_SIZE, offset=offset
        )
        claims_in_review = (
            session.scalar(
                select(func.count()).select_from(
                    visible_claims(principal).where(ClaimRow.state == claims.IN_REVIEW).subquery()
                )
            )
            if viewer.can(P.CLAIMS_READ)
            else None
        )
        return render(
            request,
            "queues.html",
            viewer,
            claims_in_review=claims_in_review,
            summaries=summaries,
            queue_names=queue_names,
            queue=queue or "",
            state=state or "",
            states=known_states,
            rows=[(case, _sla(case, now)) for case in cases],
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
        )


def _case_context(session: Session, viewer: Viewer, case_id: int, now: datetime) -> dict[str, Any]:
    try:
        detail = work.case_detail(session, case_id, now)
    except work.CaseNotFound:
        raise Problem(404, "404", viewer.locale) from None
    if not viewer.principal.may_see(detail.party):
        raise Problem(404, "404", viewer.locale)
    case = detail.case
    is_appeal = case.kind == APPEAL
    actions: tuple[str, ...] = ()
    if viewer.can(P.CASES_WORK):
        actions = ACTIONS_BY_STATE.get(case.state, ())
        if is_appeal and not viewer.can(P.APPEALS_DECIDE):
            actions = tuple(a for a in actions if a not in work.OUTCOMES)
    return {
        "detail": detail,
        "case": case,
        "is_appeal": is_appeal,
        "sla": _sla(case, now),
        "actions": actions,
        "party_link": detail.party is not None
        and detail.party.type in ACCOUNT_TYPES
        and viewer.can(P.ENTITIES_READ),
        # The party (or customer service) may appeal what a confirmation did to it.
        "may_appeal": viewer.can(P.APPEALS_FILE)
        and not is_appeal
        and case.state == CaseState.DECIDED
        and case.outcome == work.CONFIRM,
        "rules": shown_reasons(
            detail.decision.reasons if detail.decision else [], viewer.principal
        ),
    }


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CASES_READ))],
    now: Now,
) -> HTMLResponse:
    with store_of(request).reading() as session:
        context = _case_context(session, viewer, case_id, now)
        return render(request, "case.html", viewer, **context)


def _take_step(
    session: Session,
    viewer: Viewer,
    case_id: int,
    action: str,
    note: str,
    now: datetime,
    registry: Registry,
) -> None:
    case = session.get(CaseRow, case_id)
    if case is None or not viewer.principal.may_see(work.party_of(session, case)):
        raise Problem(404, "404", viewer.locale)
    actor = viewer.principal.actor
    if action == "assign":
        work.assign(session, case_id, actor, now)
    elif action == "release":
        admin = viewer.principal.role == Role.ADMIN
        work.release(session, case_id, actor, now, may_release_others=admin)
    elif action in work.OUTCOMES:
        if case.kind == APPEAL and not viewer.can(P.APPEALS_DECIDE):
            raise Problem(403, "403", viewer.locale)
        # With the registry, a confirmation runs the rule's on_confirm actions.
        work.decide(session, case_id, actor, action, note, now, registry)
    elif action == "close":
        may_decide = viewer.can(P.APPEALS_DECIDE)
        work.close(session, case_id, actor, note, now, may_decide_appeals=may_decide)
    else:
        raise work.CaseRefused(f"no such step: {action!r}")


@router.post("/cases/{case_id}/act")
def act_on_case(
    request: Request,
    case_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CASES_WORK))],
    now: Now,
    action: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """One step on a case. From htmx: the case's panel again, with the step's outcome
    (a refusal inline); from a plain form: back to the case page, or the page with the
    refusal (409)."""
    error = None
    try:
        with store_of(request).transaction() as session:
            registry = request.app.state.registry
            _take_step(session, viewer, case_id, action, note.strip(), now, registry)
    except (work.CaseRefused, AppealRefused) as exc:
        error = str(exc)
    if error is None and not is_htmx(request):
        return redirect(f"{PREFIX}/cases/{case_id}")
    with store_of(request).reading() as session:
        context = _case_context(session, viewer, case_id, now)
        if is_htmx(request):
            return render(
                request,
                "_case.html",
                viewer,
                error=error,
                done=None if error else action,
                **context,
            )
        return render(
            request,
            "case.html",
            viewer,
            status=409,
            here=f"{PREFIX}/cases/{case_id}",
            error=error,
            **context,
        )


@router.post("/cases/{case_id}/appeal")
def appeal_case(
    request: Request,
    case_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.APPEALS_FILE))],
    now: Now,
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Appeal a confirmed case about the viewer's account: back to the queue."""
    error = None
    try:
        with store_of(request).transaction() as session:
            case = session.get(CaseRow, case_id)
            if case is None or not viewer.principal.may_see(work.party_of(session, case)):
                raise Problem(404, "404", viewer.locale)
            if not reason.strip():
                raise work.CaseRefused(viewer.t("appeal.reason"))
            work.appeal(session, case_id, viewer.principal.actor, reason.strip(), now)
    except work.CaseRefused as exc:
        error = str(exc)
    if error is None:
        return redirect(f"{PREFIX}/cases/{case_id}")
    with store_of(request).reading() as session:
        context = _case_context(session, viewer, case_id, now)
        return render(
            request,
            "case.html",
            viewer,
            status=409,
            here=f"{PREFIX}/cases/{case_id}",
            error=error,
            **context,
        )


# -- entities, sanctions and appeals ----------------------------------------------------


def _entity_or_404(viewer: Viewer, entity_type: str, entity_id: str) -> EntityRef:
    entity = EntityRef(entity_type, entity_id)
    if entity_type not in ACCOUNT_TYPES or not viewer.principal.may_see(entity):
        raise Problem(404, "404", viewer.locale)
    return entity


def _under_appeal(session: Session, sanction_ids: list[int]) -> dict[int, int]:
    """Sanction id → its appeal case still waiting for a reviewer."""
    if not sanction_ids:
        return {}
    rows = session.execute(
        select(CaseRow.subject_id, CaseRow.id).where(
            CaseRow.kind == APPEAL,
            CaseRow.subject_type == "sanction",
            CaseRow.subject_id.in_([str(i) for i in sanction_ids]),
            CaseRow.state.in_([s.value for s in ACTIVE_STATES]),
        )
    )
    return {int(subject): case_id for subject, case_id in rows}


def _standing_context(
    request: Request, session: Session, entity: EntityRef, now: datetime
) -> dict[str, Any]:
    found = standing(session, entity, now, _policy(request).spec)
    return {
        "entity": entity,
        "standing": found,
        "under_appeal": _under_appeal(session, [s["sanction_id"] for s in found.sanctions]),
        "now": now,
    }


def _entity_page(
    request: Request,
    viewer: Viewer,
    entity: EntityRef,
    now: datetime,
    status: int = 200,
    **more: Any,
) -> HTMLResponse:
    with store_of(request).reading() as session:
        context = _standing_context(request, session, entity, now)
        items = timeline(session, entity, as_party=not viewer.principal.sees_everything)
        return render(request, "entity.html", viewer, status=status, items=items, **context, **more)


@router.get("/entities/{entity_type}/{entity_id}")
def entity_page(
    request: Request,
    entity_type: str,
    entity_id: str,
    viewer: Annotated[Viewer, Depends(viewer_with(P.ENTITIES_READ))],
    now: Now,
    appealed: int | None = None,
) -> HTMLResponse:
    entity = _entity_or_404(viewer, entity_type, entity_id)
    return _entity_page(request, viewer, entity, now, appealed=appealed)


@router.post("/appeals")
def appeal(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.APPEALS_FILE))],
    now: Now,
    sanction_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """File an appeal against a sanction of an account the viewer may see."""
    with store_of(request).reading() as session:
        sanction = session.get(SanctionRow, sanction_id)
        holder = EntityRef(sanction.entity_type, sanction.entity_id) if sanction else None
    if holder is None or not viewer.principal.may_see(holder):
        raise Problem(404, "404", viewer.locale)
    entity = _entity_or_404(viewer, holder.type, holder.id)
    error = None
    reason = reason.strip()
    try:
        if not reason:
            raise AppealRefused(viewer.t("appeal.reason"))
        with store_of(request).transaction() as session:
            case_id = file_appeal(session, sanction_id, viewer.principal.actor, reason, now)
    except AppealRefused as exc:
        error = str(exc)
    if error is not None:
        return _entity_page(
            request,
            viewer,
            entity,
            now,
            status=409,
            here=f"{PREFIX}/entities/{entity.type}/{entity.id}",
            appeal_error=error,
        )
    return redirect(f"{PREFIX}/entities/{entity.type}/{entity.id}?appealed={case_id}")


@router.get("/mine")
def mine(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with())],
    now: Now,
) -> HTMLResponse:
    """A merchant's (or streamer's) own accounts: what is in force, with appeal forms,
    and its cases."""
    principal = viewer.principal
    accounts = sorted(
        (e for e in principal.owns if e.type in ACCOUNT_TYPES), key=lambda e: (e.type, e.id)
    )
    with store_of(request).reading() as session:
        standings = (
            [_standing_context(request, session, entity, now) for entity in accounts]
            if viewer.can(P.ENTITIES_READ)
            else []
        )
        cases: list[CaseRow] = []
        if principal.owns and viewer.can(P.CASES_READ):
            cases, _ = work.list_cases(session, principal, limit=PAGE_SIZE)
        return render(
            request,
            "mine.html",
            viewer,
            standings=standings,
            rows=[(case, _sla(case, now)) for case in cases],
        )


# -- live sessions at risk --------------------------------------------------------------


def _live_rows(request: Request, viewer: Viewer, now: datetime) -> dict[str, Any]:
    half_life = request.app.state.registry.settings.live_risk_half_life_seconds
    with store_of(request).reading() as session:
        found = live_sessions_at_risk(session, now, half_life)
    principal = viewer.principal
    visible = [
        row
        for row in found
        if principal.sees_everything
        or (row.streamer_id and principal.may_see(EntityRef("streamer", row.streamer_id)))
    ]
    return {"sessions": visible, "half_life": half_life, "refresh": LIVE_REFRESH_SECONDS}


@router.get("/live")
def live(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.ENTITIES_READ))],
    now: Now,
) -> HTMLResponse:
    return render(request, "live.html", viewer, **_live_rows(request, viewer, now))


@router.get("/live/rows")
def live_rows(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.ENTITIES_READ))],
    now: Now,
) -> HTMLResponse:
    return render(request, "_live_rows.html", viewer, **_live_rows(request, viewer, now))


# -- policy versions and rule statistics ------------------------------------------------


@router.get("/policy")
def policy_versions(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.POLICY_READ))],
) -> HTMLResponse:
    policy = _policy(request)
    with store_of(request).reading() as session:
        seen = session.execute(
            select(
                DecisionRow.policy_version,
                func.count(),
                func.min(DecisionRow.decided_at),
                func.max(DecisionRow.decided_at),
            )
            .group_by(DecisionRow.policy_version)
            .order_by(func.max(DecisionRow.decided_at).desc())
        ).all()
    return render(
        request,
        "policy.html",
        viewer,
        policy=policy,
        spec=getattr(policy, "spec", None),
        digest=getattr(policy, "digest", ""),
        path=getattr(policy, "path", ""),
        seen=seen,
    )


@router.get("/rules")
def rule_statistics(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.RULES_READ))],
) -> HTMLResponse:
    policy = _policy(request)
    rules = list(getattr(policy, "rules", ()))
    with store_of(request).reading() as session:
        measured = work.rule_precision(session)
    active = {rule.id for rule in rules}
    return render(
        request,
        "rules.html",
        viewer,
        policy=policy,
        rules=[(rule, measured.get(rule.id)) for rule in rules],
        retired=[m for rule_id, m in measured.items() if rule_id not in active],
    )


# -- claims on the protection fund ------------------------------------------------------

CLAIM_STATES = (claims.FILED, claims.IN_REVIEW, claims.APPROVED, claims.REJECTED, claims.PAID)
MAX_YUAN_DIGITS = 10
"""At most 9 999 999 999.99 yuan: well above any claim, and far below 2**63 fen."""
IN_FLIGHT_WAITS, IN_FLIGHT_WAIT_SECONDS = 20, 0.25
_YUAN = re.compile(r"(\d+)(?:\.(\d+))?")


class AmountRefused(ValueError):
    """An amount in yuan that is not a whole number of fen (the message says why)."""


def fen_of_yuan(text: str, t: Translator) -> int | None:
    """The fen in ``text``, an amount in yuan such as ``12.34``; None if blank.

    Exact: the digits are read as a Decimal, never a float, and more than two decimals
    (a fraction of a fen) are refused rather than rounded."""
    text = text.strip()
    if not text:
        return None
    found = _YUAN.fullmatch(text)
    if found is None:
        raise AmountRefused(t("claim.amount_not_a_number", amount=text))
    if found[2] is not None and len(found[2]) > 2:
        raise AmountRefused(t("claim.amount_too_precise", amount=text))
    if len(found[1].lstrip("0")) > MAX_YUAN_DIGITS:
        raise AmountRefused(t("claim.amount_too_large", amount=text))
    fen = int(Decimal(text).scaleb(2))
    if fen <= 0:
        raise AmountRefused(t("claim.amount_not_positive", amount=text))
    return fen


def _claim_or_404(session: Session, viewer: Viewer, claim_id: int) -> ClaimRow:
    claim = session.get(ClaimRow, claim_id)
    if claim is None or not viewer.principal.may_see(EntityRef("merchant", claim.merchant_id)):
        raise Problem(404, "404", viewer.locale)
    return claim


def _once(
    request: Request,
    scope: str,
    key: str,
    request_fingerprint: str,
    work: Callable[[Session], Answer],
) -> Answer:
    """``run_once``, waiting a little for a submission still worked on (the first of a
    double click): the second then shows the first's outcome instead of "in flight"."""
    lease = request.app.state.registry.settings.idempotency_lease
    store = store_of(request)
    for _ in range(IN_FLIGHT_WAITS):
        try:
            return run_once(store, scope, key, request_fingerprint, work, lease=lease)[0]
        except KeyProblem as problem:
            if problem.status != 409:
                raise
            time.sleep(IN_FLIGHT_WAIT_SECONDS)
    return run_once(store, scope, key, request_fingerprint, work, lease=lease)[0]


@router.get("/claims")
def claim_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CLAIMS_READ))],
    state: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Claims newest first: those waiting for a reviewer unless another state is asked."""
    if state not in (*CLAIM_STATES, "any"):
        state = claims.IN_REVIEW
    query = visible_claims(viewer.principal)
    if state != "any":
        query = query.where(ClaimRow.state == state)
    offset = max(0, offset)
    with store_of(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(
                query.order_by(ClaimRow.filed_at.desc(), ClaimRow.id.desc())
                .limit(PAGE_SIZE)
                .offset(offset)
            )
        )
        return render(
            request,
            "claims.html",
            viewer,
            claims=rows,
            state=state,
            states=CLAIM_STATES,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
        )


def _claim_page(
    request: Request,
    viewer: Viewer,
    claim_id: int,
    status: int = 200,
    **more: Any,
) -> HTMLResponse:
    with store_of(request).reading() as session:
        claim = _claim_or_404(session, viewer, claim_id)
        postings = claim_postings(session, claim.id)
        may_decide = viewer.can(P.CLAIMS_DECIDE) and claim.state == claims.IN_REVIEW
        return render(
            request,
            "claim.html",
            viewer,
            status=status,
            here=f"{PREFIX}/claims/{claim.id}",
            claim=claim,
            postings=postings,
            may_decide=may_decide,
            # A fresh token per form shown: its submissions (a double click, a resend)
            # are one request to ``run_once``.
            request_token=secrets.token_urlsafe(24) if may_decide else "",
            **more,
        )


@router.get("/claims/{claim_id}")
def claim_page(
    request: Request,
    claim_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CLAIMS_READ))],
    done: int = 0,
) -> HTMLResponse:
    return _claim_page(request, viewer, claim_id, done=bool(done))


@router.post("/claims/{claim_id}/decision")
def decide_claim_page(
    request: Request,
    claim_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.CLAIMS_DECIDE))],
    now: Now,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    request_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """A reviewer approves (the fund pays) or rejects a claim in review, through
    ``decide_claim`` as the API does. The form's token makes its submissions one
    request: a double click or a resend gets the first answer and pays once."""
    t = viewer.t
    with store_of(request).reading() as session:
        _claim_or_404(session, viewer, claim_id)
    reason = reason.strip()
    form = {"reason": reason, "amount": amount.strip(), "outcome": outcome}
    try:
        if outcome not in ("approve", "reject"):
            raise AmountRefused(t("claim.no_outcome"))
        if not reason:
            raise AmountRefused(t("claim.reason_required"))
        amount_fen = fen_of_yuan(amount, t)
        if outcome == "reject" and amount_fen is not None:
            raise AmountRefused(t("claim.amount_for_approval"))
        if not request_token:
            raise AmountRefused(t("claim.no_token"))
    except AmountRefused as exc:
        return _claim_page(request, viewer, claim_id, status=422, error=str(exc), form=form)
    terms = protection_terms(request)
    actor = viewer.principal.actor

    def decide(session: Session) -> Answer:
        claim = refusing(
            lambda: decide_claim(
                session,
                claim_id,
                outcome == "approve",
                reason,
                now,
                actor,
                terms=terms,
                amount_fen=amount_fen,
            )
        )
        return Answer(200, claim_record(claim))

    path = f"{PREFIX}/claims/{claim_id}/decision"
    try:
        answer = _once(
            request,
            actor,
            checked_key(f"console:{request_token}"),
            fingerprint(
                "POST", path, {"outcome": outcome, "reason": reason, "amount_fen": amount_fen}
            ),
            decide,
        )
    except KeyProblem as problem:
        # The same form sent again while its first submission is worked on (409), or
        # sent again with other contents (422): nothing more is done.
        key = "claim.in_flight" if problem.status == 409 else "claim.token_reused"
        return _claim_page(request, viewer, claim_id, status=problem.status, error=t(key))
    if answer.status != 200:
        return _claim_page(
            request,
            viewer,
            claim_id,
            status=answer.status,
            error=str(answer.body.get("detail", "")),
            form=form,
        )
    return redirect(f"{PREFIX}/claims/{claim_id}?done=1")
