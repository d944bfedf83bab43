"""The banks as one ready-to-match snapshot, rebuilt only when they changed.

Building the automaton and the picture index is the expensive part of a check, and the
banks change rarely; so a snapshot remembers the state it was built from (entries, the
latest entry and change, the latest brand event) and, like an HMA index, can say how
stale it is. ``current_matcher`` compares that state with the store's, at most once per
batch, and rebuilds when a brand added, disabled or cleared an entry.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.brand.library import IMAGE_KINDS, TEXT_KINDS, BankState, EntryKind, bank_state
from trustfair.brand.matching import BrandBank, Floor, Matcher, SerialPattern, TextMatcher, TextTerm
from trustfair.store.models import BankEntryRow, EventRow
from trustfair.text.lexicon import load_lexicons

BRAND_EVENTS = ("brand.registered", "brand.updated")
TRADE_WORDS_LABEL = "counterfeit_hint"


@lru_cache(maxsize=1)
def trade_words() -> tuple[str, ...]:
    """The trade words of fakes in general (高仿, A货, 原单 …): the text engine's
    ``counterfeit_hint`` lexicon, so one list is kept, not two."""
    lexicon = load_lexicons().labels.get(TRADE_WORDS_LABEL)
    if lexicon is None:
        return ()
    return tuple(entry.term for entry in lexicon.term_entries())


@dataclass(frozen=True, slots=True)
class BankMark:
    """The state of the banks a snapshot was built from."""

    banks: BankState
    latest_brand_event: int


def bank_mark(session: Session) -> BankMark:
    brand_seq = session.scalar(
        select(func.max(EventRow.seq)).where(EventRow.type.in_(BRAND_EVENTS))
    )
    return BankMark(bank_state(session), int(brand_seq or 0))


@dataclass(frozen=True, slots=True)
class Snapshot:
    matcher: Matcher
    mark: BankMark
    built_at: datetime

    def is_stale(self, session: Session) -> bool:
        return bank_mark(session) != self.mark


def _brand_names(session: Session) -> dict[str, tuple[str, list[str]]]:
    names: dict[str, tuple[str, list[str]]] = {}
    rows = session.execute(
        select(EventRow.payload).where(EventRow.type.in_(BRAND_EVENTS)).order_by(EventRow.seq)
    )
    for (payload,) in rows:
        brand_id = payload["brand_id"]
        name, aliases = names.get(brand_id, ("", []))
        name = payload.get("name") or name
        if payload.get("aliases") is not None:
            aliases = list(payload["aliases"])
        names[brand_id] = (name, aliases)
    return names


def build_snapshot(session: Session, at: datetime) -> Snapshot:
    mark = bank_mark(session)
    names = _brand_names(session)
    banks: dict[str, BrandBank] = {}
    terms: list[TextTerm] = [TextTerm(None, None, "fake_trade_word", w) for w in trade_words()]

    def bank(brand_id: str) -> BrandBank:
        if brand_id not in banks:
            banks[brand_id] = BrandBank(brand_id, names.get(brand_id, (brand_id, []))[0])
        return banks[brand_id]

    for brand_id, (name, aliases) in names.items():
        bank(brand_id)
        for term in {name, *aliases}:
            if term:
                terms.append(TextTerm(None, brand_id, EntryKind.NAME, term))
    entries = session.scalars(select(BankEntryRow).where(BankEntryRow.enabled.is_(True)))
    for entry in entries:
        kind = EntryKind(entry.kind)
        target = bank(entry.brand_id)
        if kind in TEXT_KINDS:
            terms.append(TextTerm(entry.id, entry.brand_id, kind, entry.value, entry.negative))
        elif kind == EntryKind.AUTHORISED_SELLER:
            target.sellers[entry.value] = entry.id
        elif kind == EntryKind.PRICE_FLOOR and entry.amount_fen is not None:
            target.floors.append(Floor(entry.id, entry.amount_fen, entry.category))
        elif kind == EntryKind.SERIAL_PATTERN:
            target.serials.append(SerialPattern(entry.id, re.compile(entry.value)))
        elif kind in IMAGE_KINDS:
            pass  # the picture index (brand.image_index) holds these
    return Snapshot(Matcher(banks, TextMatcher(terms)), mark, at)


class SnapshotHolder:
    """The current snapshot of one store, shared by the batches that check listings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def current(self, session: Session, at: datetime) -> Snapshot:
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.is_stale(session):
                snapshot = self._snapshot = build_snapshot(session, at)
            return snapshot


_holders: dict[str, SnapshotHolder] = {}
_holders_lock = threading.Lock()


def holder_for(store_url: str) -> SnapshotHolder:
    """One holder per store (tests open many stores in one process)."""
    with _holders_lock:
        return _holders.setdefault(store_url, SnapshotHolder())
