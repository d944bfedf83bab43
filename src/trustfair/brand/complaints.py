"""Notice and takedown: a rights holder's notice against a listing, worked through the
states of ``brand.complaint_states`` with the timers of ``brand.jurisdictions``.

Every step is a guarded UPDATE of the complaint's state (``... WHERE state = <the
state it was read in>``) followed by its timeline row: two requests, or a request and
the timers, that race on one complaint cannot both move it; the loser is told the
complaint moved (``StepRefused``, a 409). Commands to the marketplace go out through
the outbox in the same transaction (``listing.take_down``, ``listing.restore``, and
``complaint.forwarded`` to the merchant or the rights holder), deduplicated per
complaint and step, so a repeated step sends nothing twice.

A notice that stood unanswered (``upheld``) is an infringement: it is written to the
event log as ``ip_complaint.upheld`` and, with a registry, run through the pipeline in
the same transaction, so the policy's rule awards the merchant its points like any
other violation (and a replay of the log awards them again the same way).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from trustfair.brand.complaint_states import (
    STANDING,
    TIMER_STEP,
    ComplaintState,
    Step,
    StepRefused,
    lifts_measures,
    next_state,
)
from trustfair.brand.jurisdictions import ComplaintTerms, default_terms
from trustfair.brand.rights import NotEnforceable, enforceable_right
from trustfair.events.envelope import event_adapter
from trustfair.pipeline.outbox import enqueue
from trustfair.pipeline.registry import Registry
from trustfair.pipeline.runner import run_pipeline
from trustfair.store.event_log import append_events, insert_ignoring_conflicts
from trustfair.store.models import ComplaintRow, ComplaintStepRow, EventRow, RightsHolderRow

S = ComplaintState
SYSTEM = "system:complaints"
"""The actor of the steps nobody takes by hand: measures on filing, the timers."""
HOLDER, MERCHANT = "rights_holder", "merchant"
"""Who an evidence item came from."""
LISTING_EVENTS = ("listing.published", "listing.updated")


class ComplaintRefused(ValueError):
    """A notice or step refused for what it says (422): the reason says what to fix."""


class ComplaintConflict(Exception):
    """A notice_ref sent before with another notice (409)."""


__all__ = [
    "ComplaintConflict",
    "ComplaintRefused",
    "Notice",
    "StepRefused",
    "TimerRun",
    "approve_measures",
    "declare",
    "file_notice",
    "listing_owner",
    "reject",
    "run_due_timers",
    "show_action",
    "withdraw",
]


@dataclass(frozen=True)
class Notice:
    """What a rights holder files against a listing (its prima facie case)."""

    notice_ref: str
    """The holder's own id for the notice: filing it again returns the first."""
    brand_id: str
    holder_id: str
    right_id: int
    listing_id: str
    evidence: list[dict[str, Any]]
    """At least one item: what shows the listing infringes the right."""
    text: str = ""
    jurisdiction: str = "CN"


@dataclass
class TimerRun:
    """What one run of the timers did: the complaints moved, by the state they reached."""

    moved: dict[str, list[int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.moved.values())


# -- filing ------------------------------------------------------------------------------


def listing_owner(session: Session, listing_id: str) -> str | None:
    """The merchant of ``listing_id``, as the latest listing event in the log says."""
    payload = session.scalars(
        select(EventRow.payload)
        .where(
            EventRow.subject_type == "listing",
            EventRow.subject_id == listing_id,
            EventRow.type.in_(LISTING_EVENTS),
        )
        .order_by(EventRow.seq.desc())
        .limit(1)
    ).first()
    owner = (payload or {}).get("merchant_id")
    return str(owner) if owner else None


def file_notice(
    session: Session,
    notice: Notice,
    now: datetime,
    actor: str,
    terms: ComplaintTerms | None = None,
    received_at: datetime | None = None,
) -> tuple[ComplaintRow, bool]:
    """File ``notice``: (the complaint, True) when new, (the first, False) when its
    notice_ref was filed before with the same notice.

    ``received_at``: when the platform got a notice that was filed at ``now`` (an event
    processed late, a backfill): the merchant's answer window runs from the later of the
    two, since it cannot answer a notice before it is forwarded.

    A listing carries one standing notice at a time: another, while the first still
    stands (filed, in review, measures in force, referred, or upheld for good), is
    refused, so one listing is taken down, restored and counted as an infringement once.

    Refused (ComplaintRefused, nothing stored) without evidence, for an unknown
    jurisdiction or listing, or a right that is not enforceable now or not the
    notice's brand's. A holder in good standing has the listing taken down at once and
    the notice forwarded to the merchant; one below the bar waits for a reviewer."""
    terms = terms or default_terms()
    existing = _by_ref(session, notice.notice_ref)
    if existing is not None:
        return _same_notice(existing, notice), False
    try:
        terms.jurisdiction(notice.jurisdiction)
    except LookupError as exc:
        raise ComplaintRefused(str(exc)) from None
    if not notice.evidence:
        raise ComplaintRefused("a notice needs prima facie evidence: at least one item")
    right = enforceable_right(session, notice.holder_id, notice.right_id, now)
    if isinstance(right, NotEnforceable):
        raise ComplaintRefused(right.reason)
    holder = session.get(RightsHolderRow, notice.holder_id)
    assert holder is not None  # enforceable_right found it
    if right.brand_id != notice.brand_id or holder.brand_id != notice.brand_id:
        raise ComplaintRefused(
            f"right {right.id} is brand {right.brand_id!r}'s, not brand {notice.brand_id!r}'s"
        )
    merchant_id = listing_owner(session, notice.listing_id)
    if merchant_id is None:
        raise ComplaintRefused(
            f"listing {notice.listing_id!r} is not known (no listing.published in the log)"
        )
    standing_state = session.scalar(
        select(ComplaintRow.state).where(
            ComplaintRow.listing_id == notice.listing_id,
            ComplaintRow.state.in_([state.value for state in STANDING]),
        )
    )
    if standing_state is not None:
        raise ComplaintRefused(
            f"listing {notice.listing_id!r} is already under a notice ({standing_state}): "
            "that notice's measures and outcome stand for the listing while it does"
        )
    complaint_id = session.execute(
        insert_ignoring_conflicts(session, ComplaintRow.__table__, ["notice_ref"]).returning(
            ComplaintRow.id
        ),
        {
            "notice_ref": notice.notice_ref,
            "holder_id": notice.holder_id,
            "right_id": notice.right_id,
            "brand_id": notice.brand_id,
            "listing_id": notice.listing_id,
            "merchant_id": merchant_id,
            "jurisdiction": notice.jurisdiction,
            "state": S.FILED.value,
            "text": notice.text,
            "evidence": [{**item, "from": HOLDER} for item in notice.evidence],
            "declaration": "",
            "action_proof": None,
            "filed_by": actor,
            "filed_at": now,
        },
    ).scalar_one_or_none()
    if complaint_id is None:  # the same notice_ref, filed at this moment by another request
        raced = _by_ref(session, notice.notice_ref)
        assert raced is not None
        return _same_notice(raced, notice), False
    _timeline(session, complaint_id, now, actor, None, S.FILED, "notice filed")
    complaint = session.get(ComplaintRow, complaint_id)
    assert complaint is not None
    if holder.standing < terms.standing.review_below:
        _move(
            session,
            complaint,
            Step.HOLD,
            now,
            SYSTEM,
            f"the rights holder's standing is {holder.standing}, below "
            f"{terms.standing.review_below}: a reviewer looks before any measure",
        )
    else:
        _take_measures(
            session,
            complaint,
            now,
            SYSTEM,
            "the holder is in good standing",
            terms,
            answer_from=max(now, received_at) if received_at is not None else now,
        )
    return complaint, True


def approve_measures(
    session: Session,
    complaint_id: int,
    note: str,
    now: datetime,
    actor: str,
    terms: ComplaintTerms | None = None,
) -> ComplaintRow:
    """A reviewer lets a notice of a holder in low standing take effect. The right is
    checked again: one revoked or expired while the notice waited rejects it."""
    terms = terms or default_terms()
    complaint = _get(session, complaint_id)
    next_state(complaint.state, Step.APPROVE)  # refuse before looking further
    right = enforceable_right(session, complaint.holder_id, complaint.right_id, now)
    if isinstance(right, NotEnforceable):
        _move(
            session,
            complaint,
            Step.REJECT,
            now,
            actor,
            right.reason,
            closed_at=now,
            outcome="not_enforceable",
        )
        _adjust_standing(session, complaint.holder_id, terms.standing.rejected)
        return complaint
    _take_measures(session, complaint, now, actor, note or "approved by a reviewer", terms)
    return complaint


# -- the parties' steps ------------------------------------------------------------------


def declare(
    session: Session,
    complaint_id: int,
    merchant_id: str,
    declaration: str,
    evidence: list[dict[str, Any]],
    now: datetime,
    actor: str,
    terms: ComplaintTerms | None = None,
) -> ComplaintRow:
    """The merchant declares non-infringement, with its own evidence, within the answer
    window; the declaration goes to the rights holder and the lift timer starts."""
    terms = terms or default_terms()
    complaint = _get(session, complaint_id)
    if complaint.merchant_id != merchant_id:
        raise ComplaintRefused(
            f"complaint {complaint_id} is against merchant {complaint.merchant_id!r}'s "
            f"listing, not merchant {merchant_id!r}'s"
        )
    if not declaration.strip() or not evidence:
        raise ComplaintRefused("a declaration needs its text and at least one evidence item")
    next_state(complaint.state, Step.DECLARE)
    _before_deadline(complaint, now, "the answer window")
    jurisdiction = terms.jurisdiction(complaint.jurisdiction)
    due = jurisdiction.after(now, jurisdiction.restore)
    _move(
        session,
        complaint,
        Step.DECLARE,
        now,
        actor,
        "declaration of non-infringement forwarded to the rights holder",
        declaration=declaration,
        declared_at=now,
        due_at=due,
        evidence=[*complaint.evidence, *({**item, "from": MERCHANT} for item in evidence)],
    )
    _forward(
        session,
        complaint,
        "declaration",
        {"type": "brand", "id": complaint.brand_id, "holder_id": complaint.holder_id},
        {
            "declaration": declaration,
            "evidence": [item for item in complaint.evidence if item.get("from") == MERCHANT],
            "act_by": due.isoformat(),
            "latest_lift": jurisdiction.latest(now, jurisdiction.restore).isoformat(),
        },
    )
    return complaint


def show_action(
    session: Session,
    complaint_id: int,
    brand_id: str,
    proof: dict[str, Any],
    now: datetime,
    actor: str,
    terms: ComplaintTerms | None = None,
) -> ComplaintRow:
    """The rights holder shows, before the lift, that it complained to the authorities
    or sued: the measures stay and the complaint is referred."""
    terms = terms or default_terms()
    complaint = _owned_by_brand(session, complaint_id, brand_id)
    if not proof:
        raise ComplaintRefused("proof of a complaint to the authorities or a lawsuit is needed")
    filed_on = str(proof.get("filed_on") or "")
    if filed_on and filed_on > now.date().isoformat():
        raise ComplaintRefused(f"the action was filed on {filed_on}: that is after today")
    next_state(complaint.state, Step.SHOW_ACTION)
    _before_deadline(complaint, now, "the window to show a complaint or lawsuit")
    _move(
        session,
        complaint,
        Step.SHOW_ACTION,
        now,
        actor,
        f"{proof.get('kind', 'action')} shown: the measures stay",
        action_proof=proof,
        due_at=None,
        closed_at=now,
        outcome="referred",
    )
    _adjust_standing(session, complaint.holder_id, terms.standing.referred)
    return complaint


def withdraw(
    session: Session,
    complaint_id: int,
    brand_id: str,
    reason: str,
    now: datetime,
    actor: str,
    terms: ComplaintTerms | None = None,
) -> ComplaintRow:
    """The rights holder withdraws its notice: any measures are lifted. Not after a
    running timer is due (the timers decide then). A notice withdrawn once the merchant
    declared, or while it waits for a reviewer, failed like one restored or rejected,
    and costs the holder's standing the same: withdrawing the day before the lift is no
    way around it."""
    terms = terms or default_terms()
    complaint = _owned_by_brand(session, complaint_id, brand_id)
    next_state(complaint.state, Step.WITHDRAW)  # refuse before looking further
    if complaint.due_at is not None:
        _before_deadline(complaint, now, "the window to withdraw")
    cost = {
        S.DECLARED.value: terms.standing.restored,
        S.PENDING_REVIEW.value: terms.standing.rejected,
    }.get(complaint.state, terms.standing.withdrawn)
    _move(
        session,
        complaint,
        Step.WITHDRAW,
        now,
        actor,
        reason or "withdrawn by the rights holder",
        due_at=None,
        closed_at=now,
        outcome="withdrawn",
    )
    _adjust_standing(session, complaint.holder_id, cost)
    return complaint


def reject(
    session: Session,
    complaint_id: int,
    reason: str,
    now: datetime,
    actor: str,
    *,
    malicious: bool = False,
    terms: ComplaintTerms | None = None,
) -> ComplaintRow:
    """A reviewer rejects a notice as unfounded, or as malicious (which costs the
    holder much more standing); any measures are lifted."""
    terms = terms or default_terms()
    if not reason.strip():
        raise ComplaintRefused("say why the notice is rejected")
    complaint = _get(session, complaint_id)
    step = Step.MARK_MALICIOUS if malicious else Step.REJECT
    _move(
        session,
        complaint,
        step,
        now,
        actor,
        reason,
        due_at=None,
        closed_at=now,
        outcome="malicious" if malicious else "unfounded",
    )
    standing = terms.standing
    _adjust_standing(
        session, complaint.holder_id, standing.malicious if malicious else standing.rejected
    )
    return complaint


# -- the timers --------------------------------------------------------------------------


def run_due_timers(
    session: Session,
    now: datetime,
    *,
    registry: Registry | None = None,
    terms: ComplaintTerms | None = None,
) -> TimerRun:
    """Fire every timer due at ``now``: an answer window run out upholds the notice, a
    lift run out without action shown restores the listing.

    Each fires once: the step is a guarded UPDATE, so a second run (or another process
    running at once: on PostgreSQL it waits for the row and then finds it moved) skips
    it. With ``registry``, an upheld notice's event runs through the pipeline here, in
    this transaction; without one it is only appended to the log (for a caller that runs
    the pipeline itself)."""
    terms = terms or default_terms()
    run = TimerRun()
    due = session.scalars(
        select(ComplaintRow)
        .where(ComplaintRow.state.in_(list(TIMER_STEP)), ComplaintRow.due_at <= now)
        .order_by(ComplaintRow.due_at, ComplaintRow.id)
    ).all()
    for complaint in due:
        step = TIMER_STEP[ComplaintState(complaint.state)]
        at = complaint.due_at
        assert at is not None
        try:
            if step is Step.UPHOLD:
                _move(
                    session,
                    complaint,
                    step,
                    at,
                    SYSTEM,
                    "no declaration within the answer window: the notice stands",
                    due_at=None,
                    closed_at=at,
                    outcome="upheld",
                )
                _adjust_standing(session, complaint.holder_id, terms.standing.upheld)
                _record_upheld(session, complaint, now, registry)
            else:
                _move(
                    session,
                    complaint,
                    step,
                    at,
                    SYSTEM,
                    "no complaint or lawsuit shown in time: the measures are lifted",
                    due_at=None,
                    closed_at=at,
                    outcome="restored",
                )
                _adjust_standing(session, complaint.holder_id, terms.standing.restored)
        except StepRefused:
            continue  # another run moved it first
        run.moved.setdefault(complaint.state, []).append(complaint.id)
    return run


# -- inside ------------------------------------------------------------------------------


def _by_ref(session: Session, notice_ref: str) -> ComplaintRow | None:
    return session.scalars(
        select(ComplaintRow).where(ComplaintRow.notice_ref == notice_ref)
    ).one_or_none()


def _same_notice(existing: ComplaintRow, notice: Notice) -> ComplaintRow:
    sent = (notice.brand_id, notice.holder_id, notice.right_id, notice.listing_id)
    kept = (existing.brand_id, existing.holder_id, existing.right_id, existing.listing_id)
    if sent != kept:
        raise ComplaintConflict(
            f"notice_ref {notice.notice_ref!r} was filed before for another notice; "
            "use a new notice_ref"
        )
    return existing


def _get(session: Session, complaint_id: int) -> ComplaintRow:
    complaint = session.get(ComplaintRow, complaint_id)
    if complaint is None:
        raise LookupError(f"no complaint {complaint_id}")
    return complaint


def _owned_by_brand(session: Session, complaint_id: int, brand_id: str) -> ComplaintRow:
    complaint = _get(session, complaint_id)
    if complaint.brand_id != brand_id:
        raise LookupError(f"no complaint {complaint_id}")  # not yours looks like none
    return complaint


def _before_deadline(complaint: ComplaintRow, now: datetime, what: str) -> None:
    if complaint.due_at is not None and now >= complaint.due_at:
        raise StepRefused(f"{what} of complaint {complaint.id} closed at {complaint.due_at}")


def _move(
    session: Session,
    complaint: ComplaintRow,
    step: Step,
    now: datetime,
    actor: str,
    note: str,
    **values: Any,
) -> None:
    """Take ``step``: the guarded UPDATE, the timeline row, and the restore command
    when the step lifts measures."""
    before = complaint.state
    after = next_state(before, step)
    moved = session.execute(
        update(ComplaintRow)
        .where(ComplaintRow.id == complaint.id, ComplaintRow.state == before)
        .values(state=after.value, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        session.refresh(complaint)
        raise StepRefused(f"complaint {complaint.id} moved on: it is now {complaint.state}")
    session.refresh(complaint)
    _timeline(session, complaint.id, now, actor, before, after, note)
    if lifts_measures(before, after):
        _command(session, complaint, "listing.restore", {"reason": after.value})


def _take_measures(
    session: Session,
    complaint: ComplaintRow,
    now: datetime,
    actor: str,
    note: str,
    terms: ComplaintTerms,
    answer_from: datetime | None = None,
) -> None:
    jurisdiction = terms.jurisdiction(complaint.jurisdiction)
    due = jurisdiction.after(answer_from or now, jurisdiction.answer)
    step = Step.APPROVE if complaint.state == S.PENDING_REVIEW else Step.TAKE_MEASURES
    _move(
        session,
        complaint,
        step,
        now,
        actor,
        f"{note}: listing taken down, notice forwarded to the merchant",
        measures_at=now,
        due_at=due,
    )
    _command(session, complaint, "listing.take_down", {})
    _forward(
        session,
        complaint,
        "notice",
        {"type": "merchant", "id": complaint.merchant_id},
        {
            "text": complaint.text,
            "evidence": [item for item in complaint.evidence if item.get("from") == HOLDER],
            "answer_by": due.isoformat(),
        },
    )


def _timeline(
    session: Session,
    complaint_id: int,
    at: datetime,
    actor: str,
    from_state: str | None,
    to_state: str,
    note: str,
) -> None:
    session.add(
        ComplaintStepRow(
            complaint_id=complaint_id,
            at=at,
            actor=actor,
            from_state=from_state,
            to_state=str(to_state),
            note=note,
        )
    )
    session.flush()


def _about(complaint: ComplaintRow) -> dict[str, Any]:
    return {
        "complaint_id": complaint.id,
        "notice_ref": complaint.notice_ref,
        "listing_id": complaint.listing_id,
        "merchant_id": complaint.merchant_id,
        "brand_id": complaint.brand_id,
        "right_id": complaint.right_id,
        "jurisdiction": complaint.jurisdiction,
    }


def _command(session: Session, complaint: ComplaintRow, topic: str, extra: dict[str, Any]) -> None:
    # One take-down and at most one restore per complaint, however often a step repeats.
    enqueue(
        session,
        topic,
        f"{topic}:complaint:{complaint.id}",
        {"command": topic, "subject": {"type": "listing", "id": complaint.listing_id}}
        | _about(complaint)
        | extra,
    )


def _forward(
    session: Session,
    complaint: ComplaintRow,
    what: str,
    to: dict[str, Any],
    content: dict[str, Any],
) -> None:
    enqueue(
        session,
        "complaint.forwarded",
        f"complaint.forwarded:{complaint.id}:{what}",
        {"command": "complaint.forwarded", "what": what, "to": to} | _about(complaint) | content,
    )


def _adjust_standing(session: Session, holder_id: str, delta: int) -> None:
    """Move a holder's standing by ``delta``, kept within 0..100, in one statement (two
    notices ending at once both count)."""
    if delta == 0:
        return
    moved = RightsHolderRow.standing + delta
    session.execute(
        update(RightsHolderRow)
        .where(RightsHolderRow.id == holder_id)
        .values(standing=case((moved > 100, 100), (moved < 0, 0), else_=moved))
        .execution_options(synchronize_session=False)
    )
    holder = session.get(RightsHolderRow, holder_id)
    if holder is not None:
        session.refresh(holder)


def _record_upheld(
    session: Session, complaint: ComplaintRow, now: datetime, registry: Registry | None
) -> None:
    """Write ``ip_complaint.upheld`` to the log (its id is the complaint's: once) and
    run it through the pipeline when a registry is given."""
    assert complaint.closed_at is not None
    record = {
        "event_id": f"ip_complaint:{complaint.id}:upheld",
        "type": "ip_complaint.upheld",
        "occurred_at": complaint.closed_at.isoformat(),
        "source": "trustfair:complaints",
        "payload": _about(complaint),
    }
    envelope = event_adapter().validate_json(json.dumps(record))
    stored = append_events(session, [envelope], received_at=now)
    if stored and registry is not None:
        run_pipeline(stored, session, registry)
