"""The report's figures equal a direct count of what was stored, on both backends."""

from __future__ import annotations

import io
from datetime import timedelta

from tests.factories import T0, event, jsonl, order_paid, report_on_live
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.report.figures import build_report


def figures(report: dict) -> dict:
    return {f["key"]: f["value"] for s in report["sections"] for f in s["figures"]}


def breakdowns(report: dict) -> dict:
    return {b["key"]: b["rows"] for s in report["sections"] for b in s["breakdowns"]}


def test_figures_count_the_stored_records(store, registry) -> None:
    live = event(
        "l1", "live.started", {"session_id": "s1", "streamer_id": "t1", "title": "今晚专场"}
    )
    events = [
        live,
        *(report_on_live(f"r{i}", "s1", T0 + timedelta(minutes=i)) for i in range(6)),
        order_paid("o1", "o1", 1_999),
        order_paid("o2", "o2", 30_001),
    ]
    ingest_lines(
        store, registry, read_lines(io.BytesIO(jsonl(*events, "{broken"))), source_name="t"
    )
    report = build_report(store)
    values = figures(report)
    assert values["events_stored"] == 9
    assert values["orders_paid"] == 2
    assert values["gmv_fen"] == 32_000
    assert values["live_sessions"] == 1
    assert values["reports_on_live_sessions"] == 6
    assert values["live_report_rate"] == 600.0
    assert values["cases_opened"] == 1
    assert values["lines_rejected"] == 1
    rows = breakdowns(report)
    assert rows["events_by_type"] == {"live.started": 1, "order.paid": 2, "report.filed": 6}
    assert rows["decisions_by_verdict"] == {"allow": 4, "review": 2}
    assert rows["reports_by_reason"] == {"vulgar": 6}
    assert report["store"] == store.dialect
