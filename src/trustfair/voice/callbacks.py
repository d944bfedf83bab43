"""The call-back list: users hurt by several bad experiences within a window, called
back until the problem is resolved.

``refresh_callbacks`` (run by ``trustfair voice callbacks``, safe to run again) lists a
user with at least ``at_least`` experiences within ``window`` none of which is on one
of their entries already, with those experiences as the reasons. An open entry takes
the user's new experiences (see ``callback_states``: a called entry must be called
again). Once an entry is resolved, its experiences are settled: the user is listed
again, as a new entry, only when new experiences alone hurt them again (as many
within the window); one new experience beside old, resolved ones does not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import OPEN_CALLBACK_CONDITION, CallbackCallRow, CallbackRow
from trustfair.voice.callback_states import (
    CALL_OUTCOMES,
    LISTED,
    NEW_REASONS,
    REACHED,
    RESOLVED,
    CallbackRefused,
    move,
)
from trustfair.voice.experiences import Classifier, UserExperience, user_experiences

ACTOR = "system:voice"
HURT_WINDOW_DAYS = 30
HURT_AT_LEAST = 2
"""The truth's definition of a hurt user: this many experiences within the window."""


@dataclass(frozen=True)
class HurtRule:
    window: timedelta = timedelta(days=HURT_WINDOW_DAYS)
    at_least: int = HURT_AT_LEAST


@dataclass
class Refresh:
    listed: list[int] = field(default_factory=list)
    """Entries made by this run."""
    grown: list[int] = field(default_factory=list)
    """Open entries given new experiences."""
    users_with_experiences: int = 0


def hurt_windows(experiences: list[UserExperience], rule: HurtRule) -> list[list[UserExperience]]:
    """Each run of at least ``rule.at_least`` experiences within ``rule.window`` (ending
    at each experience), oldest first. ``experiences`` are sorted by time."""
    windows = []
    start = 0
    for end, last in enumerate(experiences):
        while last.at - experiences[start].at > rule.window:
            start += 1
        if end - start + 1 >= rule.at_least:
            windows.append(experiences[start : end + 1])
    return windows


def refresh_callbacks(
    session: Session,
    at: datetime,
    rule: HurtRule | None = None,
    classify: Classifier | None = None,
) -> Refresh:
    """Bring the call-back list up to date with every experience up to ``at``."""
    rule = rule or HurtRule()
    result = Refresh()
    by_user = user_experiences(session, at, classify)
    result.users_with_experiences = len(by_user)
    covered: dict[str, set[str]] = defaultdict(set)
    open_entries: dict[str, CallbackRow] = {}
    for entry in session.scalars(select(CallbackRow).order_by(CallbackRow.id)):
        covered[entry.user_id].update(reason["key"] for reason in entry.reasons)
        if entry.state != RESOLVED:
            open_entries[entry.user_id] = entry
    for user_id in sorted(by_user):
        experiences = by_user[user_id]
        seen = covered[user_id]
        entry = open_entries.get(user_id)
        if entry is not None:
            if any(e.key not in seen for e in experiences) and _add_reasons(
                session, entry.id, experiences, at
            ):
                result.grown.append(entry.id)
            continue
        reasons: dict[str, UserExperience] = {}
        hurt_at = None
        for window in hurt_windows([e for e in experiences if e.key not in seen], rule):
            hurt_at = hurt_at or window[-1].at
            reasons.update((e.key, e) for e in window)
        if hurt_at is None:
            continue
        listed = session.execute(
            insert_ignoring_conflicts(
                session, CallbackRow.__table__, ["user_id"], where=text(OPEN_CALLBACK_CONDITION)
            ).returning(CallbackRow.id),
            {
                "user_id": user_id,
                "state": LISTED,
                "reasons": [
                    e.to_record() for e in sorted(reasons.values(), key=lambda e: (e.at, e.key))
                ],
                "hurt_at": hurt_at,
                "listed_at": at,
                "note": "",
            },
        ).scalar_one_or_none()
        if listed is not None:
            result.listed.append(listed)
    session.flush()
    return result


def _add_reasons(
    session: Session, callback_id: int, experiences: list[UserExperience], at: datetime
) -> bool:
    """Add the experiences not yet on the open entry to it (locked: a call or a
    resolution logged meanwhile is seen), moving it back to ``listed`` if it was
    called; the step is logged. False if nothing was added (or it was resolved
    meanwhile: the next refresh judges those experiences anew)."""
    entry = _entry(session, callback_id)
    on_it = {reason["key"] for reason in entry.reasons}
    new = [e.to_record() for e in experiences if e.key not in on_it]
    if not new or entry.state == RESOLVED:
        return False
    move(entry, NEW_REASONS)
    entry.reasons = [*entry.reasons, *new]
    note = "new experiences: " + ", ".join(reason["key"] for reason in new)
    session.add(
        CallbackCallRow(callback_id=entry.id, at=at, actor=ACTOR, outcome=NEW_REASONS, note=note)
    )
    return True


def _entry(session: Session, callback_id: int) -> CallbackRow:
    # populate_existing: the entry as locked now, not a copy read earlier in the session.
    entry = session.get(CallbackRow, callback_id, with_for_update=True, populate_existing=True)
    if entry is None:
        raise LookupError(f"no call-back {callback_id}")
    return entry


def log_call(
    session: Session, callback_id: int, outcome: str, note: str, actor: str, at: datetime
) -> CallbackCallRow:
    """Log a call to the listed user: ``reached`` moves the entry to ``called``."""
    if outcome not in CALL_OUTCOMES:
        raise CallbackRefused(f"outcome {outcome!r}: one of {', '.join(CALL_OUTCOMES)}")
    entry = _entry(session, callback_id)
    move(entry, outcome)
    if outcome == REACHED and entry.called_at is None:
        entry.called_at = at
    call = CallbackCallRow(callback_id=entry.id, at=at, actor=actor, outcome=outcome, note=note)
    session.add(call)
    session.flush()
    return call


def resolve(session: Session, callback_id: int, note: str, actor: str, at: datetime) -> CallbackRow:
    """Mark the problem resolved; refused until a call reached the user."""
    entry = _entry(session, callback_id)
    move(entry, "resolve")
    entry.resolved_at, entry.resolved_by, entry.note = at, actor, note
    session.flush()
    return entry


def callback_record(
    entry: CallbackRow, calls: list[CallbackCallRow] | None = None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": entry.id,
        "user_id": entry.user_id,
        "state": entry.state,
        "reasons": entry.reasons,
        "hurt_at": entry.hurt_at.isoformat(),
        "listed_at": entry.listed_at.isoformat(),
        "called_at": entry.called_at.isoformat() if entry.called_at else None,
        "resolved_at": entry.resolved_at.isoformat() if entry.resolved_at else None,
        "resolved_by": entry.resolved_by,
        "note": entry.note,
    }
    if calls is not None:
        record["calls"] = [
            {"at": c.at.isoformat(), "actor": c.actor, "outcome": c.outcome, "note": c.note}
            for c in calls
        ]
    return record


def calls_of(session: Session, callback_id: int) -> list[CallbackCallRow]:
    return list(
        session.scalars(
            select(CallbackCallRow)
            .where(CallbackCallRow.callback_id == callback_id)
            .order_by(CallbackCallRow.id)
        )
    )
