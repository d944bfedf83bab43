"""The enforcement commands as a user runs them: policy check, appeals, restrictions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.enforce.conftest import (
    at,
    identity,
    listing_published,
    marker_registry,
    merchant_registered,
    write_policy,
)
from tests.factories import jsonl
from trustfair.cli import app
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.policy.files import load_policy
from trustfair.store.database import Store

runner = CliRunner()


@pytest.fixture
def suspended_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store where m1 is suspended (and its freeze issued) by the small test policy."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", url)
    store = Store.open(url)
    events = jsonl(
        merchant_registered("r1", "m1", identity(1)),
        listing_published("e1", "l1", "m1", "[[medical_claim]]", at(minutes=1)),
        listing_published("e2", "l2", "m1", "[[medical_claim]]", at(days=1)),
    )
    registry = marker_registry(load_policy(write_policy(tmp_path)))
    ingest_lines(store, registry, read_lines(io.BytesIO(events)), source_name="t")
    store.close()
    return tmp_path


def test_policy_check_says_what_the_file_holds_or_where_it_is_wrong(tmp_path: Path) -> None:
    good = runner.invoke(app, ["policy", "check", str(write_policy(tmp_path))])
    assert good.exit_code == 0, good.output
    assert "policy test-1, 6 rules (0 shadow), 6 violation types" in good.stdout
    bad = write_policy(tmp_path, "version: x\nviolations: {extreme: {class: general}}\n", "b.yaml")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: violations.extreme.points: Field required" in result.output.replace("\n", "")


def test_restrictions_list_what_is_in_force_with_the_statement(suspended_store: Path) -> None:
    during = runner.invoke(app, ["restrictions", "merchant:m1", "--at", at(days=2).isoformat()])
    assert during.exit_code == 0, during.output
    records = json.loads(during.stdout)
    assert [r["kind"] for r in records] == ["live_suspension", "settlement_freeze"]
    assert records[0]["statement"]["violation"]["basis"] == "Advertising Law Art. 17"
    after = runner.invoke(app, ["restrictions", "merchant:m1", "--at", at(days=9).isoformat()])
    assert [r["kind"] for r in json.loads(after.stdout)] == ["settlement_freeze"]
    wrong = runner.invoke(app, ["restrictions", "m1"])
    assert wrong.exit_code == 2 and "expected TYPE:ID" in wrong.output


def test_an_appeal_filed_and_overturned_from_the_command_line(suspended_store: Path) -> None:
    filed = runner.invoke(
        app,
        [
            "appeal",
            "file",
            "1",
            "--by",
            "merchant:m1",
            "--reason",
            "误判",
            "--at",
            at(days=2).isoformat(),
        ],
    )
    assert filed.exit_code == 0, filed.output
    assert "appeal case 1 opened for sanction 1" in filed.stdout
    decided = runner.invoke(
        app,
        [
            "appeal",
            "decide",
            "1",
            "--reviewer",
            "reviewer:li",
            "--overturn",
            "--note",
            "辅助说明",
            "--at",
            at(days=3).isoformat(),
        ],
    )
    assert decided.exit_code == 0, decided.output
    assert "overturn" in decided.stdout
    left = runner.invoke(app, ["restrictions", "merchant:m1", "--at", at(days=4).isoformat()])
    assert json.loads(left.stdout) == []
    again = runner.invoke(
        app,
        ["appeal", "decide", "1", "--reviewer", "r", "--uphold", "--at", at(days=4).isoformat()],
    )
    assert again.exit_code == 2 and "decided already" in again.output
    late = runner.invoke(
        app, ["appeal", "file", "2", "--by", "m1", "--reason", "x", "--at", "2026-03-02"]
    )
    assert late.exit_code == 2 and "give a time zone" in late.output
