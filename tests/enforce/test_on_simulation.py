"""The default policy on a simulated marketplace it was not written for.

Issue 4's yardstick, on a small simulation (the figures for a medium one are in the
closing notes): of the accounts suspended or banned at the end, nearly all are
offenders; most repeat offenders are among them; no honest account is banned or
suspended. Measured on seed 4: 6 of 6 suspended or banned are offenders, 6 of the 8
repeat offenders are among them. The floors are below that, so the test fails on a
real regression, not on a change of one account.
"""

from __future__ import annotations

from pathlib import Path

from trustfair.enforce.evaluation import evaluate_enforcement, truth_natures
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.pipeline.registry import build_registry
from trustfair.settings import Settings
from trustfair.sim import simulate
from trustfair.store.database import Store


def test_the_default_policy_sanctions_offenders_and_spares_the_honest(tmp_path: Path) -> None:
    simulate(seed=4, scale="small", out_dir=tmp_path / "sim")
    store = Store.open(f"sqlite:///{tmp_path / 'sim.db'}")
    with (tmp_path / "sim" / "events.jsonl").open("rb") as stream:
        ingest_lines(store, build_registry(Settings()), read_lines(stream), source_name="sim")
    with (tmp_path / "sim" / "truth.jsonl").open(encoding="utf-8") as truth:
        natures = truth_natures(truth)
    with store.reading() as session:
        result = evaluate_enforcement(session, natures)
    store.close()
    assert result["honest_banned"] == [] and result["honest_suspended"] == [], result
    assert result["suspended_or_banned"] >= 3, result
    assert result["offender_share"] >= 0.9, result
    assert result["repeat_share"] >= 0.6, result
