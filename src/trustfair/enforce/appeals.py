"""Appeals: a sanctioned party asks for the decision to be looked at again.

An appeal opens a case (kind ``appeal``) about the sanction. A reviewer upholds it or
overturns it. An overturn undoes the decision behind the sanction: its points are
reversed by new ledger entries (the original entries stay), the sanction and the
copies shared with linked accounts are lifted, and so is any other sanction of the
period that the remaining points no longer reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.cases.states import CaseState
from trustfair.cases.timeline import take_step
from trustfair.enforce.linked import linked_entities
from trustfair.enforce.points import class_balance, entries_of_decision, points_changed
from trustfair.enforce.sanctions import ACTIVE, active_sanction_rows, lift_sanction
from trustfair.events.payload import EntityRef
from trustfair.policy.schema import IDENTITY_KEYS
from trustfair.store.models import CaseEventRow, CaseRow, PointsEntryRow, SanctionRow

APPEAL = "appeal"
UPHOLD = "uphold"
OVERTURN = "overturn"


class AppealRefused(ValueError):
    """An appeal that cannot be filed or decided, with the reason."""


@dataclass(frozen=True)
class AppealOutcome:
    case_id: int
    outcome: str
    reversed_entries: list[int]
    lifted_sanctions: list[int]


def file_appeal(
    session: Session, sanction_id: int, appellant: str, reason: str, at: datetime
) -> int:
    """Open an appeal case about ``sanction_id``; its id."""
    sanction = session.get(SanctionRow, sanction_id)
    if sanction is None:
        raise AppealRefused(f"no sanction {sanction_id}")
    if sanction.state != ACTIVE:
        raise AppealRefused(f"sanction {sanction_id} is {sanction.state}; only an active one")
    if sanction.shared_from_id is not None:
        raise AppealRefused(
            f"sanction {sanction_id} was shared from sanction {sanction.shared_from_id}"
            " of a linked account: appeal that one"
        )
    deadline = sanction.starts_at + timedelta(
        days=int(sanction.statement.get("appeal", {}).get("within_days", 0))
    )
    if at > deadline:
        raise AppealRefused(
            f"the appeal period of sanction {sanction_id} ended {deadline.isoformat()}"
        )
    if sanction.decision_id is None:
        raise AppealRefused(f"sanction {sanction_id} has no decision to reopen")
    subject = str(sanction_id)
    active = session.scalars(
        select(CaseRow).where(
            CaseRow.kind == APPEAL,
            CaseRow.subject_type == "sanction",
            CaseRow.subject_id == subject,
            CaseRow.state.in_([CaseState.OPEN, CaseState.IN_REVIEW, CaseState.APPEALED]),
        )
    ).first()
    if active is not None:
        raise AppealRefused(f"sanction {sanction_id} is already under appeal (case {active.id})")
    case = CaseRow(
        kind=APPEAL,
        queue="appeals",
        priority=2,
        state=CaseState.OPEN.value,
        subject_type="sanction",
        subject_id=subject,
        summary=f"{appellant} appeals {sanction.kind} of {sanction.entity_type} "
        f"{sanction.entity_id}: {reason}",
        opening_decision_id=sanction.decision_id,
        opened_at=at,
        sla_due_at=at + timedelta(days=2),
        updated_at=at,
    )
    session.add(case)
    session.flush()
    session.add(
        CaseEventRow(
            case_id=case.id,
            at=at,
            actor=appellant,
            action="opened",
            from_state=None,
            to_state=CaseState.OPEN.value,
            decision_id=sanction.decision_id,
            note=reason,
        )
    )
    return case.id


def decide_appeal(
    session: Session, case_id: int, reviewer: str, outcome: str, note: str, at: datetime
) -> AppealOutcome:
    """Uphold or overturn the sanction appealed in ``case_id``."""
    if outcome not in (UPHOLD, OVERTURN):
        raise AppealRefused(f"outcome must be {UPHOLD} or {OVERTURN}, not {outcome!r}")
    case = session.get(CaseRow, case_id)
    if case is None or case.kind != APPEAL:
        raise AppealRefused(f"no appeal case {case_id}")
    if case.state == CaseState.OPEN:
        take_step(session, case, "assign", reviewer, "", at)
    if case.state != CaseState.IN_REVIEW:
        raise AppealRefused(f"appeal case {case_id} is {case.state}; it was decided already")
    take_step(session, case, "decide", reviewer, f"{outcome}: {note}", at)
    sanction = session.get(SanctionRow, int(case.subject_id))
    assert sanction is not None
    if outcome == UPHOLD:
        return AppealOutcome(case_id, outcome, [], [])
    reversed_ids = _reverse_points(session, sanction.decision_id, reviewer, case_id, at)
    reason = f"overturned on appeal (case {case_id}): {note}"
    lifted = lift_sanction(session, sanction, reviewer, reason, at)
    lifted += _lift_unreached(session, sanction, reviewer, reason, at)
    lifted += _lift_what_they_caused(session, lifted, reviewer, reason, at)
    return AppealOutcome(case_id, outcome, reversed_ids, [row.id for row in lifted])


def undo_decision(
    session: Session, decision_id: int, reviewer: str, case_id: int, note: str, at: datetime
) -> tuple[list[int], list[int]]:
    """Undo what one decision did, as an overturn on appeal does: reverse its points
    (new ledger entries), lift its sanctions, their copies, the nodes the points no
    longer reach and what stood on them. The ids of the reversals and of the lifts."""
    reversed_ids = _reverse_points(session, decision_id, reviewer, case_id, at)
    reason = f"overturned on appeal (case {case_id}): {note}"
    lifted: list[SanctionRow] = []
    issued = session.scalars(
        select(SanctionRow).where(
            SanctionRow.decision_id == decision_id,
            SanctionRow.shared_from_id.is_(None),
            SanctionRow.state == ACTIVE,
        )
    )
    for sanction in list(issued):
        lifted += lift_sanction(session, sanction, reviewer, reason, at)
        lifted += _lift_unreached(session, sanction, reviewer, reason, at)
    lifted += _lift_what_they_caused(session, lifted, reviewer, reason, at)
    return reversed_ids, [row.id for row in lifted]


def _lift_what_they_caused(
    session: Session, lifted: list[SanctionRow], reviewer: str, reason: str, at: datetime
) -> list[SanctionRow]:
    """Lift the sanctions that stood on a lifted one: a ban for opening a new account
    while suspended goes when the suspension is overturned (and so on, in turn)."""
    gone = {row.id for row in lifted}
    more: list[SanctionRow] = []
    while True:
        holders = {EntityRef(row.entity_type, row.entity_id) for row in lifted}
        caused = []
        for holder in holders:
            for other in linked_entities(session, holder, IDENTITY_KEYS):
                for row in active_sanction_rows(session, other, at):
                    cited = {
                        link.get("sanction_id")
                        for link in row.statement.get("violation", {})
                        .get("evidence", {})
                        .get("linked", [])
                    }
                    if row.id not in gone and cited & gone:
                        caused.append(row)
        if not caused:
            return more
        lifted = []
        for row in caused:
            lifted += lift_sanction(session, row, reviewer, reason, at)
        gone |= {row.id for row in lifted}
        more += lifted


def _reverse_points(
    session: Session, decision_id: int | None, reviewer: str, case_id: int, at: datetime
) -> list[int]:
    if decision_id is None:
        return []
    reversed_ids = []
    for entry in entries_of_decision(session, decision_id):
        already = session.scalars(
            select(PointsEntryRow.id).where(PointsEntryRow.reverses_id == entry.id)
        ).first()
        if already is not None:
            continue
        reversal = PointsEntryRow(
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            violation=entry.violation,
            violation_class=entry.violation_class,
            points=-entry.points,
            matter=entry.matter,
            # Dated like the entry it undoes, so the period it counted in is the period
            # it is taken from.
            at=entry.at,
            decision_id=None,
            policy_version=entry.policy_version,
            rule=f"appeal:{case_id}",
            reverses_id=entry.id,
            note=f"reversed by {reviewer} at {at.isoformat()}",
        )
        session.add(reversal)
        session.flush()
        reversed_ids.append(reversal.id)
    points_changed(session)
    return reversed_ids


def _lift_unreached(
    session: Session, sanction: SanctionRow, reviewer: str, reason: str, at: datetime
) -> list[SanctionRow]:
    """Lift the holder's other sanctions of the period whose node the points left no
    longer reach."""
    holder = EntityRef(sanction.entity_type, sanction.entity_id)
    points = sanction.statement.get("points") or {}
    if not points:
        return []
    since = datetime.fromisoformat(points["period_from"])
    until = datetime.fromisoformat(points["period_until"]) - timedelta(microseconds=1)
    lifted = []
    others = session.scalars(
        select(SanctionRow).where(
            SanctionRow.entity_type == holder.type,
            SanctionRow.entity_id == holder.id,
            SanctionRow.state == ACTIVE,
            SanctionRow.shared_from_id.is_(None),
        )
    )
    for other in list(others):
        theirs = other.statement.get("points") or {}
        if theirs.get("period_from") != points["period_from"]:
            continue
        balance = class_balance(session, holder, theirs["class"], since, until)
        if theirs["node"] > balance:
            lifted += lift_sanction(session, other, reviewer, reason, at)
    return lifted
