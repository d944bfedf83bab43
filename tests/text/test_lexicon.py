"""Lexicon files are validated on load, with the file, the line and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustfair.text.engine import ModerationEngine
from trustfair.text.lexicon import DEFAULT_LEXICON_DIR, load_lexicons
from trustfair.yaml_files import FileError


@pytest.fixture
def lexicons(tmp_path: Path) -> Path:
    copy = tmp_path / "lexicons"
    shutil.copytree(DEFAULT_LEXICON_DIR, copy)
    return copy


def broken(directory: Path, name: str, old: str, new: str) -> FileError:
    """Change one file and return the error loading the directory into an engine gives."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor {old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FileError) as caught:
        ModerationEngine.load(directory)
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


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "  - 永不反弹\n",
            "  - {term: 永不反弹的神奇配方九九, disguise: true}\n",
            "at most 8 characters",
        ),
        ("  - 永不反弹\n", "  - '___'\n", "empty once normalised"),
        ("patterns:\n", "patterns:\n  - {pattern: 'x*'}\n", "matches the empty string"),
        ("patterns:\n", "patterns:\n  - {pattern: '(a+)+$'}\n", "a repeat inside a repeat"),
        ("patterns:\n", "patterns:\n  - {pattern: '(a|aa)*b'}\n", "a repeat inside a repeat"),
        ("patterns:\n", "patterns:\n  - {pattern: '\\d*\\d*\\d*x'}\n", "unbounded repeats"),
        ("patterns:\n", "patterns:\n  - {pattern: '1\\W*贴\\W*见效'}\n", "unbounded repeats"),
        (
            "lawful:\n",
            "lawful:\n  - {pattern: '好', only_with: no_such_group}\n",
            "'no_such_group', which is not defined",
        ),
        ("terms:\n", "anchors: &a [x]\nterms:\n  - *a\n", "aliases"),
    ],
)
def test_untrusted_lexicon_content_is_refused(
    lexicons: Path, old: str, new: str, problem: str
) -> None:
    assert problem in broken(lexicons, "exaggeration.yaml", old, new).problem


def test_detector_parameters_are_checked(lexicons: Path) -> None:
    assert (
        "not a float"
        in broken(
            lexicons, "price_fraud.yaml", "reference_ratio: 3", "reference_ratio: abc"
        ).problem
    )


def test_unknown_detector_parameters_are_refused(lexicons: Path) -> None:
    error = broken(
        lexicons, "price_fraud.yaml", "reference_ratio: 3", "reference_ratio: 3\n  windw: 4"
    )
    assert "not a parameter" in error.problem


def test_numbers_in_yaml_stay_the_text_they_are(lexicons: Path) -> None:
    path = lexicons / "counterfeit_hint.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("terms:\n", "terms:\n  - 1:1\n  - 010\n", 1),
        encoding="utf-8",
    )
    terms = [t.term for t in load_lexicons(lexicons).labels["counterfeit_hint"].term_entries()]
    assert terms[:2] == ["1:1", "010"]  # YAML 1.1 would have read 61 and 8


def test_deeply_nested_yaml_is_a_clear_error(lexicons: Path) -> None:
    (lexicons / "exaggeration.yaml").write_text(
        "terms: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8"
    )
    with pytest.raises(FileError):
        load_lexicons(lexicons)


def test_a_lawful_use_may_read_only_shared_groups_the_manifest_has(lexicons: Path) -> None:
    error = broken(
        lexicons, "extreme_claim.yaml", "only_with: reporting_cues", "only_with: shared.nothing"
    )
    assert "extreme_claim.yaml" in str(error) and "nothing" in str(error)
