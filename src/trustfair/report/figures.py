"""Compute the trust report's figures from the store.

Every figure carries ``source``: the records it counts, in words a person can check
against ``trustfair export``. Nothing in the report is typed in by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from trustfair import __version__
from trustfair.store.database import Store
from trustfair.store.models import (
    CaseRow,
    DecisionRow,
    EventRow,
    IngestRunRow,
    LiveRiskRow,
    OutboxRow,
    PointsEntryRow,
    SanctionRow,
    SignalRow,
)

LIVE_SHUTDOWN_TOPIC = "live.shutdown"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None
    source: str
    unit: str = ""


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    rows: dict[str, int]
    source: str
    unit: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


def _count_events(session: Session, event_type: str) -> int:
    return session.scalar(select(func.count()).where(EventRow.type == event_type)) or 0


def _count_distinct_subjects(session: Session, event_type: str) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(EventRow.subject_id))).where(
                EventRow.type == event_type
            )
        )
        or 0
    )


def _grouped(session: Session, column: Any, *where: Any) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(*where).group_by(column).order_by(column)
    ).all()
    return {str(key): int(count) for key, count in rows}


def _marketplace(session: Session) -> Section:
    paid_fen = session.scalar(
        select(func.coalesce(func.sum(EventRow.payload["amount_fen"].as_integer()), 0)).where(
            EventRow.type == "order.paid"
        )
    )
    section = Section("marketplace", "Marketplace activity")
    section.figures = [
        Figure(
            "merchants_registered",
            "Merchants registered",
            _count_distinct_subjects(session, "merchant.registered"),
            "distinct merchant_id of merchant.registered events",
        ),
        Figure(
            "streamers_registered",
            "Streamers registered",
            _count_distinct_subjects(session, "streamer.registered"),
            "distinct streamer_id of streamer.registered events",
        ),
        Figure(
            "listings_published",
            "Listings published",
            _count_distinct_subjects(session, "listing.published"),
            "distinct listing_id of listing.published events",
        ),
        Figure(
            "live_sessions",
            "Live sessions",
            _count_distinct_subjects(session, "live.started"),
            "distinct session_id of live.started events",
        ),
        Figure(
            "orders_paid", "Orders paid", _count_events(session, "order.paid"), "order.paid events"
        ),
        Figure(
            "gmv_fen",
            "Value of paid orders",
            int(paid_fen or 0),
            "sum of payload.amount_fen of order.paid events",
            unit="fen",
        ),
        Figure(
            "orders_returned",
            "Orders returned",
            _count_events(session, "order.returned"),
            "order.returned events",
        ),
        Figure(
            "orders_refunded",
            "Orders refunded",
            _count_events(session, "order.refunded"),
            "order.refunded events",
        ),
    ]
    return section


def _governance(session: Session) -> Section:
    sessions = _count_distinct_subjects(session, "live.started")
    reports_on_live = (
        session.scalar(
            select(func.count()).where(
                EventRow.type == "report.filed", EventRow.subject_type == "live_session"
            )
        )
        or 0
    )
    reported_sessions = (
        session.scalar(
            select(func.count(func.distinct(EventRow.subject_id))).where(
                EventRow.type == "report.filed", EventRow.subject_type == "live_session"
            )
        )
        or 0
    )
    section = Section("governance", "Governance")
    section.figures = [
        Figure(
            "reports_filed",
            "User reports filed",
            _count_events(session, "report.filed"),
            "report.filed events",
        ),
        Figure(
            "reports_on_live_sessions",
            "Reports on live sessions",
            reports_on_live,
            "report.filed events whose target is a live_session",
        ),
        Figure(
            "live_sessions_reported",
            "Live sessions reported at least once",
            reported_sessions,
            "distinct live_session targets of report.filed events",
        ),
        Figure(
            "live_report_rate",
            "Reports per 100 live sessions",
            round(100 * reports_on_live / sessions, 2) if sessions else None,
            "reports_on_live_sessions / live_sessions × 100",
        ),
        Figure(
            "cases_opened",
            "Review cases opened",
            session.scalar(select(func.count()).select_from(CaseRow)) or 0,
            "cases",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "decisions_by_verdict",
            "Decisions by verdict",
            _grouped(session, DecisionRow.verdict, DecisionRow.confirmed_by.is_(None)),
            "the pipeline's decisions, grouped by verdict (reviewers' confirmations apart)",
        ),
        Breakdown(
            "signals_by_label",
            "Signals by label",
            _grouped(session, SignalRow.label),
            "signals, grouped by label",
        ),
        Breakdown(
            "cases_by_kind",
            "Cases by kind",
            _grouped(session, CaseRow.kind),
            "cases, grouped by kind",
        ),
        Breakdown(
            "cases_by_state",
            "Cases by state",
            _grouped(session, CaseRow.state),
            "cases, grouped by state",
        ),
        Breakdown(
            "reports_by_reason",
            "Reports by reason",
            _grouped(
                session, EventRow.payload["reason"].as_string(), EventRow.type == "report.filed"
            ),
            "report.filed events, grouped by payload.reason",
        ),
    ]
    return section


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _standing_award() -> Any:
    """Points awards that no reversal points back at."""
    reversal = aliased(PointsEntryRow)
    return (
        PointsEntryRow.reverses_id.is_(None),
        ~exists().where(reversal.reverses_id == PointsEntryRow.id),
    )


def _penalised(session: Session, entity_type: str) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(PointsEntryRow.entity_id))).where(
                PointsEntryRow.entity_type == entity_type, *_standing_award()
            )
        )
        or 0
    )


def _net_points(session: Session, entity_type: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntryRow.points), 0)).where(
                PointsEntryRow.entity_type == entity_type
            )
        )
        or 0
    )


def _banned(session: Session, entity_type: str) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(SanctionRow.entity_id))).where(
                SanctionRow.entity_type == entity_type,
                SanctionRow.kind == "ban",
                SanctionRow.state != "lifted",
            )
        )
        or 0
    )


def _enforcement(session: Session) -> Section:
    section = Section("enforcement", "Penalties and sanctions")
    section.figures = [
        Figure(
            "merchants_penalised",
            "Merchants penalised",
            _penalised(session, "merchant"),
            "distinct merchants with a points_entries award (entity_type merchant) not reversed",
        ),
        Figure(
            "merchant_points",
            "Penalty points on merchants",
            _net_points(session, "merchant"),
            "sum of points_entries.points for merchants, reversals counted negative",
        ),
        Figure(
            "streamers_penalised",
            "Streamers penalised",
            _penalised(session, "streamer"),
            "distinct streamers with a points_entries award (entity_type streamer) not reversed",
        ),
        Figure(
            "streamer_points",
            "Penalty points on streamers",
            _net_points(session, "streamer"),
            "sum of points_entries.points for streamers, reversals counted negative",
        ),
        Figure(
            "points_reversed",
            "Points awards reversed",
            _count(session, PointsEntryRow, PointsEntryRow.reverses_id.is_not(None)),
            "points_entries with reverses_id set",
        ),
        Figure("sanctions_issued", "Sanctions issued", _count(session, SanctionRow), "sanctions"),
        Figure(
            "merchants_banned",
            "Merchants banned",
            _banned(session, "merchant"),
            "distinct merchants with a ban in sanctions, not lifted",
        ),
        Figure(
            "streamers_banned",
            "Streamers banned",
            _banned(session, "streamer"),
            "distinct streamers with a ban in sanctions, not lifted",
        ),
        Figure(
            "live_suspensions",
            "Live-streaming suspensions",
            _count(session, SanctionRow, SanctionRow.kind == "live_suspension"),
            "sanctions of kind live_suspension",
        ),
        Figure(
            "sanctions_shared_with_linked_accounts",
            "Sanctions extended to linked accounts",
            _count(session, SanctionRow, SanctionRow.shared_from_id.is_not(None)),
            "sanctions with shared_from_id set",
        ),
        Figure(
            "live_streams_shut_down",
            "Live streams shut down",
            _count(session, LiveRiskRow, LiveRiskRow.shutdown_at.is_not(None)),
            "live_risk rows with shutdown_at set",
        ),
        Figure(
            "live_shutdown_commands",
            "Shutdown commands sent to the marketplace",
            _count(session, OutboxRow, OutboxRow.topic == LIVE_SHUTDOWN_TOPIC),
            f"outbox rows of topic {LIVE_SHUTDOWN_TOPIC}",
        ),
        Figure(
            "sanctions_overturned",
            "Sanctions lifted on appeal or review",
            _count(session, SanctionRow, SanctionRow.state == "lifted"),
            "sanctions in state lifted (lifted_reason says why)",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "sanctions_by_kind",
            "Sanctions by kind",
            _grouped(session, SanctionRow.kind),
            "sanctions, grouped by kind",
        ),
        Breakdown(
            "sanctions_by_state",
            "Sanctions by state",
            _grouped(session, SanctionRow.state),
            "sanctions, grouped by state",
        ),
        Breakdown(
            "points_awards_by_violation",
            "Points awards by violation",
            _grouped(session, PointsEntryRow.violation, PointsEntryRow.reverses_id.is_(None)),
            "points_entries awards (reverses_id not set), grouped by violation",
        ),
        Breakdown(
            "sanctions_lifted_by_reason",
            "Sanctions lifted, by reason",
            _grouped(
                session,
                func.coalesce(SanctionRow.lifted_reason, "(no reason given)"),
                SanctionRow.state == "lifted",
            ),
            "sanctions in state lifted, grouped by lifted_reason",
        ),
    ]
    return section


def _event_log(session: Session) -> Section:
    totals = session.execute(
        select(
            func.coalesce(func.sum(IngestRunRow.accepted), 0),
            func.coalesce(func.sum(IngestRunRow.duplicates), 0),
            func.coalesce(func.sum(IngestRunRow.rejected), 0),
            func.count(),
        )
    ).one()
    section = Section("event_log", "Event log")
    section.figures = [
        Figure(
            "events_stored",
            "Events stored",
            session.scalar(select(func.count()).select_from(EventRow)) or 0,
            "events",
        ),
        Figure("ingest_runs", "Ingestion runs", int(totals[3]), "ingest_runs"),
        Figure("lines_accepted", "Lines accepted", int(totals[0]), "sum of ingest_runs.accepted"),
        Figure(
            "lines_duplicate",
            "Duplicate lines (ignored)",
            int(totals[1]),
            "sum of ingest_runs.duplicates",
        ),
        Figure("lines_rejected", "Lines rejected", int(totals[2]), "sum of ingest_runs.rejected"),
    ]
    section.breakdowns = [
        Breakdown(
            "events_by_type",
            "Events by type",
            _grouped(session, EventRow.type),
            "events, grouped by type",
        ),
    ]
    return section


def build_report(store: Store, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole report as plain data (what ``out/report.json`` holds)."""
    from trustfair.report.brand import brand_section
    from trustfair.report.courses import courses_section
    from trustfair.report.fulfilment import fulfilment_section
    from trustfair.report.listening import listening_section
    from trustfair.report.protection import protection_section
    from trustfair.report.settlement import settlement_section
    from trustfair.report.voice import voice_section

    with store.reading() as session:
        first, last = session.execute(
            select(func.min(EventRow.occurred_at), func.max(EventRow.occurred_at))
        ).one()
        sections = [
            _governance(session),
            _enforcement(session),
            _marketplace(session),
            protection_section(session),
            brand_section(session),
            voice_section(session),
            listening_section(session),
            courses_section(session, last or now or datetime.now(UTC)),
            fulfilment_section(session),
            settlement_section(session),
            _event_log(session),
        ]
    return {
        "title": "trustfair trust report",
        "generated_at": (now or datetime.now(UTC)).isoformat(),
        "generator": f"trustfair {__version__}",
        "store": store.dialect,
        "period": {
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
        "sections": [asdict(section) for section in sections],
    }
