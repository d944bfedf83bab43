"""The pipeline bench measures both sides on the same input and says what each did."""

from __future__ import annotations

from trustfair.bench import BENCHMARKS
from trustfair.bench.pipeline import ingestion_only
from trustfair.settings import Settings


def test_the_bench_reports_pipeline_beside_ingestion_alone() -> None:
    result = BENCHMARKS["pipeline"](events=300, repeats=1)
    assert result["bench"] == "pipeline"
    assert result["events"] == sum(result["event_mix"].values()) == 300
    assert len(result["event_mix"]) > 3  # a mix, not one type
    assert result["pipeline_events_per_s"] > 0
    assert result["ingest_only_events_per_s"] > 0
    assert len(result["pipeline_seconds"]) == len(result["ingest_only_seconds"]) == 1
    assert {"price_history", "text"} <= set(result["detectors"])
    assert "listing_prices" in result["projectors"]
    assert "detector:text" in result["breakdown_seconds"]


def test_ingestion_alone_runs_no_plug_in() -> None:
    registry = ingestion_only(Settings())
    assert registry.detectors == [] and registry.projectors == [] and registry.effects == {}
