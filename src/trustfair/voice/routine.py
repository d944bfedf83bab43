"""User listening's periodic work in one call, for the demo and a scheduler: the
call-back list brought up to date, and negative feedback judged week by week."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store
from trustfair.store.models import EventRow
from trustfair.voice.callbacks import refresh_callbacks
from trustfair.voice.negative import WINDOW, judge_negative_feedback


@dataclass
class Listened:
    listed: int = 0
    over_band: list[int] = field(default_factory=list)
    """Entities over the band, per week judged (oldest first)."""
    appended: int = 0


def listen(
    store: Store, registry: Registry, until: datetime | None = None, weeks: int | None = None
) -> Listened:
    """Refresh the call-back list as of ``until`` (the log's last event by default) and
    judge negative feedback for the ``weeks`` weeks back to it (every week since the
    log's first event by default); safe to run again."""
    with store.reading() as session:
        first, last = session.execute(
            select(func.min(EventRow.occurred_at), func.max(EventRow.occurred_at))
        ).one()
    until = until or last
    if until is None or first is None:
        return Listened()
    if weeks is None:
        weeks = max(1, math.ceil((until - first) / WINDOW))
    result = Listened()
    with store.transaction() as session:
        result.listed = len(refresh_callbacks(session, until).listed)
    for back in range(weeks - 1, -1, -1):
        with store.transaction() as session:
            run = judge_negative_feedback(session, until - back * WINDOW, registry)
        result.over_band.append(len(run.over_band))
        result.appended += len(run.appended)
    return result
