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
