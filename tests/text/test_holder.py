"""A new lexicon version is swapped in whole, without a restart; a broken one is not."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from trustfair.text.holder import EngineHolder
from trustfair.text.lexicon import DEFAULT_LEXICON_DIR
from trustfair.yaml_files import FileError

NEW_TERM = "量子能量水"
TEXT = f"今天给大家推荐{NEW_TERM}"


@pytest.fixture
def lexicons(tmp_path: Path) -> Path:
    copy = tmp_path / "lexicons"
    shutil.copytree(DEFAULT_LEXICON_DIR, copy)
    return copy


def add_term(directory: Path, term: str) -> None:
    path = directory / "exaggeration.yaml"
    text = path.read_text(encoding="utf-8").replace("terms:\n", f"terms:\n  - {term}\n", 1)
    path.write_text(text, encoding="utf-8")


def test_a_changed_directory_is_swapped_in_on_reload(lexicons: Path) -> None:
    holder = EngineHolder(lexicons)
    old = holder.current()
    assert holder.reload() is False  # nothing changed, nothing rebuilt
    add_term(lexicons, NEW_TERM)
    assert holder.reload() is True
    new = holder.current()
    assert new.version != old.version
    assert old.moderate(TEXT).verdict == "pass"  # a caller holding the old engine keeps it
    assert new.moderate(TEXT).labels[0].label == "exaggeration"


def test_a_broken_version_leaves_the_old_one_in_service(lexicons: Path) -> None:
    holder = EngineHolder(lexicons)
    before = holder.current()
    (lexicons / "diversion.yaml").write_text("label: diversion\nterms: [\n", encoding="utf-8")
    with pytest.raises(FileError):
        holder.reload()
    assert holder.current() is before


def test_callers_during_a_reload_see_one_whole_version_or_the_other(lexicons: Path) -> None:
    holder = EngineHolder(lexicons)
    old_version = holder.current().version
    seen: list[tuple[str, bool]] = []
    stop = threading.Event()

    def moderate_until_stopped() -> None:
        while not stop.is_set():
            result = holder.current().moderate(TEXT)
            seen.append((result.lexicon_version, bool(result.labels)))

    workers = [threading.Thread(target=moderate_until_stopped) for _ in range(4)]
    for worker in workers:
        worker.start()
    add_term(lexicons, NEW_TERM)
    holder.reload()
    new_version = holder.current().version
    for _ in range(1000):  # the workers must see the new version soon
        if any(version == new_version for version, _ in seen):
            break
        stop.wait(0.01)
    stop.set()
    for worker in workers:
        worker.join()
    # Every result is consistent with its own version: the old never knows the new
    # term, the new always does. No call saw a half-loaded lexicon.
    assert {version for version, _ in seen} == {old_version, new_version}
    assert all(flagged == (version == new_version) for version, flagged in seen)


def test_the_watcher_picks_up_a_new_version(lexicons: Path) -> None:
    holder = EngineHolder(lexicons)
    old_version = holder.current().version
    holder.start_watching(every_seconds=0.05)
    holder.stop_watching()
    holder.start_watching(every_seconds=0.05)  # a watcher can be started again
    try:
        add_term(lexicons, NEW_TERM)
        changed = threading.Event()
        for _ in range(200):
            if holder.current().version != old_version:
                changed.set()
                break
            changed.wait(0.05)
        assert changed.is_set()
    finally:
        holder.stop_watching()


def seal(directory: Path) -> None:
    from typer.testing import CliRunner

    from trustfair.cli import app

    result = CliRunner().invoke(app, ["lexicon", "seal", str(directory)])
    assert result.exit_code == 0, result.output


def test_a_sealed_version_half_written_is_not_loaded(lexicons: Path) -> None:
    seal(lexicons)
    holder = EngineHolder(lexicons)
    before = holder.current()
    # A writer has changed one file and not yet sealed: whatever the pause, the
    # directory is not a version yet.
    add_term(lexicons, NEW_TERM)
    with pytest.raises(FileError, match="not the content the manifest seals"):
        holder.reload()
    assert holder.current() is before
    seal(lexicons)  # the writer's last step
    assert holder.reload() is True
    assert holder.current().moderate(TEXT).labels[0].label == "exaggeration"


def test_sealing_a_broken_directory_leaves_the_manifest_as_it_was(lexicons: Path) -> None:
    from typer.testing import CliRunner

    from trustfair.cli import app

    seal(lexicons)
    manifest = (lexicons / "manifest.yaml").read_text(encoding="utf-8")
    (lexicons / "diversion.yaml").write_text("label: diversion\nterms: [\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lexicon", "seal", str(lexicons)])
    assert result.exit_code == 2
    assert "diversion.yaml" in result.output
    assert (lexicons / "manifest.yaml").read_text(encoding="utf-8") == manifest


def test_a_symlink_swapped_to_a_new_version_is_followed(lexicons: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    shutil.copytree(lexicons, newer)
    add_term(newer, NEW_TERM)
    link = tmp_path / "current"
    link.symlink_to(lexicons)
    holder = EngineHolder(link)
    assert holder.current().moderate(TEXT).verdict == "pass"
    swap = tmp_path / "current.new"
    swap.symlink_to(newer)
    swap.replace(link)  # the operator's atomic swap
    assert holder.reload() is True
    assert holder.current().moderate(TEXT).labels[0].label == "exaggeration"
