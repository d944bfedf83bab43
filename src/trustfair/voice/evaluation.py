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


def evaluate_callbacks(
    session: Session, hurt: dict[str, set[str]], derived: dict[str, set[str]] | None = None
) -> dict[str, Any]:
    """Recall and precision of the list by user; by experience kind, the truth's
    experiences of hurt users that were ``found`` among the experiences derived from
    the log (``derived``, each user's keys; the listed entries' reasons when not given)
    or ``missed``; derived experiences of truly hurt users the truth does not have
    (``spurious``); and the experiences behind listed users the truth does not mark
    hurt (``behind_wrong_listings``)."""
    listed: dict[str, set[str]] = {}
    for entry in session.scalars(select(CallbackRow).order_by(CallbackRow.id)):
        listed.setdefault(entry.user_id, set()).update(r["key"] for r in entry.reasons)
    derived = derived if derived is not None else listed
    found_users = set(hurt) & set(listed)
    counts: dict[str, Counter[str]] = {k.value: Counter() for k in Experience}
    examples: dict[str, dict[str, list[str]]] = {
        k.value: {"missed": [], "spurious": [], "behind_wrong_listings": []} for k in Experience
    }

    def note(kind: str, what: str, user: str, key: str) -> None:
        counts[kind][what] += 1
        if what in examples[kind] and len(examples[kind][what]) < EXAMPLES:
            examples[kind][what].append(f"{user} {key}")

    for user, keys in hurt.items():
        ours = derived.get(user, set())
        for key in keys:
            note(key.split(":", 1)[0], "found" if key in ours else "missed", user, key)
        for key in ours - keys:
            note(key.split(":", 1)[0], "spurious", user, key)
    for user in set(listed) - set(hurt):
        for key in listed[user]:
            note(key.split(":", 1)[0], "behind_wrong_listings", user, key)
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
                "truth": c["found"] + c["missed"],
                "found": c["found"],
                "missed": c["missed"],
                "spurious": c["spurious"],
                "behind_wrong_listings": c["behind_wrong_listings"],
                "examples": examples[kind],
            }
            for kind, c in counts.items()
        },
    }
