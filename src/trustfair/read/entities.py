"""An entity's timeline and standing: what happened to a merchant or a streamer.

The timeline merges, newest first, the events about the account or authored by it
(its listings, its live segments), the decisions on them, its penalty points and
reversals, its sanctions and lifts, and its cases. Authored events are found through
the payload's ``merchant_id`` / ``streamer_id``, a JSON lookup both stores answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from trustfair.cases.work import cases_of
from trustfair.enforce.authors import event_types_authored_by
from trustfair.enforce.sanctions import active_sanction_rows, sanction_record
from trustfair.events.payload import EntityRef
from trustfair.policy.files import period_end, period_start
from trustfair.policy.schema import PolicyFile
from trustfair.store.models import (
    DecisionRow,
    EventRow,
    LiveRiskRow,
    PointsEntryRow,
    SanctionRow,
)

ACCOUNT_TYPES = ("merchant", "streamer")


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    """event, decision, points, sanction, lift or case."""
    summary: str
    ref: dict[str, Any] = field(default_factory=dict)


@dataclass
class Standing:
    entity: EntityRef
    points: dict[str, int]
    """This period's balance by class (general, serious)."""
    period_from: datetime
    period_until: datetime
    sanctions: list[dict[str, Any]]
    """In force now, each with its statement of reasons."""


def standing(session: Session, entity: EntityRef, now: datetime, spec: PolicyFile) -> Standing:
    """``entity``'s points in the period of ``now`` under the policy ``spec`` and the
    sanctions in force."""
    since, until = period_start(spec, now), period_end(spec, now)
    balance: dict[str, int] = {"general": 0, "serious": 0}
    for violation_class, points in session.execute(
        select(PointsEntryRow.violation_class, PointsEntryRow.points).where(
            PointsEntryRow.entity_type == entity.type,
            PointsEntryRow.entity_id == entity.id,
            PointsEntryRow.at >= since,
            PointsEntryRow.at < until,
        )
    ):
        balance[violation_class] = balance.get(violation_class, 0) + points
    in_force = [sanction_record(row) for row in active_sanction_rows(session, entity, now)]
    return Standing(entity, balance, since, until, in_force)


def timeline(
    session: Session, entity: EntityRef, limit: int = 200, *, as_party: bool = False
) -> list[TimelineItem]:
    """The newest ``limit`` things that happened to ``entity``, newest first.

    ``as_party``: the view the account's own people get. Only what the account wrote
    or said itself (its listings, its live segments, its shop): not who reported it,
    nor its buyers' tickets, reviews, surveys and orders; and no shadow rule's trial
    verdict in the decisions' reasons.
    """
    items: list[TimelineItem] = []
    about = or_(
        (EventRow.subject_type == entity.type) & (EventRow.subject_id == entity.id),
        EventRow.payload[f"{entity.type}_id"].as_string() == entity.id,
    )
    if as_party:
        about = about & EventRow.type.in_(event_types_authored_by(entity.type))
    events = list(
        session.scalars(
            select(EventRow)
            .where(about)
            .order_by(EventRow.occurred_at.desc(), EventRow.seq.desc())
            .limit(limit)
        )
    )
    for event in events:
        items.append(
            TimelineItem(
                event.occurred_at,
                "event",
                event.type,
                {"event_id": event.event_id, "seq": event.seq, "payload": event.payload},
            )
        )
    seqs = [e.seq for e in events]
    for decision, occurred_at in session.execute(
        select(DecisionRow, EventRow.occurred_at)
        .join(EventRow, EventRow.seq == DecisionRow.event_seq)
        .where(DecisionRow.event_seq.in_(seqs), DecisionRow.verdict != "allow")
    ):
        reasons = [r for r in decision.reasons or [] if not (as_party and r.get("shadow"))]
        rules = ", ".join(r["rule"] for r in reasons if not r.get("shadow"))
        items.append(
            TimelineItem(
                occurred_at,
                "decision",
                f"{decision.verdict}: {rules}",
                {"decision_id": decision.id, "reasons": reasons},
            )
        )
    for entry in session.scalars(
        select(PointsEntryRow).where(
            PointsEntryRow.entity_type == entity.type, PointsEntryRow.entity_id == entity.id
        )
    ):
        what = "reversal" if entry.reverses_id else entry.violation
        items.append(
            TimelineItem(
                entry.at,
                "points",
                f"{entry.points:+d} {entry.violation_class} ({what})",
                {"entry_id": entry.id, "matter": entry.matter, "rule": entry.rule},
            )
        )
    for sanction in session.scalars(
        select(SanctionRow).where(
            SanctionRow.entity_type == entity.type, SanctionRow.entity_id == entity.id
        )
    ):
        until = f" until {sanction.ends_at.isoformat()}" if sanction.ends_at else ""
        items.append(
            TimelineItem(
                sanction.starts_at,
                "sanction",
                f"{sanction.kind}{until}",
                {"sanction_id": sanction.id, "state": sanction.state},
            )
        )
        if sanction.lifted_at is not None:
            items.append(
                TimelineItem(
                    sanction.lifted_at,
                    "lift",
                    f"{sanction.kind} lifted: {sanction.lifted_reason or ''}",
                    {"sanction_id": sanction.id},
                )
            )
    for case in cases_of(session, entity):
        items.append(
            TimelineItem(
                case.opened_at,
                "case",
                f"{case.kind} case ({case.state})",
                {"case_id": case.id, "state": case.state},
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def points_ledger(
    session: Session, entity: EntityRef, limit: int = 50, offset: int = 0
) -> tuple[list[PointsEntryRow], int]:
    """A page of ``entity``'s penalty-points ledger, newest first, and how many lines it
    has: the awards and the reversals of those overturned, each its own line (an
    award is never edited, so the ledger shows what was given and what was taken back)."""
    where = (PointsEntryRow.entity_type == entity.type, PointsEntryRow.entity_id == entity.id)
    total = session.scalar(select(func.count()).select_from(PointsEntryRow).where(*where)) or 0
    page = session.scalars(
        select(PointsEntryRow)
        .where(*where)
        .order_by(PointsEntryRow.at.desc(), PointsEntryRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(page), int(total)


@dataclass(frozen=True)
class SessionAtRisk:
    session_id: str
    streamer_id: str | None
    score: float
    """Decayed to ``now``."""
    updated_at: datetime


def live_risk_clock(session: Session, wall_clock: datetime) -> datetime:
    """The moment to decay live risk scores to for "at risk right now": the wall clock,
    or the newest score's time if that is later.

    Scores decay in event time, stamped by the marketplace's clocks. When those run
    ahead of ours, the latest event seen is the truer "now"; taking the later of the
    two puts every session at one instant no earlier than any of their updates, so they
    rank fairly. Not the newest event time alone: if the stream of events stalls, a
    session must still cool down as real time passes.
    """
    newest = session.scalar(
        select(func.max(LiveRiskRow.updated_at)).where(LiveRiskRow.shutdown_at.is_(None))
    )
    return max(wall_clock, newest) if newest is not None else wall_clock


def live_sessions_at_risk(
    session: Session, now: datetime, half_life_seconds: float, limit: int = 50
) -> list[SessionAtRisk]:
    """Live sessions not yet shut down, by their risk score as of ``now``, highest first."""
    from trustfair.enforce.live_risk import decayed

    rows = session.scalars(
        select(LiveRiskRow)
        .where(LiveRiskRow.shutdown_at.is_(None))
        .order_by(LiveRiskRow.updated_at.desc())
        .limit(limit * 10)
    )
    found = [
        SessionAtRisk(
            row.session_id,
            row.streamer_id,
            round(decayed(row.score, row.updated_at, now, half_life_seconds), 2),
            row.updated_at,
        )
        for row in rows
    ]
    found = [f for f in found if f.score > 0.01]
    found.sort(key=lambda f: f.score, reverse=True)
    return found[:limit]
