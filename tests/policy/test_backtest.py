"""The back-test replays the stored log under two policies, each in a scratch store,
and reports what the new one would change; the live store is never written."""

from __future__ import annotations

import io
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import T0
from tests.policy.penalties import marketplace, policies
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.pipeline.registry import build_registry
from trustfair.policy.backtest import EntityOutcome, backtest, compare_outcomes
from trustfair.policy.files import FilePolicy
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import Base

DAY = timedelta(days=1)
SINCE = (T0 + 5 * DAY).astimezone(UTC).replace(hour=0, minute=0)


@pytest.fixture
def lenient_and_strict(tmp_path) -> tuple[FilePolicy, FilePolicy]:  # type: ignore[no-untyped-def]
    return policies(tmp_path / "policies")


@pytest.fixture
def live(store: Store, lenient_and_strict) -> Store:  # type: ignore[no-untyped-def]
    """A live store that ran the lenient policy."""
    registry = build_registry(Settings(), policy=lenient_and_strict[0])
    result = ingest_lines(store, registry, read_lines(io.BytesIO(marketplace())), source_name="t")
    assert result.rejected == 0
    return store


def snapshot(store: Store) -> dict[str, Any]:
    """Every table's row count, highest key and rows, for "nothing changed"."""
    tables: dict[str, Any] = {}
    with store.reading() as session:
        for table in Base.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            tables[table.name] = (
                session.scalar(select(func.count()).select_from(table)),
                session.scalar(select(func.max(key[0]))),
                [tuple(row) for row in session.execute(select(table).order_by(*key))],
            )
    return tables


@pytest.fixture
def run(live, lenient_and_strict):  # type: ignore[no-untyped-def]
    """backtest(new, current=...) → its JSON record; strict against lenient by default."""
    lenient, strict = lenient_and_strict

    def run(new=strict, current=lenient, **kwargs: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return backtest(
            live, new, current_policy=current, settings=Settings(), **kwargs
        ).to_record()

    return run


def test_a_stricter_policy_shows_more_blocks_and_more_sanctioned_merchants(run) -> None:
    report = run()
    assert report["policies"]["current"]["version"] == "lenient-1"
    assert report["policies"]["new"]["version"] == "strict-1"
    assert report["events_replayed"] == 13
    decisions = report["decisions"]
    # l1, l2, l5 blocked either way; l4's sob story only reviewed by the current one.
    assert decisions["by_verdict"]["block"] == {"current": 3, "new": 4}
    assert (
        decisions["by_verdict"]["review"]["new"] == decisions["by_verdict"]["review"]["current"] - 1
    )
    assert decisions["transitions"] == [
        {"from": "review", "to": "block", "count": 1, "examples": ["pub-l4"]}
    ]
    assert decisions["changed"] == 1
    assert decisions["rules_fired"] == {
        "live.report_burst": {"current": 1, "new": 1},
        "text.block": {"current": 3, "new": 3},
        "text.review": {"current": 4, "new": 4},
    }
    assert report["points_awarded"] == {"current": 6, "new": 24}
    assert report["sanctions_by_kind"] == {
        "warning": {"current": 1, "new": 2},
        "ban": {"current": 0, "new": 1},
    }
    more = report["entities"]["more"]
    assert more["count"] == 2 and more["by_type"] == {"merchant": 2}
    # The ban comes first: the biggest step up in severity.
    first, second = more["first"]
    assert (first["id"], first["name"]) == ("m1", "甲记服饰")
    assert first["current"] == {"points": 6, "sanctions": ["warning"], "in_force": ["warning"]}
    assert first["new"] == {
        "points": 18,
        "sanctions": ["warning", "ban"],
        "in_force": ["warning", "ban"],
    }
    assert (second["id"], second["name"], second["new"]["points"]) == ("m2", "乙家小店", 6)
    assert second["current"] == {"points": 0, "sanctions": [], "in_force": []}
    assert report["entities"]["less"]["count"] == 0
    assert report["entities"]["differently"]["count"] == 0


def test_the_other_way_round_the_same_merchants_are_sanctioned_less(
    run, lenient_and_strict
) -> None:
    lenient, strict = lenient_and_strict
    report = run(new=lenient, current=strict, top=1)
    less = report["entities"]["less"]
    assert less["count"] == 2
    assert [e["id"] for e in less["first"]] == ["m1"]  # top=1: the first name only
    assert report["decisions"]["transitions"][0]["from"] == "block"


class Silent:
    """Decides nothing at all."""

    version = "silent-0"

    def decide(self, event, signals, context):  # type: ignore[no-untyped-def]
        return None


def test_events_one_policy_decides_and_the_other_does_not_show_as_none(run) -> None:
    report = run(new=Silent())
    blocks = next(t for t in report["decisions"]["transitions"] if t["from"] == "block")
    assert blocks == {
        "from": "block",
        "to": "none",
        "count": 3,
        "examples": ["pub-l1", "pub-l2", "pub-l5"],  # in log order
    }
    assert report["decisions"]["by_verdict"]["block"] == {"current": 3, "new": 0}
    assert [e["id"] for e in report["entities"]["less"]["first"]] == ["m1"]
    assert report["points_awarded"] == {"current": 6, "new": 0}


def test_the_same_policy_changes_nothing(run, lenient_and_strict) -> None:
    report = run(new=lenient_and_strict[0])
    assert report["decisions"]["changed"] == 0
    assert all(v["current"] == v["new"] for v in report["decisions"]["by_verdict"].values())
    assert all(group["count"] == 0 for group in report["entities"].values())


def test_since_compares_only_later_events_but_replays_the_history_before(run) -> None:
    report = run(since=SINCE)
    assert report["compared_from"] == SINCE.isoformat().replace("+00:00", "Z")
    # l4, l5 and the reports on s1 are from day 6 on; l1 to l3 are not compared.
    decisions = report["decisions"]
    assert sum(v["current"] for v in decisions["by_verdict"].values()) == 7
    assert decisions["by_verdict"]["block"] == {"current": 1, "new": 2}
    assert decisions["compared_events"] == 7
    # m1's points since then: one matter each way; but the ban it reaches on day 7
    # under the strict policy needs the 12 points of days 0 and 1 to be replayed (18 in all).
    m1 = next(e for e in report["entities"]["more"]["first"] if e["id"] == "m1")
    assert m1["current"] == {"points": 2, "sanctions": [], "in_force": []}
    assert m1["new"] == {"points": 6, "sanctions": ["ban"], "in_force": ["ban"]}
    assert report["points_awarded"] == {"current": 2, "new": 12}


def test_the_live_store_is_left_exactly_as_it_was(live, run, tmp_path) -> None:
    before = snapshot(live)
    assert before["sanctions"][0] == 1 and before["decisions"][0] > 0
    run(scratch_dir=tmp_path / "scratch")
    run(since=SINCE)
    assert snapshot(live) == before


def test_scratch_stores_are_kept_when_asked_and_hold_the_replays(run, tmp_path) -> None:
    report = run(scratch_dir=tmp_path / "scratch")
    new = Store.open(f"sqlite:///{report['scratch']['new']}", migrate=False)
    try:
        assert snapshot(new)["sanctions"][0] == 3
        assert snapshot(new)["events"][0] == 13
    finally:
        new.close()
    with pytest.raises(RuntimeError, match="fresh scratch store"):
        run(scratch_dir=tmp_path / "scratch")


def test_an_empty_log_backtests_to_no_difference(store, lenient_and_strict) -> None:
    lenient, strict = lenient_and_strict
    report = backtest(store, strict, current_policy=lenient, settings=Settings()).to_record()
    assert report["events_replayed"] == 0
    assert report["decisions"] == {
        "compared_events": 0,
        "by_verdict": {},
        "changed": 0,
        "transitions": [],
        "rules_fired": {},
    }


@pytest.mark.parametrize(
    ("was", "now", "change"),
    [
        (EntityOutcome(), EntityOutcome(), None),
        (EntityOutcome(2, ("warning",)), EntityOutcome(4, ("warning",)), "more"),
        (EntityOutcome(2, ("warning",)), EntityOutcome(2, ("ban",)), "more"),
        (EntityOutcome(6, ("ban",)), EntityOutcome(9, ("warning",)), "differently"),
        (EntityOutcome(6, ("ban",)), EntityOutcome(6, ("ban",), ()), None),
        (EntityOutcome(6, ("ban",), ("ban",)), EntityOutcome(6, ("ban",), ()), "differently"),
        (EntityOutcome(6, ("warning", "ban")), EntityOutcome(6, ("ban",)), "less"),
    ],
)
def test_how_two_outcomes_compare(was, now, change) -> None:
    assert compare_outcomes(was, now) == change


# -- trustfair backtest, as a user runs it --------------------------------------------


@pytest.fixture
def cli_store(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """TRUSTFAIR_DATABASE_URL: a store that ran the lenient policy; (lenient, strict) files."""
    from tests.policy.penalties import write_policies
    from trustfair.policy.files import load_policy

    lenient_path, strict_path = write_policies(tmp_path / "policies")
    url = f"sqlite:///{tmp_path / 'live.db'}"
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", url)
    monkeypatch.setenv("TRUSTFAIR_POLICY", str(lenient_path))
    store = Store.open(url)
    registry = build_registry(Settings(), policy=load_policy(lenient_path))
    ingest_lines(store, registry, read_lines(io.BytesIO(marketplace())), source_name="t")
    store.close()
    return lenient_path, strict_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from trustfair.cli import app

    return CliRunner().invoke(app, ["backtest", *args])


def test_the_command_prints_the_difference(cli_store) -> None:
    _, strict = cli_store
    result = invoke("--policy", str(strict))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "(policy strict-1) against the current policy lenient-1" in text
    assert "review → block: 1  e.g. pub-l4" in text
    assert "sanctioned more: 2 (2 merchant)" in text
    assert "merchant m1 甲记服饰: 6 pts, warning → 18 pts, warning, ban" in text
    assert "merchant m2 乙家小店: 0 pts, no sanction → 6 pts, warning" in text
    assert "sanctioned less: 0" in text


def test_the_command_prints_json_with_since(cli_store) -> None:
    import json

    _, strict = cli_store
    result = invoke("--policy", str(strict), "--json", "--since", "2026-03-06")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["policies"]["new"] == {"version": "strict-1", "file": str(strict)}
    assert report["policies"]["current"] == {"version": "lenient-1"}
    assert report["compared_from"] == "2026-03-06T00:00:00Z"
    assert report["decisions"]["compared_events"] == 7
    assert report["points_awarded"] == {"current": 2, "new": 12}


def test_without_trustfair_policy_the_current_policy_is_the_bundled_default(
    cli_store, monkeypatch
) -> None:
    import json

    from trustfair.policy.files import DEFAULT_POLICY_PATH, load_policy

    monkeypatch.delenv("TRUSTFAIR_POLICY")
    result = invoke("--policy", str(cli_store[1]), "--json")
    assert result.exit_code == 0, result.output
    current = json.loads(result.stdout)["policies"]["current"]["version"]
    assert current == load_policy(DEFAULT_POLICY_PATH).version


def test_a_policy_file_that_does_not_load_is_named_with_its_line(cli_store, tmp_path) -> None:
    live = tmp_path / "live.db"
    before = live.read_bytes()
    broken = tmp_path / "broken.yaml"
    text = cli_store[1].read_text(encoding="utf-8").replace("verdict: block", "verdict: ban", 1)
    broken.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    verdict: ban") + 1
    result = invoke("--policy", str(broken))
    assert result.exit_code == 2
    assert f"policy: {broken}:{line}: rules.0.verdict" in result.stderr
    missing = invoke("--policy", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2 and "nope.yaml: cannot read" in missing.stderr
    assert live.read_bytes() == before


def test_a_broken_current_policy_is_named_too(cli_store, tmp_path, monkeypatch) -> None:
    broken = tmp_path / "current.yaml"
    broken.write_text("version: x\n", encoding="utf-8")
    monkeypatch.setenv("TRUSTFAIR_POLICY", str(broken))
    result = invoke("--policy", str(cli_store[1]))
    assert result.exit_code == 2
    assert f"the current policy (TRUSTFAIR_POLICY): {broken}" in result.stderr


def test_no_store_is_an_error_and_none_is_created(cli_store, tmp_path, monkeypatch) -> None:
    absent = tmp_path / "absent.db"
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", f"sqlite:///{absent}")
    result = invoke("--policy", str(cli_store[1]))
    assert result.exit_code == 2 and "no store at" in result.stderr
    assert not absent.exists()
    kept = invoke("--policy", str(cli_store[1]), "--keep", str(cli_store[1]))
    assert kept.exit_code == 2 and "must be a new or empty directory" in kept.stderr
    bad_since = invoke("--policy", str(cli_store[1]), "--since", "last tuesday")
    assert bad_since.exit_code == 2 and "--since 'last tuesday'" in bad_since.stderr
