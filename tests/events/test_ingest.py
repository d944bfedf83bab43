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
    """15 lines: 8 valid, 2 duplicates, 4 invalid, 1 blank; lines 11–15 burst on s9."""
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
        *(report_on_live(f"burst{i}", "s9", T0 + timedelta(minutes=i)) for i in range(5)),
    )


def ingest_bytes(store: Store, registry, data: bytes, batch_size: int = 2):  # type: ignore[no-untyped-def]
    rejects = io.StringIO()
    writer = jsonl_reject_writer(rejects)
    result = ingest_lines(
        store,
        registry,
        read_lines(io.BytesIO(data)),
        source_name="test",
        on_reject=writer,
        on_duplicate=writer,
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
    assert result.counts() == {"accepted": 8, "duplicates": 2, "rejected": 4}
    assert stored_ids(store) == ["e1", "e2", "e5"] + [f"burst{i}" for i in range(5)]
    # Invalid lines are written as they are read, duplicates once their batch is stored.
    rejects.sort(key=lambda r: r["line"])
    assert [r["line"] for r in rejects] == [2, 4, 5, 6, 9, 10]
    assert [r.get("duplicate", False) for r in rejects] == [False, True, False, False, True, False]
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
    kinds = ("events", "signals", "decisions", "cases", "case_events")
    before = {kind: list(export_records(store, kind)) for kind in kinds}
    assert len(before["cases"]) == 1
    result, rejects = ingest_bytes(store, registry, mixed_file())
    assert result.counts() == {"accepted": 0, "duplicates": 10, "rejected": 4}
    assert len(rejects) == 14
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
    assert (run.accepted, run.duplicates, run.rejected) == (8, 2, 4)
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


def test_a_long_line_that_starts_with_spaces_is_rejected_not_skipped(store, registry) -> None:
    data = b" " * (MAX_LINE_BYTES + 10) + b"garbage\n" + jsonl(order_paid("e1", "o1"))
    result, rejects = ingest_bytes(store, registry, data)
    assert result.counts() == {"accepted": 1, "duplicates": 0, "rejected": 1}
    assert rejects[0]["line"] == 1 and "oversized" in rejects[0]["reason"]


def test_a_line_of_exactly_the_limit_passes_with_either_line_ending() -> None:
    body = b'{"pad": "' + b"x" * (MAX_LINE_BYTES - 11) + b'"}'
    assert len(body) == MAX_LINE_BYTES
    for ending in (b"\n", b"\r\n"):
        [line] = read_lines(io.BytesIO(body + ending + b"\n"))
        assert line.size == MAX_LINE_BYTES
        assert line.raw == body


def test_a_byte_order_mark_on_the_first_line_is_ignored(store, registry) -> None:
    result, _ = ingest_bytes(store, registry, b"\xef\xbb\xbf" + jsonl(order_paid("e1", "o1")))
    assert result.accepted == 1
