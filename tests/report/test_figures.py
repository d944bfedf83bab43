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


def test_penalties_sanctions_and_shutdowns_count_the_stored_records(store, tmp_path) -> None:
    from tests.policy.penalties import APPEAL_NOTE, marketplace, overturn_and_shut_down, policies
    from trustfair.pipeline.registry import build_registry
    from trustfair.settings import Settings
    from trustfair.store.export import export_records

    _, strict = policies(tmp_path)
    registry = build_registry(Settings(), policy=strict)
    ingest_lines(store, registry, read_lines(io.BytesIO(marketplace())), source_name="t")
    overturn_and_shut_down(store)
    report = build_report(store)
    values = figures(report)
    # m1: three awards of 6 and a ban at 18; m2's award was reversed and its warning lifted.
    assert values["merchants_penalised"] == 1
    assert values["merchant_points"] == 18
    assert values["streamers_penalised"] == values["streamer_points"] == 0
    assert values["points_reversed"] == 1
    assert values["sanctions_issued"] == 3
    assert values["merchants_banned"] == 1
    assert values["streamers_banned"] == 0
    assert values["live_suspensions"] == 0
    assert values["live_streams_shut_down"] == 1
    assert values["live_shutdown_commands"] == 1
    assert values["sanctions_overturned"] == 1
    rows = breakdowns(report)
    assert rows["sanctions_by_kind"] == {"ban": 1, "warning": 2}
    assert rows["sanctions_by_state"] == {"active": 2, "lifted": 1}
    assert rows["points_awards_by_violation"] == {
        "diversion": 1,
        "extreme_claim": 2,
        "staged_drama": 1,
    }
    [(reason, count)] = rows["sanctions_lifted_by_reason"].items()
    assert count == 1 and reason.startswith("overturned on appeal") and reason.endswith(APPEAL_NOTE)

    # Traceable: the same numbers come out of the exports the sources name.
    sanctions = list(export_records(store, "sanctions"))
    points = list(export_records(store, "points"))
    assert values["sanctions_issued"] == len(sanctions)
    assert values["merchant_points"] == sum(
        p["points"] for p in points if p["entity_type"] == "merchant"
    )
    reversed_ids = {p["reverses_id"] for p in points if p["reverses_id"]}
    assert values["merchants_penalised"] == len(
        {p["entity_id"] for p in points if not p["reverses_id"] and p["id"] not in reversed_ids}
    )
    assert values["sanctions_overturned"] == sum(s["state"] == "lifted" for s in sanctions)


def test_an_empty_store_reports_no_penalties(store) -> None:
    values = figures(build_report(store))
    assert values["merchants_penalised"] == values["sanctions_issued"] == 0
    assert breakdowns(build_report(store))["sanctions_by_kind"] == {}
