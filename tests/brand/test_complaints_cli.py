"""``trustfair complaints timers`` and ``trustfair export complaints``, as a user runs them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.brand.builders import MONDAY, holder, listing, notice, right
from trustfair.brand.complaints import declare, file_notice
from trustfair.cli import app
from trustfair.pipeline.registry import build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", url)
    opened = Store.open(url)
    yield opened
    opened.close()


def test_timers_fire_as_of_a_time_once_and_the_export_has_time_to_action(store) -> None:  # type: ignore[no-untyped-def]
    holder(store)
    right_id = right(store)
    listing(store, build_registry(Settings()))
    with store.transaction() as session:
        complaint, _ = file_notice(session, notice(right_id), MONDAY, "key:brand")
        declare(session, complaint.id, "m1", "正品", [{"kind": "invoice"}], MONDAY, "key:m1")
        complaint_id = complaint.id

    early = runner.invoke(app, ["complaints", "timers", "--at", "2026-03-16T08:59:00Z"])
    assert early.exit_code == 0, early.output
    assert "0 complaint timer(s) fired" in early.stdout
    due = (MONDAY + timedelta(days=15)).isoformat()
    fired = runner.invoke(app, ["complaints", "timers", "--at", due])
    assert f"restored: {complaint_id}" in fired.stdout
    again = runner.invoke(app, ["complaints", "timers", "--at", due])
    assert "0 complaint timer(s) fired" in again.stdout
    bad = runner.invoke(app, ["complaints", "timers", "--at", "2026-03-17"])
    assert bad.exit_code == 2 and "time zone" in bad.output

    exported = runner.invoke(app, ["export", "complaints"])
    assert exported.exit_code == 0, exported.output
    [record] = [json.loads(line) for line in exported.stdout.splitlines()]
    assert record["state"] == "restored"
    assert record["time_to_action_seconds"] == 0.0  # measures at once, in good standing
    assert list(record["states_at"]) == ["filed", "measures_taken", "declared", "restored"]
    assert record["states_at"]["restored"] == "2026-03-17T09:00:00Z"
