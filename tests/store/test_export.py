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
    # The export carries seq and received_at beside the envelope; strip them to ingest.
    lines = []
    for line in exported.getvalue().splitlines():
        record = json.loads(line)
        del record["seq"], record["received_at"]
        lines.append(record)
    ingest(replica, registry, jsonl(*lines))

    def comparable(s: Store, kind: str) -> list[dict]:
        return [
            {k: v for k, v in r.items() if k not in ("received_at", "id")}
            for r in export_records(s, kind)
        ]

    for kind in ("events", "signals", "decisions", "cases"):
        assert comparable(replica, kind) == comparable(store, kind), kind


def test_unknown_kind_names_the_known_ones(store) -> None:
    with pytest.raises(LookupError, match=r"known: .*events"):
        list(export_records(store, "nonsense"))
