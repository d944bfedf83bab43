"""Requests committed together are answered as if each had been ingested alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import T0, order_paid, report_on_live
from trustfair.events.group_commit import GroupCommitter
from trustfair.events.ingest import Line
from trustfair.store.models import EventRow, IngestRunRow


def lines(*items: dict | str) -> list[Line]:
    raws = [(i if isinstance(i, str) else json.dumps(i)).encode() for i in items]
    return [Line(n, raw, len(raw)) for n, raw in enumerate(raws, start=1)]


def test_each_request_gets_its_own_counts_and_run(store, registry) -> None:
    committer = GroupCommitter(store, registry)
    try:
        futures = [
            committer.submit(lines(order_paid("e1", "o1"), order_paid("e2", "o2")), "http:a"),
            committer.submit(lines(order_paid("e2", "o2"), "{broken"), "http:b"),
            committer.submit(lines(order_paid("e3", "o3"), order_paid("e3", "o3")), "http:c"),
        ]
        results = [f.result(timeout=60) for f in futures]
    finally:
        committer.close()
    assert [r.counts() for r in results] == [
        {"accepted": 2, "duplicates": 0, "rejected": 0},
        {"accepted": 0, "duplicates": 1, "rejected": 1},
        {"accepted": 1, "duplicates": 1, "rejected": 0},
    ]
    assert results[1].rejections[0].line == 2
    with store.reading() as session:
        stored = session.scalars(select(EventRow.event_id).order_by(EventRow.seq)).all()
        runs = session.execute(
            select(IngestRunRow.source_name, IngestRunRow.accepted, IngestRunRow.rejected).order_by(
                IngestRunRow.id
            )
        ).all()
    assert stored == ["e1", "e2", "e3"]
    assert [tuple(r) for r in runs] == [("http:a", 2, 0), ("http:b", 0, 1), ("http:c", 1, 0)]


def test_a_failed_group_fails_its_requests_and_the_writer_goes_on(store, registry) -> None:
    committer = GroupCommitter(store, registry)
    effects = registry.effects
    try:
        registry.effects = {}  # a burst opens a case: with no effect, its batch fails
        burst = [report_on_live(f"r{i}", "s1", T0 + timedelta(seconds=i)) for i in range(5)]
        with pytest.raises(LookupError):
            committer.submit(lines(*burst), "http:a").result(timeout=60)
        registry.effects = effects
        ok = committer.submit(lines(order_paid("e1", "o1")), "http:b").result(timeout=60)
    finally:
        registry.effects = effects
        committer.close()
    assert ok.accepted == 1


def test_one_failing_request_does_not_fail_the_others_of_its_group(store, registry) -> None:
    committer = GroupCommitter(store, registry)
    effects = registry.effects
    burst = [report_on_live(f"r{i}", "s1", T0 + timedelta(seconds=i)) for i in range(5)]
    try:
        registry.effects = {k: v for k, v in effects.items() if k != "open_case"}
        # Queued before the writer starts, so that they are taken as one group.
        committer._queue.put(failing := _request(lines(*burst), "http:a"))
        committer._queue.put(fine := _request(lines(order_paid("e1", "o1")), "http:b"))
        committer._ensure_started()
        with pytest.raises(LookupError):
            failing.future.result(timeout=60)
        assert fine.future.result(timeout=60).accepted == 1
    finally:
        registry.effects = effects
        committer.close()


def _request(request_lines: list[Line], source: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from trustfair.events.group_commit import _Request

    return _Request(request_lines, source, datetime.now(UTC))
