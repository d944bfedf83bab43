"""Sanctions and the restrictions they put in force.

A sanction is issued once per node (``uq_sanctions_node``): replaying the events that
led to it issues nothing twice. Each carries its statement of reasons and is told to
the marketplace by an outbox command. Sanctions of the kinds a policy names are
shared with linked accounts, both ways: a ban reaches the accounts that already share
a key with the banned one, and an account registered later with such a key.

A sanction may wait for a rule course (``requires_course``): its holder must pass the
course's exam, after the sanction started, before it lifts. ``in_force_at`` is the one
definition of "in force" every reader uses: issued by then, not lifted, and either its
term not over or a course it waits for not passed by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, text
from sqlalchemy.orm import Session, object_session

from trustfair.enforce.linked import linked_entities
from trustfair.events.payload import EntityRef
from trustfair.pipeline.outbox import enqueue
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import ACTIVE_SANCTION_CONDITION, CourseHoldRow, SanctionRow

ACTIVE = "active"
LIFTED = "lifted"


def waiting_for_course_at(at: datetime) -> ColumnElement[bool]:
    """SQL: the sanction waits for a course its holder had not passed by ``at``."""
    return exists().where(
        CourseHoldRow.sanction_id == SanctionRow.id,
        or_(CourseHoldRow.released_at.is_(None), CourseHoldRow.released_at > at),
    )


def in_force_at(at: datetime) -> ColumnElement[bool]:
    """SQL: a sanction in force at ``at``: issued by then, not lifted, and its term not
    over or a course it waits for not passed by then."""
    return and_(
        SanctionRow.state == ACTIVE,
        SanctionRow.starts_at <= at,
        or_(SanctionRow.ends_at.is_(None), SanctionRow.ends_at > at, waiting_for_course_at(at)),
    )


def active_sanction_rows(session: Session, entity: EntityRef, at: datetime) -> list[SanctionRow]:
    """``entity``'s sanctions in force at ``at`` (``in_force_at``)."""
    return list(
        session.scalars(
            select(SanctionRow)
            .where(
                SanctionRow.entity_type == entity.type,
                SanctionRow.entity_id == entity.id,
                in_force_at(at),
            )
            .order_by(SanctionRow.id)
        )
    )


def course_hold_of(session: Session, sanction_id: int) -> CourseHoldRow | None:
    return session.get(CourseHoldRow, sanction_id)


def sanction_record(row: SanctionRow) -> dict[str, Any]:
    session = object_session(row)
    hold = course_hold_of(session, row.id) if session is not None else None
    return {
        "sanction_id": row.id,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "kind": row.kind,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
        "state": row.state,
        "policy_version": row.policy_version,
        "statement": row.statement,
        "shared_from_id": row.shared_from_id,
        "waits_for_course": hold_record(hold) if hold is not None else None,
    }


def hold_record(hold: CourseHoldRow) -> dict[str, Any]:
    """What a sanction's holder is told of the course it waits for."""
    return {
        "course_id": hold.course_id,
        "passed_at": hold.released_at.isoformat() if hold.released_at else None,
    }


def issue_sanction(
    session: Session,
    entity: EntityRef,
    kind: str,
    days: int | None,
    node: str,
    at: datetime,
    *,
    decision_id: int | None,
    policy_version: str,
    statement: dict[str, Any],
    shared_from_id: int | None = None,
    requires_course: str | None = None,
) -> SanctionRow | None:
    """Issue a sanction for ``node`` unless it was issued already; the new row or None.

    With ``requires_course``, it lifts only once its holder has passed that course's
    exam (after ``at``), even when its days are over."""
    ends_at = at + timedelta(days=days) if days else None
    statement = {**statement, "sanction": kind, "until": ends_at.isoformat() if ends_at else None}
    if requires_course is not None:
        statement["requires_course"] = requires_course
    inserted = session.execute(
        insert_ignoring_conflicts(
            session,
            SanctionRow.__table__,
            ["entity_type", "entity_id", "node"],
            where=text(ACTIVE_SANCTION_CONDITION),
        ).returning(SanctionRow.id),
        {
            "entity_type": entity.type,
            "entity_id": entity.id,
            "kind": kind,
            "node": node,
            "starts_at": at,
            "ends_at": ends_at,
            "state": ACTIVE,
            "decision_id": decision_id,
            "policy_version": policy_version,
            "statement": statement,
            "shared_from_id": shared_from_id,
            "lifted_at": None,
            "lifted_by": None,
            "lifted_reason": None,
        },
    ).scalar_one_or_none()
    if inserted is None:
        return None
    row = session.get(SanctionRow, inserted)
    assert row is not None
    if requires_course is not None:
        _hold_for_course(session, row, requires_course)
    enqueue(
        session,
        "sanction.issued",
        f"sanction.issued:{row.id}",
        {"command": "sanction.issued", **sanction_record(row)},
        decision_id,
    )
    return row


def _hold_for_course(session: Session, row: SanctionRow, course_id: str) -> None:
    # Imported here: the courses package reads sanctions too (the holds it releases).
    from trustfair.merchant.exams import passed_since

    hold = CourseHoldRow(
        sanction_id=row.id,
        course_id=course_id,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        created_at=row.starts_at,
    )
    # A pass recorded before this sanction was (an event replayed late), but after it
    # started, counts: the order the two arrived in must not matter.
    passed = passed_since(
        session, EntityRef(row.entity_type, row.entity_id), course_id, row.starts_at
    )
    if passed is not None:
        hold.released_at, hold.released_by_attempt_id = passed.submitted_at, passed.id
    session.add(hold)
    session.flush()


def share_with_linked(
    session: Session,
    sanction: SanctionRow,
    keys: Iterable[str],
    at: datetime,
    decision_id: int | None,
    up_to_seq: int,
) -> list[SanctionRow]:
    """Copy ``sanction`` to every account linked to its holder by one of ``keys``."""
    holder = EntityRef(sanction.entity_type, sanction.entity_id)
    root = sanction.shared_from_id or sanction.id
    shared = []
    for other, by in sorted(linked_entities(session, holder, keys, up_to_seq).items()):
        copy = _copy(session, sanction, other, sorted(by), at, decision_id, root)
        if copy is not None:
            shared.append(copy)
    return shared


def inherit_from_linked(
    session: Session,
    entity: EntityRef,
    keys: Iterable[str],
    kinds: Iterable[str],
    at: datetime,
    decision_id: int | None,
    up_to_seq: int,
) -> list[SanctionRow]:
    """Give ``entity`` the sanctions of ``kinds`` in force on accounts linked to it."""
    kinds = set(kinds)
    inherited = []
    for other, by in sorted(linked_entities(session, entity, keys, up_to_seq).items()):
        for theirs in active_sanction_rows(session, other, at):
            if theirs.kind in kinds:
                root = theirs.shared_from_id or theirs.id
                copy = _copy(session, theirs, entity, sorted(by), at, decision_id, root)
                if copy is not None:
                    inherited.append(copy)
    return inherited


def _copy(
    session: Session,
    original: SanctionRow,
    to: EntityRef,
    by: list[str],
    at: datetime,
    decision_id: int | None,
    root: int,
) -> SanctionRow | None:
    root_row = original if original.id == root else session.get(SanctionRow, root)
    if root_row is not None and (root_row.entity_type, root_row.entity_id) == to:
        return None  # an account's own sanction does not come back to it
    remaining = None
    if original.ends_at is not None:
        left = original.ends_at - at
        if left <= timedelta(0):
            return None
        remaining = max(1, round(left / timedelta(days=1)))
    ends_at = at + timedelta(days=remaining) if remaining else None
    for held in active_sanction_rows(session, to, at):
        if held.kind == original.kind and (
            held.ends_at is None or (ends_at is not None and held.ends_at >= ends_at)
        ):
            return None  # already under as much of it: a copy would add nothing
    # The linked account is told what it shares and why, not the other account's case:
    # its evidence, its matter and its points stay with it (staff follow sanction_id).
    violation = original.statement.get("violation") or {}
    statement = {
        "policy_version": original.statement.get("policy_version"),
        "rule": original.statement.get("rule"),
        "violation": {k: violation[k] for k in ("violation", "class", "basis") if k in violation},
        "appeal": original.statement.get("appeal"),
        "shared": {
            "from": {"entity_type": original.entity_type, "entity_id": original.entity_id},
            "sanction_id": root,
            "linked_by": by,
        },
    }
    return issue_sanction(
        session,
        to,
        original.kind,
        remaining,
        f"shared:{root}",
        at,
        decision_id=decision_id,
        policy_version=original.policy_version,
        statement=statement,
        shared_from_id=root,
    )


def lift_sanction(
    session: Session, sanction: SanctionRow, by: str, reason: str, at: datetime
) -> list[SanctionRow]:
    """Lift ``sanction`` and the copies shared from it; the rows lifted."""
    lifted = []
    copies = session.scalars(
        select(SanctionRow).where(
            SanctionRow.shared_from_id == sanction.id, SanctionRow.state == ACTIVE
        )
    )
    for row in [sanction, *copies]:
        if row.state != ACTIVE:
            continue
        row.state, row.lifted_at, row.lifted_by, row.lifted_reason = LIFTED, at, by, reason
        enqueue(
            session,
            "sanction.lifted",
            f"sanction.lifted:{row.id}",
            {"command": "sanction.lifted", **sanction_record(row), "lifted_reason": reason},
        )
        lifted.append(row)
    session.flush()
    return lifted
