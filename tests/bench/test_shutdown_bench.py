"""The shutdown bench, run tiny: its result has the shape and the sense it claims.

Nothing here looks at how fast anything was."""

from __future__ import annotations

import json

from trustfair.bench.shutdown import percentile, run, segments


def test_the_load_has_one_tripping_line_per_risky_session() -> None:
    bodies, tripping = segments(200, "t", sessions=10, risky_every=50)
    events = [json.loads(body)[0] for body in bodies]
    assert len(events) == 200 and len({e["event_id"] for e in events}) == 200
    risky = [e for e in events if "-risky-" in e["event_id"]]
    assert len(risky) == 2 * len(tripping) == 8
    assert tripping == {e["event_id"] for e in risky if e["event_id"].endswith("-1")}


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None


def test_a_tiny_run_reports_every_shutdown_beside_the_echo_baseline() -> None:
    result = run(events=300, rate=100, connections=4, risky_every=50, repeats=1)
    assert result["bench"] == "shutdown"
    [ours] = result["trustfair_runs"]
    [bare] = result["baseline_runs"]
    for side in (ours, bare):
        assert side["requests"] == 300 and side["errors"] == 0
        assert side["achieved_rate_per_s"] > 0
        assert 0 < side["request_p50_ms"] <= side["request_p99_ms"]
        assert side["server_cpu_ms_per_request"] is None or side["server_cpu_ms_per_request"] >= 0
    expected = ours["shutdowns_expected"]
    assert expected == 6
    assert ours["shutdowns_received"] == ours["distinct_deliveries"] == expected
    assert ours["signatures_valid"] == expected
    assert ours["shutdowns_on_the_tripping_segment"] <= expected
    assert 0 < ours["shutdown_p50_ms"] <= ours["shutdown_p99_ms"] <= ours["shutdown_max_ms"]
    assert result["trustfair"]["shutdown_p99_ms"] == ours["shutdown_p99_ms"]
    assert result["baseline_echo"]["request_p50_ms"] == bare["request_p50_ms"]
    json.dumps(result)  # printable as it is
