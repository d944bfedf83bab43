"""``trustfair fulfilment watch`` and ``trustfair export urges``, as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.factories import ingest
from tests.protect.builders import at, fund, paid, registered
from trustfair.cli import app
from trustfair.pipeline.registry import build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    opened = Store.open(url)
    yield opened
    opened.close()


def test_watch_as_of_a_time_and_replayed_step_by_step(store) -> None:  # type: ignore[no-untyped-def]
    fund(store)
    ingest(
        store,
        build_registry(Settings()),
        registered("m1", deposit_fen=10_000),
        paid("p1", "o1", 20_000, when=at(), ship_by=at(hours=20)),
        paid("p2", "o2", 20_000, when=at(), ship_by=at(hours=30)),
    )
    once = runner.invoke(app, ["fulfilment", "watch", "--at", at(hours=10).isoformat()])
    assert once.exit_code == 0, once.output
    assert "1 order(s) at risk seen, 1 urge(s) sent to 1 merchant(s)" in once.output
    # From the horizon before the first deadline to a day later, hour by hour.
    replay = runner.invoke(
        app, ["fulfilment", "watch", "--until", at(hours=40).isoformat(), "--step", "1h"]
    )
    assert replay.exit_code == 0, replay.output
    assert "2 missed deadline(s), 2 compensated (4000 fen)" in replay.output
    exported = runner.invoke(app, ["export", "urges"])
    assert exported.exit_code == 0, exported.output
    urges = [json.loads(line) for line in exported.output.splitlines() if line.startswith("{")]
    # Every 6 hours from the first (hour 10; the replay from hour 8 waited for it), each
    # listing the orders within 12 hours of their deadline and not past it.
    assert [(u["sent_at"], [o["order_id"] for o in u["order_list"]]) for u in urges] == [
        (at(hours=h).astimezone(UTC).isoformat().replace("+00:00", "Z"), [order])
        for h, order in ((10, "o1"), (16, "o1"), (22, "o2"), (28, "o2"))
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--until", "2026-03-01T00:00:00Z", "--step", "0h"], "--step '0h'"),
        (["--until", "2026-03-01T00:00:00Z", "--step", "an hour"], "--step 'an hour'"),
        (["--at", "2026-03-01T00:00:00"], "give a time zone"),
        (["--at", "2026-03-02T00:00:00Z", "--until", "2026-03-01T00:00:00Z"], "before the start"),
    ],
)
def test_bad_options_are_clear_errors(store, args: list[str], says: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["fulfilment", "watch", *args])
    assert result.exit_code == 2
    assert says in result.output


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("horizon_hours: 12\nurge_interval_hours: 0\n", "fulfilment.yaml:2: urge_interval_hours"),
        ("compensate: some\n", "fulfilment.yaml:1: compensate"),
        ("horizon: 12\n", "horizon"),
        ("horizon_hours: 6\nurge_interval_hours: 6\n", "must be shorter than horizon_hours"),
    ],
)
def test_a_wrong_terms_file_is_named(store, tmp_path: Path, monkeypatch, text, says) -> None:  # type: ignore[no-untyped-def]
    from trustfair.merchant.terms import default_terms

    bad = tmp_path / "fulfilment.yaml"
    bad.write_text(text)
    monkeypatch.setenv("TRUSTFAIR_FULFILMENT", str(bad))
    default_terms.cache_clear()
    try:
        result = runner.invoke(app, ["fulfilment", "watch"])
    finally:
        default_terms.cache_clear()
    assert result.exit_code == 2
    assert says in result.output


def test_serving_with_the_default_urge_secret_warns_loudly(caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from trustfair.settings import Settings, warn_if_default_urge_secret

    with caplog.at_level(logging.WARNING, logger="trustfair.settings"):
        assert warn_if_default_urge_secret(Settings()) is True
        assert warn_if_default_urge_secret(Settings(urge_secret="a long random value")) is False
    [record] = caplog.records
    assert "TRUSTFAIR_URGE_SECRET" in record.getMessage() and record.levelno == logging.WARNING
