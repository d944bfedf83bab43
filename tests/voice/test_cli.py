"""trustfair voice callbacks / negative-feedback and eval callbacks, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories import jsonl
from tests.voice.builders import day, paid, shipped, ticket, ticket_closed
from trustfair.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)


def events() -> bytes:
    return jsonl(
        # ku1: late, then a ticket closed unresolved: hurt. ku2: late only.
        paid("ko1", "ku1", "m1", "l1", day(0)),
        shipped("ko1", "m1", day(4)),
        ticket("ktk1", "ku1", "问一下发票", day(5)),
        ticket_closed("ktk1", "unresolved", day(6)),
        paid("ko2", "ku2", "m1", "l1", day(0)),
        shipped("ko2", "m1", day(5)),
    )


def hurt(user: str, *experiences: dict) -> str:
    return json.dumps({"kind": "hurt_user", "user_id": user, "experiences": list(experiences)})


def test_eval_callbacks_measures_the_list_against_the_truth(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_bytes(events())
    truth = [
        hurt(
            "ku1",
            {"kind": "late_shipment", "at": day(2).isoformat(), "order_id": "ko1"},
            {"kind": "unresolved_ticket", "at": day(6).isoformat(), "ticket_id": "ktk1"},
        ),
        hurt(
            "ku3",
            {"kind": "rude_service", "at": day(2).isoformat(), "ticket_id": "ktk8"},
            {"kind": "rude_service", "at": day(3).isoformat(), "ticket_id": "ktk9"},
        ),
    ]
    (tmp_path / "truth.jsonl").write_text("\n".join(truth) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "callbacks", "events.jsonl", "truth.jsonl", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["recall"], record["precision"]) == (0.5, 1.0)
    assert record["experiences"]["rude_service"]["missed"] == 2
    # Run again: nothing ingested twice, nobody listed twice.
    again = json.loads(
        runner.invoke(app, ["eval", "callbacks", "events.jsonl", "truth.jsonl", "--json"]).stdout
    )
    assert again["listed_users"] == 1


def test_a_truth_without_experiences_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_bytes(events())
    (tmp_path / "truth.jsonl").write_text('{"kind": "hurt_user", "user_id": "u"}\n')
    result = runner.invoke(app, ["eval", "callbacks", "events.jsonl", "truth.jsonl"])
    assert result.exit_code == 2 and "line 1" in result.output


def test_voice_commands_run_as_of_the_log_end(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_bytes(events())
    assert runner.invoke(app, ["ingest", "events.jsonl"]).exit_code == 0
    listed = runner.invoke(app, ["voice", "callbacks", "--at", "log-end"])
    assert listed.exit_code == 0 and "1 user(s) listed" in listed.output
    again = runner.invoke(app, ["voice", "callbacks", "--at", "log-end"])
    assert "0 user(s) listed" in again.output
    judged = runner.invoke(app, ["voice", "negative-feedback", "--at", "log-end", "--weeks", "2"])
    assert judged.exit_code == 0 and judged.output.count("week to") == 2
    wrong = runner.invoke(app, ["voice", "callbacks", "--at", "yesterday"])
    assert wrong.exit_code == 2 and "ISO 8601" in wrong.output
