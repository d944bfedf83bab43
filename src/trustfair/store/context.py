"""The read-only view of the store that detectors and policies are given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.store.models import EventRow


class StoreContext:
    """Answers questions inside the batch's transaction, so it sees the batch too."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def events_between(
        self, subject: EntityRef, event_type: str, since: datetime, until: datetime, up_to_seq: int
    ) -> list[tuple[datetime, dict[str, Any]]]:
        return [
            (at, payload)
            for at, payload in self._session.execute(
                select(EventRow.occurred_at, EventRow.payload).where(
                    EventRow.subject_type == subject.type,
                    EventRow.subject_id == subject.id,
                    EventRow.type == event_type,
                    EventRow.occurred_at >= since,
                    EventRow.occurred_at <= until,
                    EventRow.seq <= up_to_seq,
                )
            )
        ]
