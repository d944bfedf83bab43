"""Commands for the marketplace, written to the transactional outbox.

A command is written in the transaction of the decision that caused it, so a crash
either loses both or keeps both; the dispatcher delivers it afterwards. The dedupe
key makes a replayed decision write nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import DecisionRow, OutboxRow


def enqueue_command(
    session: Session,
    topic: str,
    dedupe_key: str,
    payload: dict[str, Any],
    at: datetime,
    decision_id: int | None = None,
) -> bool:
    """Write one command unless one with ``dedupe_key`` exists; True if written."""
    statement = insert_ignoring_conflicts(session, OutboxRow.__table__, ["dedupe_key"]).returning(
        OutboxRow.id
    )
    written = session.execute(
        statement,
        {
            "topic": topic,
            "dedupe_key": dedupe_key,
            "payload": {"command": topic, **payload},
            "decision_id": decision_id,
            "created_at": at,
            "attempts": 0,
            "next_attempt_at": at,
            "delivered_at": None,
            "last_error": None,
        },
    ).scalar_one_or_none()
    return written is not None


def commands_for_events(session: Session, seqs: list[int]) -> list[dict[str, Any]]:
    """The commands decided for the events at ``seqs``, in the order they were written."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(seqs), 1_000):
        chunk = seqs[start : start + 1_000]
        rows = session.execute(
            select(OutboxRow.id, OutboxRow.topic, OutboxRow.payload)
            .join(DecisionRow, DecisionRow.id == OutboxRow.decision_id)
            .where(DecisionRow.event_seq.in_(chunk))
        )
        found.extend({"id": i, "topic": t, "payload": p} for i, t, p in rows)
    found.sort(key=lambda c: c["id"])
    return [{"topic": c["topic"], "payload": c["payload"]} for c in found]
