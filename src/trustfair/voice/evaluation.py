"""The call-back list measured against a simulation's truth (issue 8's yardstick).

Recall: of the users the truth marks hurt, the share ever put on the list. Precision:
of the users ever listed, the share truly hurt. By experience kind: of the hurt users'
experiences, those found (same kind and order or ticket); of the experiences behind
listed users, those the truth does not have (spurious), with examples of each.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.store.models import CallbackRow
from trustfair.voice.problems import Experience

EXAMPLES = 5


def _key(kind: str, order_id: str | None, ticket_id: str | None) -> str:
    about = f"order:{order_id}" if order_id else f"ticket:{ticket_id}"
    return f"{kind}:{about}"


def truth_hurt_users(lines: Iterable[str]) -> dict[str, set[str]]:
    """The truth's hurt users and the keys of their experiences; a bad line is a
    ValueError naming it."""
    hurt: dict[str, set[str]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or record.get("kind") != "hurt_user":
            continue
        try:
            keys = set()
            for experience in record["experiences"]:
                kind = Experience(experience["kind"]).value
                keys.add(_key(kind, experience.get("order_id"), experience.get("ticket_id")))
            hurt[str(record["user_id"])] = keys
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"line {number}: a hurt_user line without {exc}") from None
    return hurt


def evaluate_callbacks(session: Session, hurt: dict[str, set[str]]) -> dict[str, Any]:
    listed: dict[str, set[str]] = {}
    for entry in session.scalars(select(CallbackRow).order_by(CallbackRow.id)):
        listed.setdefault(entry.user_id, set()).update(r["key"] for r in entry.reasons)
    found_users = set(hurt) & set(listed)
    by_kind: dict[str, Counter[str]] = {k.value: Counter() for k in Experience}
    missed_examples: dict[str, list[str]] = {k.value: [] for k in Experience}
    spurious_examples: dict[str, list[str]] = {k.value: [] for k in Experience}
    for user, keys in hurt.items():
        for key in keys:
            kind = key.split(":", 1)[0]
            if key in listed.get(user, set()):
                by_kind[kind]["found"] += 1
            else:
                by_kind[kind]["missed"] += 1
                if len(missed_examples[kind]) < EXAMPLES:
                    missed_examples[kind].append(f"{user} {key}")
    for user, keys in listed.items():
        for key in keys:
            kind = key.split(":", 1)[0]
            if key not in hurt.get(user, set()):
                by_kind[kind]["spurious"] += 1
                if len(spurious_examples[kind]) < EXAMPLES:
                    spurious_examples[kind].append(f"{user} {key}")
    return {
        "hurt_users": len(hurt),
        "listed_users": len(listed),
        "listed_and_hurt": len(found_users),
        "recall": round(len(found_users) / len(hurt), 4) if hurt else None,
        "precision": round(len(found_users) / len(listed), 4) if listed else None,
        "missed_users": sorted(set(hurt) - set(listed))[:EXAMPLES],
        "spurious_users": sorted(set(listed) - set(hurt))[:EXAMPLES],
        "experiences": {
            kind: {
                "truth": counts["found"] + counts["missed"],
                "found": counts["found"],
                "missed": counts["missed"],
                "spurious": counts["spurious"],
                "missed_examples": missed_examples[kind],
                "spurious_examples": spurious_examples[kind],
            }
            for kind, counts in by_kind.items()
        },
    }
