"""How well the sanctions in the store match a simulation's truth.

Issue 4's yardstick: of the merchants and streamers suspended or banned at the end,
how many are offenders in the truth file; how many of the repeat offenders are among
them; and whether any honest one is banned. An offender is an account whose nature
is not honest (occasional or repeat). "At the end" is the time of the last event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.enforce.sanctions import in_force_at
from trustfair.store.models import EventRow, SanctionRow

SUSPENDING = ("live_suspension", "ban")
"""Sanctions that count as suspended or banned."""


def truth_natures(lines: Iterable[str]) -> dict[tuple[str, str], str]:
    """(entity type, id) → nature of every merchant and streamer in a truth file."""
    natures = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"truth line {number}: not JSON ({exc.msg})") from None
        if record.get("kind") == "entity":
            natures[(record["entity_type"], record["entity_id"])] = record["nature"]
    return natures


def sanctioned_at(session: Session, at: datetime) -> dict[tuple[str, str], set[str]]:
    """Accounts under a suspension or ban at ``at``, with the kinds they are under."""
    rows = session.execute(
        select(SanctionRow.entity_type, SanctionRow.entity_id, SanctionRow.kind).where(
            SanctionRow.kind.in_(SUSPENDING), in_force_at(at)
        )
    )
    found: dict[tuple[str, str], set[str]] = {}
    for entity_type, entity_id, kind in rows:
        found.setdefault((entity_type, entity_id), set()).add(kind)
    return found


def evaluate_enforcement(session: Session, natures: dict[tuple[str, str], str]) -> dict[str, Any]:
    end = session.execute(select(func.max(EventRow.occurred_at))).scalar_one()
    if end is None:
        raise ValueError("the store holds no events")
    sanctioned = {k: v for k, v in sanctioned_at(session, end).items() if k in natures}
    offenders = [k for k in sanctioned if natures[k] != "honest"]
    repeat = [k for k, nature in natures.items() if nature == "repeat"]
    repeat_caught = [k for k in repeat if k in sanctioned]
    honest_banned = sorted(
        f"{t}:{i}"
        for (t, i), kinds in sanctioned.items()
        if natures[(t, i)] == "honest" and "ban" in kinds
    )
    honest_suspended = sorted(f"{t}:{i}" for (t, i) in sanctioned if natures[(t, i)] == "honest")
    repeat_missed = sorted(f"{t}:{i}" for (t, i) in repeat if (t, i) not in sanctioned)
    return {
        "at": end.isoformat(),
        "suspended_or_banned": len(sanctioned),
        "banned": sum("ban" in kinds for kinds in sanctioned.values()),
        "offenders_among_them": len(offenders),
        "offender_share": round(len(offenders) / len(sanctioned), 4) if sanctioned else None,
        "repeat_offenders": len(repeat),
        "repeat_offenders_among_them": len(repeat_caught),
        "repeat_share": round(len(repeat_caught) / len(repeat), 4) if repeat else None,
        "honest_banned": honest_banned,
        "honest_suspended": honest_suspended,
        "repeat_missed": repeat_missed,
        "by_nature": {
            nature: sum(1 for k in sanctioned if natures[k] == nature)
            for nature in ("honest", "occasional", "repeat")
        },
    }
