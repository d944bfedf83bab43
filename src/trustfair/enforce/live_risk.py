"""A live session's risk score, and the emergency shutdown when it crosses the threshold.

Every ``raise_live_risk`` action adds its amount to the session's score (the policy
file's rules ``live.risk.*`` say how much), which
decays exponentially in *event time*: the score at time T is the sum of every amount
a_i raised at t_i, times 2^(−(T − t_i)/half_life). The row keeps the score as of its
latest event time, so events arriving out of order add up to the same score, and a
replay of the log gives the same scores.

When the score reaches the threshold and the session has not been shut down yet, in
the same transaction: a ``live.shutdown`` command goes into the outbox (delivered by
webhook at once), ``shutdown_at`` is set, and a review case ``live_shutdown`` opens
for a person to confirm or lift it. Later risky events still raise the score (the
record shows how bad it got) but never send a second command.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trustfair.cases.effects.open_case import OpenCase
from trustfair.pipeline.interfaces import Action, Decision, StoredEvent
from trustfair.pipeline.outbox import enqueue
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings
from trustfair.store.context import StoreContext
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import LiveRiskRow

KIND = "raise_live_risk"
SHUTDOWN_TOPIC = "live.shutdown"
SHUTDOWN_CASE_KIND = "live_shutdown"
LIVE_EVENT_TYPES = frozenset({"live.segment", "live.chat", "report.filed"})
_LOCK_SPACE = 0x7F5E_0001  # the first key of PostgreSQL's two-key advisory locks


def decayed(score: float, since: datetime, at: datetime, half_life_seconds: float) -> float:
    """``score`` as of ``since``, seen at ``at`` (never grows when ``at`` is earlier)."""
    elapsed = (at - since).total_seconds()
    return score * 2.0 ** (-max(elapsed, 0.0) / half_life_seconds)


def add_risk(
    score: float, updated_at: datetime, amount: float, at: datetime, half_life_seconds: float
) -> tuple[float, datetime]:
    """The score after adding ``amount`` at ``at``, and the time it is now as of.

    An event older than the row's time adds its amount already decayed to that time,
    so the result does not depend on the order events arrive in.
    """
    if at >= updated_at:
        return decayed(score, updated_at, at, half_life_seconds) + amount, at
    return score + decayed(amount, at, updated_at, half_life_seconds), updated_at


def session_of(decision: Decision, params: dict[str, Any]) -> tuple[str, str | None] | None:
    """(session id, streamer id if known) the action is about, from its params or event."""
    payload = decision.event.envelope.payload
    session_id = params.get("session_id")
    streamer_id = params.get("streamer_id") or getattr(payload, "streamer_id", None)
    if session_id is None:
        subject = decision.event.subject
        if subject.type != "live_session":
            return None
        session_id = subject.id
    return str(session_id), streamer_id


def _amount(decision: Decision, action: Action) -> float:
    """What ``action`` adds: by the worst label among its rule's findings
    (``amount_by_label``), or ``amount`` for anything else."""
    params = action.params
    default = float(params.get("amount", 0))
    by_label = params.get("amount_by_label") or {}
    hit = decision.hit_of(action)
    labels = [s.label for s in hit.signals] if hit else []
    return max([float(by_label.get(label, default)) for label in labels] or [default])


def _largest_raise(decision: Decision, action: Action) -> bool:
    """One event is one matter for the risk score: when several rules raise it, only
    the largest raise counts (the first of equals)."""
    raises = [a for a in decision.actions if a.kind == KIND]
    amounts = [_amount(decision, a) for a in raises]
    best = max(range(len(raises)), key=lambda i: (amounts[i], -i))
    return raises[best] is action


def _reported_before(event: StoredEvent, session: Session, window: timedelta) -> bool:
    """Whether this report's reporter already reported the session within ``window``:
    one user reporting again is one voice."""
    reporter = getattr(event.envelope.payload, "reporter_id", None)
    if reporter is None:
        return False
    at = event.occurred_at
    earlier = StoreContext(session).events_between(
        event.subject, "report.filed", at - window, at + window, up_to_seq=event.seq - 1
    )
    return any(payload.get("reporter_id") == reporter for _, payload in earlier)


@dataclass(frozen=True)
class RaiseLiveRisk:
    half_life_seconds: float
    threshold: float
    case_sla_minutes: int
    kind: str = KIND

    def before_batch(self, events: Sequence[StoredEvent], session: Session) -> None:
        """On PostgreSQL, lock every live session of the batch now, in one order.

        Rows are otherwise locked event by event; two batches meeting the same
        sessions in different orders would deadlock. Transaction-scoped advisory locks
        on (space, crc32(session id)), taken sorted, cover rows that do not exist yet,
        and also serialise the case opened for the same session.
        """
        if session.get_bind().dialect.name != "postgresql":
            return  # SQLite: the transaction holds the only write lock already
        keys = sorted(
            {
                zlib.crc32(event.subject.id.encode()) - 2**31
                for event in events
                if event.type in LIVE_EVENT_TYPES and event.subject.type == "live_session"
            }
        )
        for key in keys:
            session.execute(
                text("SELECT pg_advisory_xact_lock(:space, :key)"),
                {"space": _LOCK_SPACE, "key": key},
            )

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        assert decision.id is not None, "a decision is stored before its effects run"
        params = action.params
        about = session_of(decision, params)
        if about is None:
            raise ValueError(f"{KIND}: event {decision.event.type} names no live session")
        session_id, streamer_id = about
        amount = _amount(decision, action)
        if amount <= 0 or not _largest_raise(decision, action):
            return
        if params.get("once_per_reporter_minutes") and _reported_before(
            decision.event, session, timedelta(minutes=float(params["once_per_reporter_minutes"]))
        ):
            return
        half_life = float(params.get("half_life_seconds") or self.half_life_seconds)
        threshold = float(params.get("threshold") or self.threshold)
        at = decision.event.occurred_at

        # Make sure the row exists, then lock it: two writers on one session queue here.
        session.execute(
            insert_ignoring_conflicts(session, LiveRiskRow.__table__, ["session_id"]),
            {
                "session_id": session_id,
                "streamer_id": streamer_id,
                "score": 0.0,
                "updated_at": at,
                "shutdown_at": None,
            },
        )
        row = session.scalars(
            select(LiveRiskRow).where(LiveRiskRow.session_id == session_id).with_for_update()
        ).one()
        row.score, row.updated_at = add_risk(row.score, row.updated_at, amount, at, half_life)
        row.streamer_id = row.streamer_id or streamer_id
        if row.score < threshold or row.shutdown_at is not None:
            return
        row.shutdown_at = at
        reasons = [hit.to_record() for hit in decision.hits]
        enqueue(
            session,
            SHUTDOWN_TOPIC,
            f"{SHUTDOWN_TOPIC}:{session_id}",
            {
                "command": "shutdown_live",
                "session_id": session_id,
                "streamer_id": row.streamer_id,
                "score": round(row.score, 3),
                "threshold": threshold,
                "reasons": reasons,
                "decided_at": at.isoformat().replace("+00:00", "Z"),
                "decision_id": decision.id,
                "event_id": decision.event.envelope.event_id,
            },
            decision_id=decision.id,
        )
        rules = ", ".join(sorted({hit.rule for hit in decision.hits}))
        OpenCase().apply(
            decision,
            Action(
                "open_case",
                {
                    "kind": SHUTDOWN_CASE_KIND,
                    "queue": "live",
                    "priority": 0,
                    "subject_type": "live_session",
                    "subject_id": session_id,
                    "sla_minutes": self.case_sla_minutes,
                    "summary": (f"shut down: risk {row.score:.0f} reached {threshold:g} ({rules})"),
                },
            ),
            session,
        )


@register_effect(KIND)
def make_effect(settings: Settings) -> RaiseLiveRisk:
    return RaiseLiveRisk(
        half_life_seconds=settings.live_risk_half_life_seconds,
        threshold=settings.live_risk_threshold,
        case_sla_minutes=int(settings.live_case_sla.total_seconds() // 60),
    )
