"""The timers' data: deadlines per jurisdiction, and errors that name the bad key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from trustfair.brand.jurisdictions import (
    DEFAULT_TERMS_PATH,
    add_business_days,
    default_terms,
    load_terms,
)
from trustfair.yaml_files import FileError

FRIDAY = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)


def test_cn_counts_calendar_days_and_dmca_business_days() -> None:
    terms = default_terms()
    cn = terms.jurisdiction("CN")
    assert cn.after(FRIDAY, cn.restore) == FRIDAY + timedelta(days=15)
    assert cn.after(FRIDAY, cn.answer) == FRIDAY + timedelta(days=15)
    dmca = terms.jurisdiction("US-DMCA")
    assert dmca.after(FRIDAY, dmca.restore) == FRIDAY + timedelta(days=14)  # Friday
    assert dmca.latest(FRIDAY, dmca.restore) == FRIDAY + timedelta(days=20)  # Thursday
    with pytest.raises(LookupError, match="known: CN, US-DMCA"):
        terms.jurisdiction("EU")


def test_the_shipped_dmca_timer_skips_the_federal_holidays() -> None:
    dmca = default_terms().jurisdiction("US-DMCA")
    before_thanksgiving = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
    # 23, 24, 25, (26 Thanksgiving), 27, 30 November, 1, 2, 3, 4, 7 December.
    assert dmca.after(before_thanksgiving, dmca.restore) == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_business_days_skip_weekends_and_listed_holidays_in_utc() -> None:
    assert add_business_days(FRIDAY, 1) == FRIDAY + timedelta(days=3)
    saturday = FRIDAY + timedelta(days=1)
    assert add_business_days(saturday, 1) == FRIDAY + timedelta(days=3)
    monday = FRIDAY + timedelta(days=3)
    assert add_business_days(FRIDAY, 1, frozenset({monday.date()})) == FRIDAY + timedelta(days=4)
    # Counted on the UTC calendar: Saturday 07:00 in Shanghai is still Friday in UTC.
    shanghai = datetime.fromisoformat("2026-03-07T07:00:00+08:00")
    assert add_business_days(shanghai, 1) == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert date(2026, 3, 9).weekday() == 0


def test_a_bad_key_is_an_error_naming_it_and_its_line(tmp_path: Path) -> None:
    text = DEFAULT_TERMS_PATH.read_text(encoding="utf-8")
    cases = {
        "restore: {days: 15}": ("restore: {dayz: 15}", "jurisdictions.CN.restore.dayz"),
        "malicious: -30": ("malicious: -300", "standing.malicious"),
        "answer: {days: 14}": ("answer: {days: 14, business_days: 3}", "either days or"),
    }
    for old, (new, named) in cases.items():
        path = tmp_path / "complaints.yaml"
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(FileError, match=named) as error:
            load_terms(path)
        assert error.value.line is not None
