"""The brand-facing pages of the console: a brand's dashboard (its rights, its bank and
what the bank caught, its notices), the complaints (notice and takedown) with the steps
each party may take, and the reviewers' queue of rights-holder applications.

Every change calls the same use case as the API (``brand.library``, ``brand.holders``,
``brand.complaints``); a refusal is shown on the page with the use case's reason. A
brand sees only its own brands' records and a merchant only the notices against it:
anything else answers 404, as if it did not exist. Complaint steps take their time from
the app's clock (``app.state.clock``), as the API's do, so the timers and the pages
agree; the other pages take the console's time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, defer

from trustfair.access.roles import Permission, Principal
from trustfair.api.schemas import Offset, RecordId
from trustfair.brand import complaints, holders
from trustfair.brand.complaint_states import (
    FINAL,
    TRANSITIONS,
    ComplaintState,
    Step,
    StepRefused,
)
from trustfair.brand.complaints import ComplaintConflict, ComplaintRefused
from trustfair.brand.library import (
    BankError,
    EntryKind,
    NewEntry,
    NotAllowed,
    add_entry,
    entries_of,
    may_edit_bank,
    set_enabled,
)
from trustfair.brand.rights import HolderState, RightsConflict, RightsRefused, RightState
from trustfair.console.routes import MAX_NOTE, PAGE_SIZE, AmountRefused, Now, fen_of_yuan
from trustfair.console.web import (
    PREFIX,
    Problem,
    Viewer,
    redirect,
    render,
    store_of,
    viewer_with,
)
from trustfair.events.payload import EntityRef
from trustfair.read.complaints import visible_complaints
from trustfair.store.models import (
    BankEntryRow,
    BrandCheckRow,
    BrandDocumentRow,
    ComplaintRow,
    ComplaintStepRow,
    RightRow,
    RightsHolderRow,
)

P = Permission
router = APIRouter(prefix=PREFIX, include_in_schema=False)

BrandId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description="A brand.")
]
HolderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
CHECK_OUTCOMES = ("intercept", "review", "monitor")
COMPLAINT_STATES = tuple(s.value for s in ComplaintState)
OPEN = "open"
"""The complaints filter for every state that is not final."""
EVIDENCE_KINDS = ("licence", "invoice", "certificate", "comparison", "test_purchase", "other")
BRAND_COMPLAINTS_SHOWN = 20


def _clock_now(request: Request) -> datetime:
    return request.app.state.clock.now()  # type: ignore[no-any-return]


# -- a brand's dashboard ----------------------------------------------------------------


def _known_brands(session: Session, principal: Principal) -> list[str]:
    """The brands the viewer may open: a brand its own, staff every brand the records
    name (holders, banks, checks, notices)."""
    if not principal.sees_everything:
        return sorted(p.id for p in principal.owns if p.type == "brand")
    named = union(
        select(RightsHolderRow.brand_id),
        select(BankEntryRow.brand_id),
        select(BrandCheckRow.brand_id),
        select(ComplaintRow.brand_id),
    ).subquery()
    return sorted(session.scalars(select(named.c.brand_id).distinct()))


@router.get("/brand")
def brand_home(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BRAND_READ))],
    brand: str | None = None,
) -> Response:
    """A brand with one brand goes straight to it; staff (or a brand of several) pick."""
    if brand and brand.strip():
        return redirect(f"{PREFIX}/brands/{quote(brand.strip(), safe='')}")
    with store_of(request).reading() as session:
        brands = _known_brands(session, viewer.principal)
    if len(brands) == 1 and not viewer.principal.sees_everything:
        return redirect(f"{PREFIX}/brands/{brands[0]}")
    return render(request, "brands.html", viewer, brands=brands)


def _brand_or_404(viewer: Viewer, brand_id: str) -> None:
    if not viewer.principal.may_see(EntityRef("brand", brand_id)):
        raise Problem(404, "404", viewer.locale)


def _brand_page(
    request: Request,
    viewer: Viewer,
    brand_id: str,
    now: datetime,
    status: int = 200,
    outcome: str | None = None,
    offset: int = 0,
    **more: Any,
) -> HTMLResponse:
    _brand_or_404(viewer, brand_id)
    principal = viewer.principal
    outcome = outcome if outcome in CHECK_OUTCOMES else None
    offset = max(0, offset)
    with store_of(request).reading() as session:
        holder_rows = list(
            session.scalars(
                select(RightsHolderRow)
                .where(RightsHolderRow.brand_id == brand_id)
                .order_by(RightsHolderRow.applied_at, RightsHolderRow.id)
            )
        )
        rights: dict[str, list[RightRow]] = {h.id: [] for h in holder_rows}
        for right in session.scalars(
            select(RightRow).where(RightRow.brand_id == brand_id).order_by(RightRow.id)
        ):
            rights.setdefault(right.holder_id, []).append(right)
        entries = entries_of(session, brand_id)
        by_kind = [
            (kind.value, [e for e in entries if e.kind == kind.value])
            for kind in EntryKind
            if any(e.kind == kind.value for e in entries)
        ]
        where = [BrandCheckRow.brand_id == brand_id]
        if outcome:
            where.append(BrandCheckRow.outcome == outcome)
        checks_total = session.scalar(select(func.count()).select_from(BrandCheckRow).where(*where))
        checks = list(
            session.scalars(
                select(BrandCheckRow)
                .where(*where)
                .order_by(BrandCheckRow.checked_at.desc(), BrandCheckRow.id.desc())
                .limit(PAGE_SIZE)
                .offset(offset)
            )
        )
        notices_query = select(ComplaintRow).where(ComplaintRow.brand_id == brand_id)
        notices_total = session.scalar(select(func.count()).select_from(notices_query.subquery()))
        notices = list(
            session.scalars(
                notices_query.order_by(ComplaintRow.id.desc()).limit(BRAND_COMPLAINTS_SHOWN)
            )
        )
        may_write = viewer.can(P.BANK_WRITE)
        may_edit = may_write and may_edit_bank(session, principal, brand_id, now)
        return render(
            request,
            "brand.html",
            viewer,
            status=status,
            here=f"{PREFIX}/brands/{brand_id}",
            brand_id=brand_id,
            holders=holder_rows,
            rights=rights,
            by_kind=by_kind,
            entry_count=len(entries),
            kinds=[k.value for k in EntryKind],
            may_write=may_write,
            may_edit=may_edit,
            checks=checks,
            checks_total=int(checks_total or 0),
            outcome=outcome or "",
            outcomes=CHECK_OUTCOMES,
            offset=offset,
            page_size=PAGE_SIZE,
            notices=notices,
            notices_total=int(notices_total or 0),
            **more,
        )


@router.get("/brands/{brand_id}")
def brand_page(
    request: Request,
    brand_id: BrandId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BRAND_READ))],
    now: Now,
    outcome: str | None = None,
    offset: Offset = 0,
    added: int | None = None,
    switched: int | None = None,
) -> HTMLResponse:
    return _brand_page(
        request,
        viewer,
        brand_id,
        now,
        outcome=outcome,
        offset=offset,
        added=added,
        switched=switched,
    )


@router.post("/brands/{brand_id}/bank")
def add_bank_entry(
    request: Request,
    brand_id: BrandId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BANK_WRITE))],
    now: Now,
    kind: Annotated[str, Form(max_length=32)] = "",
    value: Annotated[str, Form(max_length=200)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    category: Annotated[str, Form(max_length=64)] = "",
    image_id: Annotated[str, Form(max_length=128)] = "",
    negative: Annotated[str, Form(max_length=8)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Add an entry through ``brand.library.add_entry``, as the API does; what is wrong
    with it is shown above the form, the form kept as it was sent."""
    _brand_or_404(viewer, brand_id)
    t = viewer.t
    form = {
        "kind": kind,
        "value": value,
        "amount": amount,
        "category": category,
        "image_id": image_id,
        "negative": bool(negative),
        "note": note,
    }
    status, error = 422, None
    try:
        if kind not in {k.value for k in EntryKind}:
            raise BankError(t("bank.no_kind"))
        amount_fen = fen_of_yuan(amount, t)
        entry = NewEntry(
            brand_id,
            EntryKind(kind),
            value,
            amount_fen,
            category.strip() or None,
            image_id.strip() or None,
            bool(negative),
            note.strip(),
        )
        with store_of(request).transaction() as session:
            row = add_entry(session, viewer.principal, entry, now)
            entry_id = row.id
    except (BankError, AmountRefused) as exc:
        error = str(exc)
    except NotAllowed as exc:
        status, error = 403, str(exc)
    if error is not None:
        return _brand_page(
            request, viewer, brand_id, now, status=status, bank_error=error, bank_form=form
        )
    return redirect(f"{PREFIX}/brands/{brand_id}?added={entry_id}#entry-{entry_id}")


@router.post("/bank/{entry_id}/enabled")
def switch_bank_entry(
    request: Request,
    entry_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BANK_WRITE))],
    now: Now,
    enabled: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Disable (``enabled=0``) or enable again (``enabled=1``) one entry, through
    ``brand.library.set_enabled``."""
    with store_of(request).reading() as session:
        row = session.get(BankEntryRow, entry_id)
        brand_id = row.brand_id if row is not None else None
    if brand_id is None or not viewer.principal.may_see(EntityRef("brand", brand_id)):
        raise Problem(404, "404", viewer.locale)
    if enabled not in ("0", "1"):
        return _brand_page(
            request, viewer, brand_id, now, status=422, bank_error=viewer.t("bank.no_switch")
        )
    try:
        with store_of(request).transaction() as session:
            set_enabled(session, viewer.principal, entry_id, enabled == "1", now)
    except LookupError:
        raise Problem(404, "404", viewer.locale) from None
    except NotAllowed as exc:
        return _brand_page(request, viewer, brand_id, now, status=403, bank_error=str(exc))
    return redirect(f"{PREFIX}/brands/{brand_id}?switched={entry_id}#entry-{entry_id}")


# -- complaints: notice and takedown ----------------------------------------------------


@router.get("/complaints")
def complaint_list(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BRAND_READ))],
    state: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Complaints newest first: any state unless one (or every open one) is asked."""
    if state not in (*COMPLAINT_STATES, OPEN):
        state = ""
    query = visible_complaints(viewer.principal)
    if state == OPEN:
        query = query.where(ComplaintRow.state.not_in([s.value for s in FINAL]))
    elif state:
        query = query.where(ComplaintRow.state == state)
    offset = max(0, offset)
    with store_of(request).reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(query.order_by(ComplaintRow.id.desc()).limit(PAGE_SIZE).offset(offset))
        )
        return render(
            request,
            "complaints.html",
            viewer,
            complaints=rows,
            state=state,
            states=COMPLAINT_STATES,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            now=_clock_now(request),
        )


def _complaint_or_404(session: Session, viewer: Viewer, complaint_id: int) -> ComplaintRow:
    row = session.get(ComplaintRow, complaint_id)
    principal = viewer.principal
    if row is None or not (
        principal.may_see(EntityRef("brand", row.brand_id))
        or principal.may_see(EntityRef("merchant", row.merchant_id))
    ):
        raise Problem(404, "404", viewer.locale)
    return row


def _may(state: str, step: Step) -> bool:
    return (ComplaintState(state), step) in TRANSITIONS


def complaint_actions(viewer: Viewer, row: ComplaintRow) -> dict[str, bool]:
    """The steps this viewer may take on ``row`` now: its party's, if it holds the
    permission and acts for that party, in a state that allows them."""
    principal = viewer.principal
    for_merchant = principal.may_see(EntityRef("merchant", row.merchant_id))
    for_brand = principal.may_see(EntityRef("brand", row.brand_id))
    answer = viewer.can(P.COMPLAINTS_ANSWER) and for_merchant
    holder = viewer.can(P.COMPLAINTS_FILE) and for_brand
    reviewer = viewer.can(P.COMPLAINTS_DECIDE)
    return {
        "declare": answer and _may(row.state, Step.DECLARE),
        "show_action": holder and _may(row.state, Step.SHOW_ACTION),
        "withdraw": holder and _may(row.state, Step.WITHDRAW),
        "reject": reviewer and _may(row.state, Step.REJECT),
        "approve": reviewer and _may(row.state, Step.APPROVE),
    }


def _complaint_page(
    request: Request,
    viewer: Viewer,
    complaint_id: int,
    status: int = 200,
    **more: Any,
) -> HTMLResponse:
    now = _clock_now(request)
    with store_of(request).reading() as session:
        row = _complaint_or_404(session, viewer, complaint_id)
        steps = list(
            session.scalars(
                select(ComplaintStepRow)
                .where(ComplaintStepRow.complaint_id == row.id)
                .order_by(ComplaintStepRow.id)
            )
        )
        timer = None
        if row.due_at is not None:
            timer = {
                "due": row.due_at,
                "overdue": row.due_at <= now,
                "seconds": abs((row.due_at - now).total_seconds()),
            }
        return render(
            request,
            "complaint.html",
            viewer,
            status=status,
            here=f"{PREFIX}/complaints/{row.id}",
            complaint=row,
            steps=steps,
            timer=timer,
            actions=complaint_actions(viewer, row),
            evidence_kinds=EVIDENCE_KINDS,
            final=ComplaintState(row.state) in FINAL,
            brand_link=viewer.principal.may_see(EntityRef("brand", row.brand_id)),
            **more,
        )


@router.get("/complaints/{complaint_id}")
def complaint_page(
    request: Request,
    complaint_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.BRAND_READ))],
    done: str | None = None,
) -> HTMLResponse:
    return _complaint_page(request, viewer, complaint_id, done=done)


def _complaint_step(
    request: Request,
    viewer: Viewer,
    complaint_id: int,
    party: Callable[[ComplaintRow], EntityRef] | None,
    step: Callable[[Session, ComplaintRow, datetime], Any],
    done: str,
    form: dict[str, Any],
) -> Response:
    """Run one step through its ``brand.complaints`` use case, on the app's clock: back
    to the complaint when done, else its page with the refusal (409: the state or a
    deadline stands in the way; 422: what was sent is not enough)."""
    with store_of(request).reading() as session:
        row = _complaint_or_404(session, viewer, complaint_id)
        if party is not None and not viewer.principal.may_see(party(row)):
            raise Problem(404, "404", viewer.locale)
    now = _clock_now(request)
    try:
        with store_of(request).transaction() as session:
            row = session.get(ComplaintRow, complaint_id)
            assert row is not None
            step(session, row, now)
    except LookupError:
        raise Problem(404, "404", viewer.locale) from None
    except (StepRefused, ComplaintConflict) as exc:
        return _complaint_page(request, viewer, complaint_id, 409, error=str(exc), form=form)
    except ComplaintRefused as exc:
        return _complaint_page(request, viewer, complaint_id, 422, error=str(exc), form=form)
    return redirect(f"{PREFIX}/complaints/{complaint_id}?done={done}")


def _merchant_of(row: ComplaintRow) -> EntityRef:
    return EntityRef("merchant", row.merchant_id)


def _brand_of(row: ComplaintRow) -> EntityRef:
    return EntityRef("brand", row.brand_id)


@router.post("/complaints/{complaint_id}/declaration")
def declare_page(
    request: Request,
    complaint_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COMPLAINTS_ANSWER))],
    declaration: Annotated[str, Form(max_length=5000)] = "",
    evidence_kind: Annotated[str, Form(max_length=64)] = "",
    evidence_description: Annotated[str, Form(max_length=2000)] = "",
    evidence_url: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    """The merchant declares non-infringement, with one evidence item."""
    form = {
        "declaration": declaration,
        "evidence_kind": evidence_kind,
        "evidence_description": evidence_description,
        "evidence_url": evidence_url,
    }
    t = viewer.t

    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        if evidence_kind not in EVIDENCE_KINDS:
            raise ComplaintRefused(t("complaint.evidence_kind_required"))
        item = {"kind": evidence_kind, "description": evidence_description.strip()}
        if evidence_url.strip():
            item["url"] = evidence_url.strip()
        complaints.declare(
            session,
            row.id,
            row.merchant_id,
            declaration.strip(),
            [item],
            now,
            viewer.principal.actor,
        )

    return _complaint_step(request, viewer, complaint_id, _merchant_of, work, "declare", form)


@router.post("/complaints/{complaint_id}/action-proof")
def action_proof_page(
    request: Request,
    complaint_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COMPLAINTS_FILE))],
    kind: Annotated[str, Form(max_length=16)] = "",
    authority: Annotated[str, Form(max_length=256)] = "",
    reference: Annotated[str, Form(max_length=256)] = "",
    filed_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The rights holder shows a complaint to the authorities or a lawsuit."""
    form = {"kind": kind, "authority": authority, "reference": reference, "filed_on": filed_on}
    t = viewer.t

    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        if kind not in ("complaint", "lawsuit"):
            raise ComplaintRefused(t("complaint.proof_kind_required"))
        if not authority.strip() or not reference.strip():
            raise ComplaintRefused(t("complaint.proof_fields_required"))
        try:
            filed = date.fromisoformat(filed_on)
        except ValueError:
            raise ComplaintRefused(t("complaint.proof_date_required")) from None
        proof = {
            "kind": kind,
            "authority": authority.strip(),
            "reference": reference.strip(),
            "filed_on": filed.isoformat(),
        }
        complaints.show_action(session, row.id, row.brand_id, proof, now, viewer.principal.actor)

    return _complaint_step(request, viewer, complaint_id, _brand_of, work, "show_action", form)


@router.post("/complaints/{complaint_id}/withdraw")
def withdraw_page(
    request: Request,
    complaint_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COMPLAINTS_FILE))],
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """The rights holder withdraws its notice, saying why."""
    t = viewer.t

    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        if not reason.strip():
            raise ComplaintRefused(t("complaint.reason_required"))
        complaints.withdraw(
            session, row.id, row.brand_id, reason.strip(), now, viewer.principal.actor
        )

    return _complaint_step(
        request, viewer, complaint_id, _brand_of, work, "withdraw", {"withdraw_reason": reason}
    )


@router.post("/complaints/{complaint_id}/review")
def review_complaint_page(
    request: Request,
    complaint_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.COMPLAINTS_DECIDE))],
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """A reviewer rejects a notice (as unfounded or as malicious), or approves the
    measures of one waiting for review."""
    t = viewer.t
    actor = viewer.principal.actor

    def work(session: Session, row: ComplaintRow, now: datetime) -> None:
        if outcome == "approve":
            complaints.approve_measures(session, row.id, reason.strip(), now, actor)
        elif outcome in ("reject", "malicious"):
            if not reason.strip():
                raise ComplaintRefused(t("complaint.reason_required"))
            complaints.reject(
                session, row.id, reason.strip(), now, actor, malicious=outcome == "malicious"
            )
        else:
            raise ComplaintRefused(t("complaint.no_outcome"))

    return _complaint_step(
        request, viewer, complaint_id, None, work, outcome or "review", {"review_reason": reason}
    )


# -- the reviewers' queue of rights ------------------------------------------------------


def _rights_queue(request: Request, viewer: Viewer, status: int = 200, **more: Any) -> HTMLResponse:
    with store_of(request).reading() as session:
        applied = list(
            session.scalars(
                select(RightsHolderRow)
                .where(RightsHolderRow.state == HolderState.APPLIED)
                .order_by(RightsHolderRow.applied_at, RightsHolderRow.id)
                .limit(PAGE_SIZE)
            )
        )
        pending = list(
            session.scalars(
                select(RightRow)
                .where(RightRow.state == RightState.PENDING)
                .order_by(RightRow.applied_at, RightRow.id)
                .limit(PAGE_SIZE)
            )
        )
        holder_ids = {h.id for h in applied} | {r.holder_id for r in pending}
        documents: dict[str, list[BrandDocumentRow]] = {}
        for document in session.scalars(
            select(BrandDocumentRow)
            .options(defer(BrandDocumentRow.body))
            .where(BrandDocumentRow.holder_id.in_(holder_ids))
            .order_by(BrandDocumentRow.uploaded_at, BrandDocumentRow.id)
        ):
            documents.setdefault(document.holder_id, []).append(document)
        holders_of = {
            h.id: h
            for h in session.scalars(
                select(RightsHolderRow).where(RightsHolderRow.id.in_(holder_ids))
            )
        }
        return render(
            request,
            "rights.html",
            viewer,
            status=status,
            here=f"{PREFIX}/rights",
            applied=applied,
            pending=pending,
            documents=documents,
            holders_of=holders_of,
            **more,
        )


@router.get("/rights")
def rights_queue(
    request: Request,
    viewer: Annotated[Viewer, Depends(viewer_with(P.RIGHTS_CERTIFY))],
    done: str | None = None,
) -> HTMLResponse:
    """Applications and pending rights, oldest first, with certify and reject."""
    return _rights_queue(request, viewer, done=done)


def _rights_step(
    request: Request,
    viewer: Viewer,
    step: Callable[[Session], Any],
    done: str,
) -> Response:
    try:
        with store_of(request).transaction() as session:
            step(session)
    except LookupError:
        raise Problem(404, "404", viewer.locale) from None
    except RightsConflict as exc:
        return _rights_queue(request, viewer, 409, error=str(exc))
    except RightsRefused as exc:
        return _rights_queue(request, viewer, 422, error=str(exc))
    return redirect(f"{PREFIX}/rights?done={done}")


@router.post("/rights-holders/{holder_id}/decision")
def decide_holder(
    request: Request,
    holder_id: HolderId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.RIGHTS_CERTIFY))],
    now: Now,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Certify an application (``reason`` is the note) or reject it (saying why)."""
    actor = viewer.principal.actor

    def step(session: Session) -> Any:
        if outcome == "certify":
            return holders.certify_holder(session, holder_id, now, actor, reason)
        if outcome == "reject":
            return holders.reject_holder(session, holder_id, reason, now, actor)
        raise RightsRefused(viewer.t("rights.no_outcome"))

    return _rights_step(request, viewer, step, f"holder-{outcome}")


@router.post("/rights/{right_id}/decision")
def decide_right(
    request: Request,
    right_id: RecordId,
    viewer: Annotated[Viewer, Depends(viewer_with(P.RIGHTS_CERTIFY))],
    now: Now,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
) -> Response:
    """Certify a pending right or reject it (saying why)."""
    actor = viewer.principal.actor

    def step(session: Session) -> Any:
        if outcome == "certify":
            return holders.certify_right(session, right_id, now, actor, reason)
        if outcome == "reject":
            return holders.reject_right(session, right_id, reason, now, actor)
        raise RightsRefused(viewer.t("rights.no_outcome"))

    return _rights_step(request, viewer, step, f"right-{outcome}")
