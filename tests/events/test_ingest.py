"""Ingestion stores exactly the valid lines, once, and accounts for every other line."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import T0, event, jsonl, order_paid, report_on_live
from trustfair.events.ingest import ingest_lines, jsonl_reject_writer, read_lines
from trustfair.events.validation import MAX_LINE_BYTES
from trustfair.store.database import Store
from trustfair.store.export import export_records
from trustfair.store.models import DecisionRow, EventRow, IngestRunRow, SignalRow


def mixed_file() -> bytes:
    """10 lines: 5 valid (one repeated twice more), 4 invalid, 1 blank."""
    return jsonl(
        order_paid("e1", "o1"),  # 1 valid
        '{"event_id": "e2", "type": "order.paid"',  # 2 bad JSON
        order_paid("e2", "o2"),  # 3 valid
        order_paid("e1", "o1"),  # 4 duplicate of 1
        event("e3", "no.such.type", {}),  # 5 unknown type
        {**order_paid("e4", "o4"), "occurred_at": "2026-03-01T12:00:00"},  # 6 no zone
        "",  # 7 blank: skipped
        report_on_live("e5", "s1", T0),  # 8 valid
        order_paid("e2", "o2-changed"),  # 9 duplicate id of 3
        b'{"event_id": "\xff\xfe"}',  # 10 invalid UTF-8
    )


def ingest_bytes(store: Store, registry, data: bytes, batch_size: int = 2):  # type: ignore[no-untyped-def]
    rejects = io.StringIO()
    result = ingest_lines(
        store,
        registry,
        read_lines(io.BytesIO(data)),
        source_name="test",
        on_reject=jsonl_reject_writer(rejects),
        batch_size=batch_size,
    )
    return result, [json.loads(line) for line in rejects.getvalue().splitlines()]


def stored_ids(store: Store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(EventRow.event_id).order_by(EventRow.seq)))


def test_valid_lines_are_stored_once_and_the_rest_rejected_with_line_and_reason(
    store, registry
) -> None:
    result, rejects = ingest_bytes(store, registry, mixed_file())
    assert result.counts() == {"accepted": 3, "duplicates": 2, "rejected": 4}
    assert stored_ids(store) == ["e1", "e2", "e5"]
    assert [r["line"] for r in rejects] == [2, 5, 6, 10]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert reasons[2].startswith("invalid JSON")
    assert "unknown event type 'no.such.type'" in reasons[5]
    assert "no time zone" in reasons[6]
    assert reasons[10].startswith("invalid UTF-8")
    assert rejects[0]["raw"] == '{"event_id": "e2", "type": "order.paid"'
    # The first copy of a repeated id wins; the later one changed nothing.
    with store.reading() as session:
        payload = session.scalar(select(EventRow.payload).where(EventRow.event_id == "e2"))
    assert payload["order_id"] == "o2"


def test_ingesting_the_same_file_again_changes_nothing(store, registry) -> None:
    ingest_bytes(store, registry, mixed_file())
    before = {
        kind: list(export_records(store, kind))
        for kind in ("events", "signals", "decisions", "cases")
    }
    result, rejects = ingest_bytes(store, registry, mixed_file())
    assert result.counts() == {"accepted": 0, "duplicates": 5, "rejected": 4}
    assert len(rejects) == 4
    after = {kind: list(export_records(store, kind)) for kind in before}
    assert after == before


def test_times_are_stored_in_utc(store, registry) -> None:
    ingest_bytes(store, registry, jsonl(order_paid("e1", "o1", at=T0)))
    with store.reading() as session:
        stored = session.scalar(select(EventRow.occurred_at))
    assert stored == T0
    assert stored.utcoffset() == timedelta(0)


def test_an_oversized_line_is_rejected_without_stopping_the_rest(store, registry) -> None:
    huge = b'{"event_id": "big", "pad": "' + b"x" * (MAX_LINE_BYTES * 2) + b'"}'
    data = jsonl(order_paid("e1", "o1")) + huge + b"\n" + jsonl(order_paid("e2", "o2"))
    result, rejects = ingest_bytes(store, registry, data)
    assert result.counts() == {"accepted": 2, "duplicates": 0, "rejected": 1}
    assert rejects[0]["line"] == 2
    assert f"{len(huge)} bytes" in rejects[0]["reason"]
    assert rejects[0]["raw_truncated_from_bytes"] == len(huge)
    assert len(rejects[0]["raw"]) < len(huge)


def test_each_run_is_recorded(store, registry) -> None:
    ingest_bytes(store, registry, mixed_file())
    with store.reading() as session:
        run = session.scalars(select(IngestRunRow)).one()
    assert (run.accepted, run.duplicates, run.rejected) == (3, 2, 4)
    assert run.finished_at is not None


def test_a_failing_batch_keeps_what_earlier_batches_committed(store, registry) -> None:
    class Boom(Exception):
        pass

    class ExplodingDetector:
        name, version, event_types = "exploding", "1", frozenset({"order.paid"})

        def detect(self, event, context):  # type: ignore[no-untyped-def]
            if event.envelope.event_id == "e3":
                raise Boom
            return []

    registry.detectors.append(ExplodingDetector())
    registry._by_type.clear()
    data = jsonl(*(order_paid(f"e{i}", f"o{i}") for i in range(1, 5)))
    try:
        ingest_bytes(store, registry, data, batch_size=2)
    except Boom:
        pass
    else:
        raise AssertionError("the detector's failure should surface")
    assert stored_ids(store) == ["e1", "e2"]  # batch 1 committed, batch 2 rolled back whole
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(SignalRow)) == 0
        assert session.scalar(select(func.count()).select_from(DecisionRow)) == 0
