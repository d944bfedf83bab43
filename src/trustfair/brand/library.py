"""The counterfeit feature library: one bank per brand, co-built by the brand and the
platform.

An entry is one thing that tells a fake of the brand: a name (the mark) or the slang of
its fakes, a genuine, logo or known-fake picture, an authorised seller, a price floor
(a genuine X never sells below Y) or the pattern of fake serial numbers. A *negative*
entry says what is not a fake although it looks like one (a street called 香奈尔路, a
licensed press photo), so one bad entry does not flood reviewers with false positives;
and any entry can be disabled at once, without being forgotten.

A brand edits its own bank only while it holds a certified, valid trademark for it:
only certified rights are enforced. Platform staff (reviewers, admins) edit any bank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.brand.rights import certified_brands
from trustfair.events.payload import EntityRef
from trustfair.store.models import BankEntryRow, ImageRow
from trustfair.text.lexicon import valid_regex
from trustfair.text.normalize import normalize

MAX_TEXT = 64
"""A name or slang entry longer than this is a sentence, not a term."""
MAX_PATTERN = 120


class EntryKind(StrEnum):
    NAME = "name"
    SLANG = "slang"
    GENUINE_IMAGE = "genuine_image"
    LOGO = "logo"
    FAKE_IMAGE = "fake_image"
    AUTHORISED_SELLER = "authorised_seller"
    PRICE_FLOOR = "price_floor"
    SERIAL_PATTERN = "serial_pattern"


TEXT_KINDS = frozenset({EntryKind.NAME, EntryKind.SLANG})
IMAGE_KINDS = frozenset({EntryKind.GENUINE_IMAGE, EntryKind.LOGO, EntryKind.FAKE_IMAGE})
NEGATIVE_KINDS = TEXT_KINDS | IMAGE_KINDS
"""Kinds a negative entry may have: a seller or a floor has nothing to clear."""


class BankError(ValueError):
    """An entry that cannot be added or changed, and why."""


class NotAllowed(PermissionError):
    """The principal may not edit this brand's bank."""


@dataclass(frozen=True, slots=True)
class NewEntry:
    brand_id: str
    kind: EntryKind
    value: str = ""
    amount_fen: int | None = None
    category: str | None = None
    image_id: str | None = None
    negative: bool = False
    note: str = ""


MIN_TERM = 2
MIN_LATIN_TERM = 3
"""A one-character term (的) or a two-letter one would match most listings."""
MAX_SERIAL_REPEAT = 40


def _bounded(pattern: str) -> None:
    """A serial number has a length: every repeat in its pattern must be bounded
    ({1,8}, not + or *), so matching a token costs what the token's length allows."""
    import re._constants as sre_constants
    import re._parser as sre_parse

    def walk(tokens: object) -> None:
        for op, value in tokens:  # type: ignore[attr-defined]
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                _low, high, inner = value
                if high == sre_constants.MAXREPEAT or high > MAX_SERIAL_REPEAT:
                    raise ValueError(
                        f"repeats must be bounded (at most {{0,{MAX_SERIAL_REPEAT}}}), not + or *"
                    )
                walk(inner)
            elif op == sre_constants.SUBPATTERN:
                walk(value[-1])
            elif op == sre_constants.BRANCH:
                for branch in value[1]:
                    walk(branch)

    walk(sre_parse.parse(pattern))


def may_edit_bank(session: Session, principal: Principal, brand_id: str, at: datetime) -> bool:
    """Staff edit any bank; a brand its own, while a certified holder of it has a
    certified trademark valid at ``at``."""
    if principal.sees_everything:
        return True
    if not principal.may_see(EntityRef("brand", brand_id)):
        return False
    return brand_id in certified_brands(session, at, brand_id)


def _checked(session: Session, entry: NewEntry) -> NewEntry:
    kind = entry.kind
    value = entry.value.strip()
    if entry.negative and kind not in NEGATIVE_KINDS:
        raise BankError(f"a {kind} entry cannot be negative: only names, slang and pictures")
    if kind in TEXT_KINDS:
        if not value or len(value) > MAX_TEXT:
            raise BankError(f"a {kind} entry is a term of 1..{MAX_TEXT} characters")
        key = normalize(value).compact
        if len(key) < (MIN_LATIN_TERM if key.isascii() else MIN_TERM):
            raise BankError(
                f"{value!r} is too short to tell a brand by (at least {MIN_TERM} characters, "
                f"{MIN_LATIN_TERM} in latin letters, once spaces and marks are dropped)"
            )
    elif kind in IMAGE_KINDS:
        if not entry.image_id:
            raise BankError(f"a {kind} entry names an uploaded picture (image_id)")
        image = session.get(ImageRow, entry.image_id)
        if image is None:
            raise BankError(f"picture {entry.image_id!r} was not uploaded (PUT /v1/images/ID)")
        from trustfair.brand.images import (
            BANK_MIN_FEATURES,
            BANK_MIN_QUALITY,
            BANK_MIN_SIDE,
        )

        if (
            image.quality < BANK_MIN_QUALITY
            or min(image.width, image.height) < BANK_MIN_SIDE
            or image.feature_count < BANK_MIN_FEATURES
        ):
            raise BankError(
                f"picture {entry.image_id!r} has too little to match on ({image.width} × "
                f"{image.height} px, {image.feature_count} keypoints, quality {image.quality};"
                f" a bank picture needs {BANK_MIN_SIDE} px a side, {BANK_MIN_FEATURES}"
                f" keypoints, quality {BANK_MIN_QUALITY}): upload a larger, sharper photo"
            )
    elif kind == EntryKind.AUTHORISED_SELLER:
        if not value:
            raise BankError("an authorised_seller entry names the merchant (value)")
    elif kind == EntryKind.PRICE_FLOOR:
        if entry.amount_fen is None or entry.amount_fen <= 0:
            raise BankError("a price_floor entry needs amount_fen > 0 (whole fen)")
    elif kind == EntryKind.SERIAL_PATTERN:
        if not value or len(value) > MAX_PATTERN:
            raise BankError(f"a serial_pattern is a regular expression of 1..{MAX_PATTERN} chars")
        try:
            valid_regex(value)
            _bounded(value)
        except ValueError as exc:
            raise BankError(f"serial_pattern {value!r}: {exc}") from None
    if kind != EntryKind.PRICE_FLOOR and entry.amount_fen is not None:
        raise BankError(f"only a price_floor has amount_fen, not a {kind} entry")
    return NewEntry(
        entry.brand_id,
        kind,
        value,
        entry.amount_fen,
        entry.category,
        entry.image_id if kind in IMAGE_KINDS else None,
        entry.negative,
        entry.note,
    )


def add_entry(
    session: Session, principal: Principal, entry: NewEntry, at: datetime
) -> BankEntryRow:
    """Add ``entry`` to its brand's bank; BankError says what is wrong with it,
    NotAllowed that the principal may not edit this bank."""
    if not may_edit_bank(session, principal, entry.brand_id, at):
        raise NotAllowed(
            f"brand {entry.brand_id!r}'s bank is edited by its certified rights holder "
            "(with a certified, valid trademark) or by platform staff"
        )
    checked = _checked(session, entry)
    row = BankEntryRow(
        brand_id=checked.brand_id,
        kind=checked.kind.value,
        negative=checked.negative,
        value=checked.value,
        amount_fen=checked.amount_fen,
        category=checked.category,
        image_id=checked.image_id,
        enabled=True,
        note=checked.note,
        added_by=principal.actor,
        added_at=at,
    )
    session.add(row)
    session.flush()
    return row


def set_enabled(
    session: Session, principal: Principal, entry_id: int, enabled: bool, at: datetime
) -> BankEntryRow:
    """Disable (or enable again) one entry: it stops (or starts) matching with the next
    check, and the change is kept with who made it."""
    row = session.get(BankEntryRow, entry_id, with_for_update=True)
    if row is None or not principal.may_see(EntityRef("brand", row.brand_id)):
        raise LookupError(f"bank entry {entry_id} not found")
    if not may_edit_bank(session, principal, row.brand_id, at):
        raise NotAllowed(f"brand {row.brand_id!r}'s bank is not yours to edit")
    if row.enabled != enabled:
        row.enabled = enabled
        row.changed_by = principal.actor
        row.changed_at = at
        session.flush()
    return row


def entries_of(
    session: Session, brand_id: str, *, include_disabled: bool = True
) -> list[BankEntryRow]:
    query = select(BankEntryRow).where(BankEntryRow.brand_id == brand_id)
    if not include_disabled:
        query = query.where(BankEntryRow.enabled.is_(True))
    return list(session.scalars(query.order_by(BankEntryRow.id)))


@dataclass(frozen=True, slots=True)
class BankState:
    """What the banks (or some kinds of their entries) look like, cheaply: what a
    snapshot or an index was built from, and stale once it differs. An entry added, or
    one disabled or enabled again, moves the count, the latest id or the sum of the
    enabled ids, even when two changes fall in the same instant."""

    entries: int
    latest_id: int
    enabled: int
    enabled_ids: int
    latest_change: datetime | None


def bank_state(session: Session, kinds: Iterable[str] | None = None) -> BankState:
    """The state of the entries of ``kinds`` (all of them by default): one aggregate query."""
    enabled_id = case((BankEntryRow.enabled.is_(True), BankEntryRow.id), else_=0)
    query = select(
        func.count(BankEntryRow.id),
        func.max(BankEntryRow.id),
        func.count(case((BankEntryRow.enabled.is_(True), 1))),
        func.sum(enabled_id),
        func.max(func.coalesce(BankEntryRow.changed_at, BankEntryRow.added_at)),
    )
    if kinds is not None:
        query = query.where(BankEntryRow.kind.in_([str(kind) for kind in kinds]))
    count, latest, enabled, enabled_sum, changed = session.execute(query).one()
    return BankState(
        int(count or 0), int(latest or 0), int(enabled or 0), int(enabled_sum or 0), changed
    )
