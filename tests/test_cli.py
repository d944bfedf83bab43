"""The command line, as a user runs it: exit codes, files written, --json output."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories import T0, jsonl, order_paid, report_on_live
from trustfair.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_ingest_exits_0_when_all_lines_are_accepted(tmp_path: Path) -> None:
    events = write(tmp_path / "ok.jsonl", jsonl(order_paid("e1", "o1"), order_paid("e2", "o2")))
    result = runner.invoke(app, ["ingest", str(events), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": 0,
    }


def test_ingest_exits_3_and_writes_rejects_when_some_lines_fail(tmp_path: Path) -> None:
    events = write(
        tmp_path / "mixed.jsonl", jsonl(order_paid("e1", "o1"), "nope", order_paid("e1", "o1"))
    )
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(app, ["ingest", str(events), "--rejects", str(rejects), "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "accepted": 1,
        "duplicates": 1,
        "rejected": 1,
    }
    bad, duplicate = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert (bad["line"], bad["raw"]) == (2, "nope")
    assert (duplicate["line"], duplicate["duplicate"]) == (3, True)
    assert "duplicate event_id 'e1'" in duplicate["reason"]


def test_only_duplicates_is_still_exit_0(tmp_path: Path) -> None:
    events = write(tmp_path / "ok.jsonl", jsonl(order_paid("e1", "o1")))
    runner.invoke(app, ["ingest", str(events)])
    result = runner.invoke(app, ["ingest", str(events), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "accepted": 0,
        "duplicates": 1,
        "rejected": 0,
    }


def test_ingest_reads_standard_input(tmp_path: Path) -> None:
    data = jsonl(order_paid("e1", "o1"), "{")
    result = runner.invoke(app, ["ingest", "-", "--json"], input=data)
    assert result.exit_code == 3
    assert json.loads(result.stdout.splitlines()[-1])["accepted"] == 1
    assert json.loads((tmp_path / "rejects.jsonl").read_text())["line"] == 2


def test_rejects_cannot_overwrite_the_input(tmp_path: Path) -> None:
    events = write(tmp_path / "e.jsonl", jsonl(order_paid("e1", "o1")))
    result = runner.invoke(app, ["ingest", str(events), "--rejects", str(events)])
    assert result.exit_code == 2
    assert "is the input file" in result.output
    assert events.read_bytes() == jsonl(order_paid("e1", "o1"))


def test_an_unwritable_rejects_path_is_a_clear_error(tmp_path: Path) -> None:
    events = write(tmp_path / "e.jsonl", jsonl(order_paid("e1", "o1")))
    result = runner.invoke(app, ["ingest", str(events), "--rejects", str(tmp_path)])
    assert result.exit_code == 2
    assert "Is a directory" in result.output


def test_a_bad_database_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", "postgresql://someone:secret@127.0.0.1:1/nowhere")
    result = runner.invoke(app, ["export", "events"])
    assert result.exit_code == 2
    assert "cannot open the store" in result.output
    assert "secret" not in result.output


def test_rejects_default_to_a_file_beside_the_input(tmp_path: Path) -> None:
    events = write(tmp_path / "bad.jsonl", b"{}\n")
    result = runner.invoke(app, ["ingest", str(events)])
    assert result.exit_code == 3
    assert "rejected 1" in result.stdout
    assert (tmp_path / "bad.jsonl.rejects.jsonl").read_text().count("\n") == 1


def test_ingest_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nowhere.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_export_writes_jsonl_to_a_file(tmp_path: Path) -> None:
    reports = [report_on_live(f"r{i}", "s1", T0 + timedelta(minutes=i)) for i in range(5)]
    runner.invoke(app, ["ingest", str(write(tmp_path / "r.jsonl", jsonl(*reports)))])
    result = runner.invoke(app, ["export", "cases", "--out", str(tmp_path / "cases.jsonl")])
    assert result.exit_code == 0, result.output
    [case] = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text().splitlines()]
    assert case["subject_id"] == "s1"


def test_export_of_an_unknown_kind_lists_the_known_ones() -> None:
    result = runner.invoke(app, ["export", "bananas"])
    assert result.exit_code == 2
    assert "decisions" in result.output


def test_schema_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "report.filed" in json.loads(result.stdout)["discriminator"]["mapping"]
    one = json.loads(runner.invoke(app, ["schema", "--type", "order.paid"]).stdout)
    assert "amount_fen" in json.dumps(one)


def test_report_writes_json_and_html(tmp_path: Path) -> None:
    runner.invoke(
        app, ["ingest", str(write(tmp_path / "e.jsonl", jsonl(order_paid("e1", "o1", 12_345))))]
    )
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    figures = {f["key"]: f["value"] for s in report["sections"] for f in s["figures"]}
    assert figures["orders_paid"] == 1
    assert figures["gmv_fen"] == 12_345
    assert "¥123.45" in (tmp_path / "out" / "report.html").read_text()


def test_simulate_writes_events_and_truth(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", "--seed", "3", "--scale", "small", "--out", str(tmp_path / "sim")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sim" / "events.jsonl").stat().st_size > 0
    assert (tmp_path / "sim" / "truth.jsonl").stat().st_size > 0


def test_bench_prints_the_figure_beside_its_baseline() -> None:
    result = runner.invoke(app, ["bench", "ingest", "--events", "300", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["events"] == 300
    assert figures["trustfair_events_per_s"] > 0
    assert figures["baseline_executemany_events_per_s"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["trustfair_events_per_s"] / figures["baseline_executemany_events_per_s"], abs=0.001
    )


def test_an_unknown_benchmark_is_named() -> None:
    result = runner.invoke(app, ["bench", "warp-speed"])
    assert result.exit_code == 2
    assert "unknown benchmark 'warp-speed'" in result.output
    assert "known: brandmatch, ingest, moderation" in result.output


def test_rights_list_shows_the_holders_waiting_for_review(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.brand.conftest import CREDIT_CODE, brand
    from trustfair.brand.holders import Application, apply_holder
    from trustfair.store.database import Store

    store = Store.open()
    with store.transaction() as session:
        held = apply_holder(
            session, brand("b1"), Application("b1", "Acme", CREDIT_CODE), datetime.now(UTC)
        )
    store.close()
    result = runner.invoke(app, ["rights", "list", "--waiting", "--json"])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert json.loads(line)["id"] == held.id
    assert runner.invoke(app, ["rights", "list", "--state", "certified"]).output == ""
    wrong = runner.invoke(app, ["rights", "list", "--state", "nope"])
    assert wrong.exit_code == 2
