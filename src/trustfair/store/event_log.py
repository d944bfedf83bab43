"""Appending to the event log, idempotently on ``event_id``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trustfair.events.envelope import Envelope
from trustfair.pipeline.interfaces import StoredEvent
from trustfair.store.models import EventRow


def insert_ignoring_conflicts(
    session: Session, table: Table, keys: list[str], where: ColumnElement[bool] | None = None
) -> Insert:
    """INSERT … ON CONFLICT (keys) [WHERE …] DO NOTHING, in the session's dialect.

    ``where`` names a partial unique index by its condition.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys, index_where=where)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=keys, index_where=where
        )
    raise NotImplementedError(f"no idempotent insert for {dialect}")


def event_row(envelope: Envelope, received_at: datetime) -> dict[str, object]:
    subject = envelope.subject()
    return {
        "event_id": envelope.event_id,
        "type": envelope.type,
        "occurred_at": envelope.occurred_at_utc(),
        "source": envelope.source,
        "subject_type": subject.type,
        "subject_id": subject.id,
        "payload": envelope.payload.model_dump(mode="json", exclude_unset=True),
        "received_at": received_at,
    }


def append_events(
    session: Session, envelopes: Sequence[Envelope], received_at: datetime
) -> list[StoredEvent]:
    """Store the events whose ids are new; return them, in input order, with their seq.

    A repeated id (already stored, or earlier in ``envelopes``) is skipped. The
    database's unique key decides, so two writers racing on one id store it once.
    """
    first_of_id: dict[str, Envelope] = {}
    for envelope in envelopes:
        first_of_id.setdefault(envelope.event_id, envelope)
    if not first_of_id:
        return []
    statement = insert_ignoring_conflicts(session, EventRow.__table__, ["event_id"]).returning(
        EventRow.seq, EventRow.event_id
    )
    rows = [event_row(e, received_at) for e in first_of_id.values()]
    stored = dict((event_id, seq) for seq, event_id in session.execute(statement, rows).all())
    return [
        StoredEvent(seq=stored[e.event_id], envelope=e)
        for e in first_of_id.values()
        if e.event_id in stored
    ]
