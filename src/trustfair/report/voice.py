"""The trust report's user-voice section: tickets (and low reviews and detractors'
comments beside them) by channel, problem and process; the merchants, categories and
streamers behind the most; what is rising in the last week; SLAs met and escalations.
All read from ``voice_tickets`` and ``voice_ticket_escalations`` (``trustfair export
tickets`` gives them row by row) and the diagnosis over the report's whole period.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import TicketEscalationRow, TicketRow
from trustfair.voice.diagnosis import diagnose
from trustfair.voice.tickets import TICKET


def _grouped(session: Session, column: object, *where: object) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(key): int(count) for key, count in sorted(rows, key=lambda r: str(r[0]))}


def voice_section(session: Session) -> Section:
    section = Section("voice", "User voice")
    tickets = TicketRow.source == TICKET
    first, last = session.execute(
        select(func.min(TicketRow.opened_at), func.max(TicketRow.opened_at))
    ).one()
    answered = (tickets, TicketRow.closed_at.is_not(None), TicketRow.due_at.is_not(None))
    closed = int(session.scalar(select(func.count()).where(*answered)) or 0)
    met = int(
        session.scalar(
            select(func.count()).where(*answered, TicketRow.closed_at <= TicketRow.due_at)
        )
        or 0
    )
    section.figures = [
        Figure(
            "voices",
            "Voices heard (tickets, low reviews, detractors' comments)",
            int(session.scalar(select(func.count()).select_from(TicketRow)) or 0),
            "voice_tickets",
        ),
        Figure(
            "tickets",
            "Tickets opened",
            int(session.scalar(select(func.count()).where(tickets)) or 0),
            "voice_tickets where source = ticket",
        ),
        Figure(
            "tickets_closed_within_sla",
            "Closed tickets answered within their SLA",
            round(100 * met / closed, 1) if closed else None,
            "voice_tickets closed: closed_at ≤ due_at, of all closed",
            unit="%",
        ),
        Figure(
            "tickets_escalated",
            "Tickets escalated past their SLA",
            int(
                session.scalar(select(func.count(func.distinct(TicketEscalationRow.ticket_id))))
                or 0
            ),
            "voice_ticket_escalations: distinct tickets",
        ),
        Figure(
            "escalations_level_2",
            "Escalations at twice the SLA",
            int(session.scalar(select(func.count()).where(TicketEscalationRow.level == 2)) or 0),
            "voice_ticket_escalations where level = 2",
        ),
        Figure(
            "tickets_unresolved",
            "Tickets closed unresolved",
            int(
                session.scalar(
                    select(func.count()).where(tickets, TicketRow.resolution == "unresolved")
                )
                or 0
            ),
            "voice_tickets where resolution = unresolved",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "by_channel",
            "Voices by channel",
            _grouped(session, TicketRow.channel),
            "voice_tickets, grouped by channel",
        ),
        Breakdown(
            "by_problem",
            "Voices by problem",
            _grouped(session, TicketRow.problem),
            "voice_tickets, grouped by problem (voice.classify)",
        ),
        Breakdown(
            "by_process",
            "Voices by process",
            _grouped(session, TicketRow.process),
            "voice_tickets, grouped by process (PROCESS_OF)",
        ),
    ]
    if first is None:
        return section
    found = diagnose(session, first, last)
    for dimension, label in (
        ("merchant", "merchants"),
        ("category", "categories"),
        ("streamer", "streamers"),
    ):
        section.breakdowns.append(
            Breakdown(
                f"top_{label}",
                f"Top {label}: voices per 100 orders (platform: {found.platform_rate_per_100})",
                {f"{o.key} ({o.main_problem})": o.rate_per_100 for o in found.offenders[dimension]},
                f"voice diagnosis: {label} with 20+ orders and 3+ voices, by rate against the"
                " platform's",
                unit="per 100 orders",
            )
        )
    section.breakdowns.append(
        Breakdown(
            "rising_this_week",
            "Rising in the last week (against the 4 weeks before)",
            {
                f"{r.problem}" + (f" at {r.merchant_id}" if r.merchant_id else ""): r.this_week
                for r in found.rising
            },
            "voice diagnosis: count this week, Poisson tail p < 0.01 against the weekly mean",
        )
    )
    return section
