"""Penalty points: awarded once per matter, escalated for repeats, and the nodes they
reach turned into sanctions.

Points of the two classes (general, serious) are counted apart, within the points
period the policy sets (a calendar year by default); a class's nodes are checked
whenever it gains points. The ledger is append-only: an overturned award is undone by
a reversing entry, and both stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select, text
from sqlalchemy.orm import Session

from trustfair.enforce.authors import matter_of
from trustfair.enforce.sanctions import issue_sanction, share_with_linked
from trustfair.events.fields import CHINA
from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Action, Decision, Signal
from trustfair.policy.files import FilePolicy, period_end, period_start
from trustfair.policy.schema import PolicyFile
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import (
    ORIGINAL_ENTRY_CONDITION,
    POINTS_GENERATION,
    PointsEntryRow,
    SanctionRow,
)


def points_changed(session: Session) -> None:
    """Tell readers that cache points (store.context) that the ledger changed."""
    session.info[POINTS_GENERATION] = session.info.get(POINTS_GENERATION, 0) + 1


def class_balance(
    session: Session, entity: EntityRef, violation_class: str, since: datetime, until: datetime
) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(PointsEntryRow.points), 0)).where(
            PointsEntryRow.entity_type == entity.type,
            PointsEntryRow.entity_id == entity.id,
            PointsEntryRow.violation_class == violation_class,
            PointsEntryRow.at >= since,
            PointsEntryRow.at <= until,
        )
    ).scalar_one()
    return int(total)


def statement_evidence(signals: Iterable[Signal]) -> list[dict[str, Any]]:
    """What a statement of reasons shows of the signals behind it: each one's label,
    detector and score, and its evidence (the spans found in the text, the shipping
    record, the prices compared …)."""
    return [
        {"label": s.label, "detector": s.detector, "score": s.score, **s.evidence} for s in signals
    ]


def award_points(session: Session, decision: Decision, action: Action) -> list[int]:
    """Record the points ``action`` asks for and issue the sanctions they reach."""
    policy: FilePolicy = decision.policy
    spec = policy.spec
    event = decision.event
    author = EntityRef(action.params["author"]["type"], action.params["author"]["id"])
    hit = decision.hit_of(action)
    assert hit is not None, "points are asked for by a rule of the decision"
    awarded = []
    for violation in action.params["violations"]:
        kind = spec.violations[violation]
        signals = [s for s in hit.signals if s.label == violation]
        matter = matter_of(event, violation, signals)
        at = matter.at
        points = kind.points
        escalation = spec.escalation
        repeated = _repeat_of(session, author, violation, at, escalation)
        note = ""
        if escalation is not None and repeated is not None:
            points *= escalation.factor
            note = f"repeats entry {repeated} of {escalation.window_days} days before"
        entry_id = session.execute(
            insert_ignoring_conflicts(
                session,
                PointsEntryRow.__table__,
                ["entity_type", "entity_id", "matter"],
                where=text(ORIGINAL_ENTRY_CONDITION),
            ).returning(PointsEntryRow.id),
            {
                "entity_type": author.type,
                "entity_id": author.id,
                "violation": violation,
                "violation_class": kind.violation_class,
                "points": points,
                "matter": matter.key,
                "at": at,
                "decision_id": decision.id,
                "policy_version": policy.version,
                "rule": hit.rule,
                "reverses_id": None,
                "note": note,
            },
        ).scalar_one_or_none()
        if entry_id is None:
            continue  # this matter was punished already
        points_changed(session)
        awarded.append(entry_id)
        evidence = statement_evidence(signals)
        _check_nodes(
            session,
            decision,
            author,
            kind.violation_class,
            at,
            {
                "entry_id": entry_id,
                "violation": violation,
                "class": kind.violation_class,
                "basis": kind.basis,
                "points": points,
                "matter": matter.key,
                "event_id": event.envelope.event_id,
                "rule": hit.rule,
                "evidence": evidence,
                "note": note,
            },
        )
    return awarded


def _repeat_of(
    session: Session, author: EntityRef, violation: str, at: datetime, escalation: Any
) -> int | None:
    if escalation is None:
        return None
    window = timedelta(days=escalation.window_days)
    rows = (
        session.connection()
        .execute(
            _RECENT_ENTRIES,
            {
                "entity_type": author.type,
                "entity_id": author.id,
                "violation": violation,
                # Both ways: an award dated later that arrived first is a repeat too.
                "since": at - window,
                "until": at + window,
            },
        )
        .all()
    )
    reversed_ids = {reverses for _, reverses in rows if reverses is not None}
    standing = [entry for entry, reverses in rows if reverses is None and entry not in reversed_ids]
    return standing[0] if standing else None


# Built once: asked for every award. Reversals come along (they are dated like what
# they undo), so an overturned award is not taken for a first offence.
_RECENT_ENTRIES = (
    select(PointsEntryRow.id, PointsEntryRow.reverses_id)
    .where(
        PointsEntryRow.entity_type == bindparam("entity_type"),
        PointsEntryRow.entity_id == bindparam("entity_id"),
        PointsEntryRow.violation == bindparam("violation"),
        PointsEntryRow.at >= bindparam("since"),
        PointsEntryRow.at <= bindparam("until"),
    )
    .order_by(PointsEntryRow.at.desc(), PointsEntryRow.id.desc())
)


def _check_nodes(
    session: Session,
    decision: Decision,
    author: EntityRef,
    violation_class: str,
    at: datetime,
    cause: dict[str, Any],
) -> None:
    """Issue the sanctions of the nodes ``author``'s balance of ``violation_class``
    reaches in the period holding ``at`` (when the matter awarded happened)."""
    policy: FilePolicy = decision.policy
    spec = policy.spec
    since = period_start(spec, at)
    # The whole period, not only up to this event's time: the ledger holds only what
    # earlier events (by seq) awarded, and one dated later must count the same
    # whichever order the two arrived in.
    until = period_end(spec, at) - timedelta(microseconds=1)
    balance = class_balance(session, author, violation_class, since, until)
    for node in spec.nodes[violation_class]:
        if node.points > balance:
            break
        for number, sanction in enumerate(node.sanctions):
            statement = {
                "policy_version": policy.version,
                "rule": cause["rule"],
                "violation": cause,
                "points": {
                    "class": violation_class,
                    "balance": balance,
                    "node": node.points,
                    "period_from": since.isoformat(),
                    "period_until": period_end(spec, at).isoformat(),
                },
                "appeal": appeal_terms(spec, decision.confirmed_at or at),
            }
            node_key = f"{violation_class}:{node.points}@{since.astimezone(CHINA).date()}#{number}"
            course = sanction.requires_course or spec.courses.course_for(
                sanction.kind, cause["violation"]
            )
            sanction_for(
                session,
                decision,
                author,
                sanction.kind,
                sanction.days,
                node_key,
                statement,
                at,
                requires_course=course,
            )


def appeal_terms(spec: PolicyFile, at: datetime) -> dict[str, Any]:
    """What a statement of reasons says about appealing it."""
    return {
        "within_days": spec.appeals.within_days,
        "until": (at + timedelta(days=spec.appeals.within_days)).isoformat(),
        "how": spec.appeals.how,
    }


def sanction_for(
    session: Session,
    decision: Decision,
    author: EntityRef,
    kind: str,
    days: int | None,
    node: str,
    statement: dict[str, Any],
    at: datetime,
    requires_course: str | None = None,
) -> SanctionRow | None:
    """Issue a sanction ``decision`` calls for, starting ``at`` (when the matter it
    punishes happened), and share it with linked accounts when the policy shares its
    kind; the new row, or None if ``node`` was issued before. With ``requires_course``
    it lifts only once its holder passed that course (copies shared do not wait)."""
    policy: FilePolicy = decision.policy
    # A reviewer's confirmation made later than the matter starts the sanction then, or
    # it would be half served (and past its appeal period) before anyone was told.
    at = decision.confirmed_at or at
    row = issue_sanction(
        session,
        author,
        kind,
        days,
        node,
        at,
        decision_id=decision.id,
        policy_version=policy.version,
        statement=statement,
        requires_course=requires_course,
    )
    linked = policy.spec.linked_accounts
    if row is not None and linked is not None and row.kind in linked.share:
        share_with_linked(session, row, linked.keys, at, decision.id, decision.event.seq)
    return row


def entries_of_decision(session: Session, decision_id: int) -> list[PointsEntryRow]:
    return list(
        session.scalars(
            select(PointsEntryRow).where(
                and_(
                    PointsEntryRow.decision_id == decision_id, PointsEntryRow.reverses_id.is_(None)
                )
            )
        )
    )
