"""The banks: what an entry must say, who may edit a brand's bank, and bulk files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.brand.builders import holder, right
from tests.factories import T0
from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.brand.bank_file import import_banks
from trustfair.brand.library import (
    BankError,
    EntryKind,
    NewEntry,
    NotAllowed,
    add_entry,
    set_enabled,
)
from trustfair.events.payload import EntityRef
from trustfair.store.models import BankEntryRow
from trustfair.yaml_files import FileError

STAFF = Principal("user", "rev", Role.REVIEWER, PERMISSIONS[Role.REVIEWER])


def brand_user(brand_id: str) -> Principal:
    return Principal(
        "user",
        f"brand-{brand_id}",
        Role.BRAND,
        PERMISSIONS[Role.BRAND],
        frozenset({EntityRef("brand", brand_id)}),
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (NewEntry("b1", EntryKind.PRICE_FLOOR), "amount_fen > 0"),
        (NewEntry("b1", EntryKind.PRICE_FLOOR, amount_fen=-5), "amount_fen > 0"),
        (NewEntry("b1", EntryKind.SLANG, value="x" * 65), "1..64"),
        (NewEntry("b1", EntryKind.NAME, value="  "), "1..64"),
        (NewEntry("b1", EntryKind.SERIAL_PATTERN, value="(a+)+$"), "exponential"),
        (NewEntry("b1", EntryKind.SERIAL_PATTERN, value="[unclosed"), "not a valid regular"),
        (NewEntry("b1", EntryKind.LOGO, image_id="nope"), "was not uploaded"),
        (NewEntry("b1", EntryKind.FAKE_IMAGE), "names an uploaded picture"),
        (NewEntry("b1", EntryKind.AUTHORISED_SELLER, negative=True, value="m1"), "negative"),
        (NewEntry("b1", EntryKind.SLANG, value="驴牌", amount_fen=100), "only a price_floor"),
    ],
)
def test_a_bad_entry_is_refused_saying_why(store, entry: NewEntry, problem: str) -> None:
    with store.transaction() as session, pytest.raises(BankError, match=problem):
        add_entry(session, STAFF, entry, T0)


def test_a_brand_edits_its_own_bank_only_with_a_certified_valid_trademark(store) -> None:
    entry = NewEntry("b1", EntryKind.SLANG, value="小香奈")
    with store.transaction() as session, pytest.raises(NotAllowed, match="certified"):
        add_entry(session, brand_user("b1"), entry, T0)
    holder(store, "rh-b1", "b1")
    right(store, "rh-b1", "b1", valid_until=T0 + timedelta(days=30))
    with store.transaction() as session:
        row = add_entry(session, brand_user("b1"), entry, T0)
        assert row.added_by == "user:brand-b1"
    with store.transaction() as session, pytest.raises(NotAllowed):
        add_entry(session, brand_user("b2"), entry, T0)
    later = T0 + timedelta(days=31)  # the trademark has expired
    with store.transaction() as session, pytest.raises(NotAllowed):
        add_entry(session, brand_user("b1"), entry, later)
    with store.transaction() as session, pytest.raises(LookupError):
        set_enabled(session, brand_user("b2"), row.id, False, T0)


def test_a_bank_file_is_imported_once_and_a_bad_one_adds_nothing(store, tmp_path: Path) -> None:
    good = tmp_path / "banks.yaml"
    good.write_text(
        "banks:\n"
        "  - brand_id: b1\n"
        "    entries:\n"
        "      - {kind: price_floor, amount_fen: 900000}\n"
        "      - {kind: authorised_seller, value: m7}\n"
        "      - {kind: name, value: 香奈尔路, negative: true, note: a street}\n",
        encoding="utf-8",
    )
    with store.transaction() as session:
        assert import_banks(session, STAFF, good, T0).added == 3
    with store.transaction() as session:
        again = import_banks(session, STAFF, good, T0)
        assert (again.added, again.already_there) == (0, 3)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "banks:\n"
        "  - brand_id: b2\n"
        "    entries:\n"
        "      - {kind: slang, value: 驴牌}\n"
        "      - {kind: serial_pattern, value: '(a+)+'}\n",
        encoding="utf-8",
    )
    expected = r"bad.yaml:5: banks.0.entries.1: .*exponential"
    with pytest.raises(FileError, match=expected), store.transaction() as session:
        import_banks(session, STAFF, bad, T0)
    typo = tmp_path / "typo.yaml"
    typo.write_text("banks:\n  - brand_id: b2\n    entries:\n      - {kind: slogan}\n")
    expected = r"typo.yaml:4: banks.0.entries.0.kind"
    with pytest.raises(FileError, match=expected), store.transaction() as session:
        import_banks(session, STAFF, typo, T0)
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(BankEntryRow)) == 3


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (NewEntry("b1", EntryKind.SLANG, value="的"), "too short"),
        (NewEntry("b1", EntryKind.NAME, value="!!!"), "too short"),
        (NewEntry("b1", EntryKind.NAME, value="LV"), "too short"),
        (NewEntry("b1", EntryKind.SERIAL_PATTERN, value="[A-Z]+[A-Z]+Q"), "bounded"),
        (NewEntry("b1", EntryKind.SERIAL_PATTERN, value=r"CN\d{1,99}"), "bounded"),
    ],
)
def test_entries_that_would_match_everything_or_run_away_are_refused(
    store, entry: NewEntry, problem: str
) -> None:
    with store.transaction() as session, pytest.raises(BankError, match=problem):
        add_entry(session, STAFF, entry, T0)
