"""Where the outbox delivers and how its deliveries fare, for the people who watch them.

A command in the outbox is in one of four states, all derived from its row (see
``pipeline.outbox``): ``pending`` (never tried), ``retrying`` (tried, failed, due
again later), ``delivered``, or ``given_up`` (its attempts reached the limit; raising
``TRUSTFAIR_OUTBOX_MAX_ATTEMPTS`` revives it, so the limit in force decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import ColumnElement, func, select
from sqlalchemy import case as when_then
from sqlalchemy.orm import Session

from trustfair.pipeline.outbox import GIVEN_UP_AT
from trustfair.settings import Settings
from trustfair.store.models import OutboxRow

MASK = "***"
STATES = ("pending", "retrying", "delivered", "given_up")


def masked_url(url: str) -> str:
    """``url`` with what may be a credential hidden: the user and password before the
    host and every query value (``?token=...``). The path is shown as it is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return MASK  # not a URL we can take apart: show none of it
    netloc = f"{MASK}@{host}{port}" if "@" in parts.netloc else parts.netloc
    query = urlencode([(key, MASK) for key, _ in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


@dataclass(frozen=True)
class WebhookSetup:
    url: str | None
    """Masked (``masked_url``); None when nothing is delivered."""
    secret_set: bool
    max_attempts: int
    counts: dict[str, int]
    """Outbox commands by state (``STATES``)."""


def state_of(max_attempts: int) -> ColumnElement[str]:
    """The SQL expression of a row's state under the attempt limit ``max_attempts``."""
    return when_then(
        (OutboxRow.delivered_at.is_not(None), "delivered"),
        (OutboxRow.attempts >= max_attempts, "given_up"),
        (OutboxRow.attempts > 0, "retrying"),
        else_="pending",
    )


def webhook_setup(session: Session, settings: Settings) -> WebhookSetup:
    state = state_of(settings.outbox_max_attempts)
    counts = dict.fromkeys(STATES, 0)
    for name, count in session.execute(select(state, func.count()).group_by(state)):
        counts[name] = int(count)
    return WebhookSetup(
        url=masked_url(settings.webhook_url) if settings.webhook_url else None,
        secret_set=bool(settings.webhook_secret),
        max_attempts=settings.outbox_max_attempts,
        counts=counts,
    )


@dataclass(frozen=True)
class Delivery:
    row: OutboxRow
    state: str

    @property
    def due_at(self) -> datetime | None:
        """When the next attempt is due; None once delivered or given up."""
        if self.state in ("delivered", "given_up") or self.row.next_attempt_at >= GIVEN_UP_AT:
            return None
        return self.row.next_attempt_at


def deliveries(
    session: Session,
    settings: Settings,
    *,
    topic: str | None = None,
    undelivered: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Delivery], int]:
    """A page of outbox commands, newest first, and how many match: of ``topic`` only,
    and only the undelivered (or only the delivered) when ``undelivered`` says so."""
    conditions = []
    if topic:
        conditions.append(OutboxRow.topic == topic)
    if undelivered is True:
        conditions.append(OutboxRow.delivered_at.is_(None))
    elif undelivered is False:
        conditions.append(OutboxRow.delivered_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(OutboxRow).where(*conditions)) or 0
    state = state_of(settings.outbox_max_attempts)
    rows = session.execute(
        select(OutboxRow, state)
        .where(*conditions)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [Delivery(row, name) for row, name in rows], int(total)
