"""Linked accounts: accounts behind which stands the same person or business.

Two accounts are linked when they share an identity key: an ID number, a phone, a
device, a bank account or an address. Keys are stored as keyed hashes (HMAC-SHA256
under ``TRUSTFAIR_IDENTITY_KEY``), so the table links accounts without holding the
numbers themselves; equal values hash equal, which is all linking needs. Values are
normalised first (width, spaces, dashes, case, a phone's +86), so ``+86-138-0013-8000``
is ``13800138000`` and a full-width address is the same address.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import IdentityKeyRow

DEFAULT_IDENTITY_KEY = "trustfair-identity-v1"
"""Used when TRUSTFAIR_IDENTITY_KEY is unset: fine for a demo, not for production."""

_SPACES = re.compile(r"[\s\-()]+")
_MEANINGFUL = re.compile(r"[1-9a-z\u4e00-\u9fff]")
"""A value with nothing but zeros and punctuation ("-", "000", "N/A" aside) links no one."""
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")


def _secret() -> bytes:
    return os.environ.get("TRUSTFAIR_IDENTITY_KEY", DEFAULT_IDENTITY_KEY).encode()


def normalised(kind: str, value: str) -> str:
    normal = _SPACES.sub("", unicodedata.normalize("NFKC", value)).casefold()
    if kind == "phone":
        normal = _COUNTRY_CODE.sub("", normal)
    return normal


def digest(kind: str, value: str) -> str:
    normal = normalised(kind, value)
    return hmac.new(_secret(), f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def identity_keys(identity: Any) -> list[tuple[str, str]]:
    """(kind, digest) of every key in an ``identity`` payload (events.types.parties)."""
    if identity is None:
        return []
    keys = []
    for kind in ("id_number", "phone", "bank_account", "address"):
        value = getattr(identity, kind, None)
        if value and _MEANINGFUL.search(normalised(kind, value)):
            keys.append((kind, digest(kind, value)))
    for device in getattr(identity, "device_ids", None) or ():
        if _MEANINGFUL.search(normalised("device", device)):  # not "-" or "000"
            keys.append(("device", digest("device", device)))
    return keys


def record_identity(
    session: Session,
    entity: EntityRef,
    keys: Iterable[tuple[str, str]],
    at: datetime,
    event_seq: int,
) -> None:
    rows = [
        {
            "entity_type": entity.type,
            "entity_id": entity.id,
            "kind": kind,
            "digest": value,
            "seen_at": at,
            "event_seq": event_seq,
        }
        for kind, value in keys
    ]
    if rows:
        statement = insert_ignoring_conflicts(
            session, IdentityKeyRow.__table__, ["entity_type", "entity_id", "kind", "digest"]
        )
        session.execute(statement, rows)


def linked_entities(
    session: Session, entity: EntityRef, kinds: Iterable[str], up_to_seq: int | None = None
) -> dict[EntityRef, set[str]]:
    """Other accounts sharing one of ``entity``'s keys of ``kinds``, and which keys, as
    the log stood at event ``up_to_seq`` (all of it when None)."""
    mine = IdentityKeyRow.__table__.alias("mine")
    theirs = IdentityKeyRow.__table__.alias("theirs")
    statement = (
        select(theirs.c.entity_type, theirs.c.entity_id, theirs.c.kind)
        .join(mine, (mine.c.kind == theirs.c.kind) & (mine.c.digest == theirs.c.digest))
        .where(
            mine.c.entity_type == entity.type,
            mine.c.entity_id == entity.id,
            mine.c.kind.in_(list(kinds)),
        )
    )
    if up_to_seq is not None:
        statement = statement.where(mine.c.event_seq <= up_to_seq, theirs.c.event_seq <= up_to_seq)
    rows = session.execute(statement)
    found: dict[EntityRef, set[str]] = {}
    for entity_type, entity_id, kind in rows:
        other = EntityRef(entity_type, entity_id)
        if other != entity:
            found.setdefault(other, set()).add(kind)
    return found
