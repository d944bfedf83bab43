"""Lexicon files are validated on load, with the file, the line and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustfair.text.lexicon import DEFAULT_LEXICON_DIR, load_lexicons
from trustfair.yaml_files import FileError


@pytest.fixture
def lexicons(tmp_path: Path) -> Path:
    copy = tmp_path / "lexicons"
    shutil.copytree(DEFAULT_LEXICON_DIR, copy)
    return copy


def broken(directory: Path, name: str, old: str, new: str) -> FileError:
    path = directory / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FileError) as caught:
        load_lexicons(directory)
    return caught.value


def test_the_default_lexicons_load_with_a_version() -> None:
    lexicons = load_lexicons()
    assert lexicons.version.startswith("2026.11.29+")
    assert set(lexicons.labels) == {
        "spam_porn",
        "extreme_claim",
        "medical_claim",
        "exaggeration",
        "price_fraud",
        "diversion",
        "staged_drama",
        "counterfeit_hint",
    }


def test_an_unknown_field_names_its_line(lexicons: Path) -> None:
    error = broken(
        lexicons, "exaggeration.yaml", "  - 永不反弹\n", "  - {term: 永不反弹, severty: block}\n"
    )
    assert error.path.endswith("exaggeration.yaml")
    assert error.line is not None and error.line > 1
    assert "severty" in error.problem


def test_a_bad_regular_expression_is_refused(lexicons: Path) -> None:
    error = broken(
        lexicons, "exaggeration.yaml", "patterns:\n", "patterns:\n  - {pattern: '(unclosed'}\n"
    )
    assert "not a valid regular expression" in error.problem


def test_broken_yaml_says_where(lexicons: Path) -> None:
    error = broken(lexicons, "diversion.yaml", "terms:\n", "terms: [\n")
    assert "not valid YAML" in error.problem
    assert error.line


def test_a_file_must_be_named_after_its_label(lexicons: Path) -> None:
    (lexicons / "diversion.yaml").rename(lexicons / "wechat.yaml")
    with pytest.raises(FileError, match=r"must be named diversion\.yaml"):
        load_lexicons(lexicons)


def test_every_label_needs_a_lexicon(lexicons: Path) -> None:
    (lexicons / "staged_drama.yaml").unlink()
    with pytest.raises(FileError, match="no lexicon for: staged_drama"):
        load_lexicons(lexicons)


def test_the_version_changes_with_the_content(lexicons: Path) -> None:
    before = load_lexicons(lexicons).version
    path = lexicons / "counterfeit_hint.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  # a comment changes the content\n", encoding="utf-8"
    )
    assert load_lexicons(lexicons).version != before
