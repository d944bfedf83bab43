"""Exports are JSONL of stored records; the event export can be ingested again."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from tests.factories import T0, jsonl, order_paid, report_on_live
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.store.database import Store
from trustfair.store.export import EXPORT_KINDS, export_records, write_jsonl


def ingest(store: Store, registry, data: bytes) -> None:  # type: ignore[no-untyped-def]
    ingest_lines(store, registry, read_lines(io.BytesIO(data)), source_name="t")


def burst(session: str, count: int) -> bytes:
    return jsonl(
        *(
            report_on_live(f"{session}-{i}", session, T0 + timedelta(minutes=i))
            for i in range(count)
        )
    )


def test_every_kind_exports_as_json_lines(store, registry) -> None:
    ingest(store, registry, burst("s1", 5) + jsonl(order_paid("o", "o1")))
    for kind in EXPORT_KINDS:
        buffer = io.StringIO()
        count = write_jsonl(export_records(store, kind), buffer)
        lines = buffer.getvalue().splitlines()
        assert len(lines) == count
        assert all(isinstance(json.loads(line), dict) for line in lines)
    assert [c["state"] for c in export_records(store, "cases")] == ["open"]


def test_exported_events_rebuild_the_same_state_in_a_fresh_store(store, registry, tmp_path) -> None:
    ingest(store, registry, burst("s1", 6) + burst("s2", 2) + jsonl(order_paid("o", "o1")))
    exported = io.StringIO()
    write_jsonl(export_records(store, "events"), exported)
    replica = Store.open(f"sqlite:///{tmp_path / 'replica.db'}")
    result = ingest_lines(
        replica, registry, read_lines(io.BytesIO(exported.getvalue().encode())), source_name="x"
    )
    assert result.rejected == 0

    def comparable(s: Store, kind: str) -> list[dict]:
        return [
            {k: v for k, v in r.items() if k not in ("received_at", "id")}
            for r in export_records(s, kind)
        ]

    for kind in ("events", "signals", "decisions", "cases", "case_events"):
        assert comparable(replica, kind) == comparable(store, kind), kind
    assert len(list(export_records(replica, "cases"))) == 1


def test_the_event_log_export_says_where_each_event_sits(store, registry) -> None:
    ingest(store, registry, burst("s1", 2))
    [first, second] = export_records(store, "event_log")
    assert first["seq"] < second["seq"]
    assert (first["subject_type"], first["subject_id"]) == ("live_session", "s1")


def test_unknown_kind_names_the_known_ones(store) -> None:
    with pytest.raises(LookupError, match=r"known: .*events"):
        list(export_records(store, "nonsense"))


def test_sanctions_and_points_export_with_statements_states_and_reversals(store, tmp_path) -> None:
    from tests.policy.penalties import marketplace, overturn_and_shut_down, policies
    from trustfair.pipeline.registry import build_registry
    from trustfair.settings import Settings

    _, strict = policies(tmp_path)
    ingest(store, build_registry(Settings(), policy=strict), marketplace())
    overturn_and_shut_down(store)
    sanctions = list(export_records(store, "sanctions"))
    assert [s["id"] for s in sanctions] == sorted(s["id"] for s in sanctions)
    assert [(s["entity_id"], s["kind"], s["state"]) for s in sanctions] == [
        ("m1", "warning", "active"),
        ("m2", "warning", "lifted"),
        ("m1", "ban", "active"),
    ]
    ban = sanctions[2]
    statement = ban["statement"]
    assert statement["sanction"] == "ban" and statement["rule"] == "text.block"
    assert statement["points"]["balance"] == 18
    assert statement["violation"]["event_id"] == "pub-l5"
    assert ban["starts_at"] == "2026-03-08T12:00:00Z" and ban["ends_at"] is None
    lifted = sanctions[1]
    assert lifted["lifted_by"] == "reviewer:ann" and lifted["lifted_at"].endswith("Z")
    assert lifted["lifted_reason"].startswith("overturned on appeal")

    points = list(export_records(store, "points"))
    assert [(p["entity_id"], p["points"]) for p in points] == [
        ("m1", 6),
        ("m1", 6),
        ("m2", 6),
        ("m1", 6),
        ("m2", -6),
    ]
    reversal = points[-1]
    assert reversal["reverses_id"] == points[2]["id"]
    assert points[0]["at"] == "2026-03-01T12:00:00Z"
    assert points[0]["matter"] == "extreme_claim@listing:l1"
    assert reversal["matter"] == points[2]["matter"] and reversal["rule"]
    # Stable: a second export is the same, line for line.
    assert list(export_records(store, "points")) == points


def test_the_ledger_exports_postings_with_their_balanced_lines_and_claims(store, registry) -> None:
    from tests.factories import ingest as ingest_events
    from tests.protect.builders import at, claim, fund, paid, registered

    fund(store, 50_000)
    ingest_events(
        store,
        registry,
        registered("m1", deposit_fen=20_000),
        paid("p1", "o1", amount_fen=9_900, when=at()),
        claim("c1", "cs-1", "o1", "not_delivered", 9_900, at(days=20)),
    )
    postings = list(export_records(store, "ledger"))
    assert [p["kind"] for p in postings] == [
        "contribution",
        "deposit",
        "award",
        "payout",
        "recovery",
    ]
    for posting in postings:
        assert sum(line["amount_fen"] for line in posting["lines"]) == 0
        assert len(posting["lines"]) >= 2
    award = postings[2]
    assert award["key"].endswith(":award") and award["decision_id"] is not None
    assert {line["account"]: line["amount_fen"] for line in award["lines"]} == {
        "receivable:m1": 9_900,
        "payable:b1": -9_900,
    }
    [record] = export_records(store, "claims")
    assert (record["claim_ref"], record["state"], record["amount_fen"]) == ("cs-1", "paid", 9_900)
    assert record["filed_at"].endswith("Z")
