"""Banks in bulk: a file of entries a brand (or the platform) sends at once, as YAML or
JSON, checked entry by entry like the API checks one (``library.add_entry``).

    banks:
      - brand_id: b001
        entries:
          - {kind: price_floor, amount_fen: 900000}
          - {kind: authorised_seller, value: m0012}
          - {kind: slang, value: 小香奈}
          - {kind: name, value: 香奈尔路, negative: true, note: a street, not the mark}

Importing is idempotent: an entry already in the bank (same brand, kind, value, amount,
category, picture and polarity) is not added twice, so a file can be sent again after
a fix. Nothing is added unless every entry is valid: a bad entry fails the whole file
with its place in the file, and the bank stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.brand.library import IMAGE_KINDS, BankError, EntryKind, NewEntry, add_entry
from trustfair.store.models import BankEntryRow
from trustfair.yaml_files import FileError, load_yaml_model, read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntrySpec(_Strict):
    kind: EntryKind
    value: str = Field(default="", max_length=200)
    amount_fen: int | None = Field(default=None, gt=0, le=10**12)
    category: str | None = Field(default=None, max_length=64)
    image_id: str | None = Field(default=None, max_length=128)
    negative: bool = False
    note: str = Field(default="", max_length=500)


class BankSpec(_Strict):
    brand_id: str = Field(min_length=1, max_length=128)
    entries: list[EntrySpec] = Field(max_length=100_000)


class BankFile(_Strict):
    banks: list[BankSpec] = Field(max_length=10_000)


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    already_there: int


def _key(
    brand_id: str,
    kind: str,
    value: str,
    amount: int | None,
    category: str | None,
    image_id: str | None,
    negative: bool,
) -> tuple[object, ...]:
    return (brand_id, kind, value.strip(), amount, category, image_id, negative)


def import_banks(session: Session, principal: Principal, path: Path, at: datetime) -> Imported:
    """Add the file's entries; FileError names the file, the entry and the problem."""
    spec = load_yaml_model(path, BankFile)
    lines = read_yaml(path)[1]
    existing = {
        _key(r.brand_id, r.kind, r.value, r.amount_fen, r.category, r.image_id, r.negative)
        for r in session.scalars(select(BankEntryRow))
    }
    added = already = 0
    for b, bank in enumerate(spec.banks):
        for e, entry in enumerate(bank.entries):
            # As the entry is stored: a picture id only on a picture entry.
            image_id = entry.image_id if entry.kind in IMAGE_KINDS else None
            key = _key(
                bank.brand_id,
                entry.kind.value,
                entry.value,
                entry.amount_fen,
                entry.category,
                image_id,
                entry.negative,
            )
            if key in existing:
                already += 1
                continue
            new = NewEntry(
                bank.brand_id,
                entry.kind,
                entry.value,
                entry.amount_fen,
                entry.category,
                entry.image_id,
                entry.negative,
                entry.note,
            )
            try:
                add_entry(session, principal, new, at)
            except (BankError, PermissionError) as exc:
                line = lines.get(("banks", b, "entries", e))
                raise FileError(path, line, f"banks.{b}.entries.{e}: {exc}") from None
            existing.add(key)
            added += 1
    return Imported(added, already)
