"""Appending to the event log, idempotently on ``event_id``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trustfair.events.envelope import Envelope, event_adapter
from trustfair.pipeline.interfaces import StoredEvent
from trustfair.store.models import EventRow
from trustfair.store.types import sqlite_datetime


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


def stored_event(row: EventRow) -> StoredEvent:
    """An event read back from the log as the pipeline saw it (for a decision made
    later about it: a reviewer's confirmation)."""
    record = {
        "event_id": row.event_id,
        "type": row.type,
        "occurred_at": row.occurred_at.isoformat(),
        "source": row.source,
        "payload": row.payload,
    }
    return StoredEvent(seq=row.seq, envelope=event_adapter().validate_json(json.dumps(record)))


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
    fresh = list(first_of_id.values())
    if session.get_bind().dialect.name == "sqlite":
        stored = _append_on_sqlite(session, fresh, received_at)
    else:
        statement = insert_ignoring_conflicts(session, EventRow.__table__, ["event_id"])
        rows = [event_row(e, received_at) for e in fresh]
        stored = dict(
            (event_id, seq)
            for seq, event_id in session.execute(
                statement.returning(EventRow.seq, EventRow.event_id), rows
            ).all()
        )
    return [StoredEvent(seq=stored[e.event_id], envelope=e) for e in fresh if e.event_id in stored]


_SQLITE_INSERT = (
    "INSERT INTO events (event_id, type, occurred_at, source, subject_type,"
    " subject_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (event_id) DO NOTHING"
)


def _append_on_sqlite(
    session: Session, envelopes: list[Envelope], received_at: datetime
) -> dict[str, int]:
    # The hot path of the embedded store: one executemany of rows already in SQLite's
    # storage form (payload serialised by pydantic, times as UTC text), skipping
    # SQLAlchemy's per-value processing, which cost more than the insert itself.
    # The transaction began with BEGIN IMMEDIATE, so no other writer can add rows
    # between the two reads of seq: every row above the old maximum is ours.
    connection = session.connection()
    received = sqlite_datetime(received_at)
    rows = []
    for envelope in envelopes:
        subject = envelope.subject()
        rows.append(
            (
                envelope.event_id,
                envelope.type,
                sqlite_datetime(envelope.occurred_at),
                envelope.source,
                subject.type,
                subject.id,
                envelope.payload.model_dump_json(exclude_unset=True),
                received,
            )
        )
    before = connection.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM events").scalar_one()
    connection.exec_driver_sql(_SQLITE_INSERT, rows)
    return {
        event_id: seq
        for seq, event_id in connection.exec_driver_sql(
            "SELECT seq, event_id FROM events WHERE seq > ?", (before,)
        )
    }
