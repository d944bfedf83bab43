"""Writers racing on the same event ids store each event once, on both backends."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import T0, jsonl, report_on_live
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.store.models import CaseRow, EventRow


def test_parallel_writers_store_each_event_once(store, registry) -> None:
    # Eight writers each send the same 200 reports, in small batches and in different
    # orders; the unique event_id, not a prior look-up, is what keeps them single.
    events = [report_on_live(f"r{i}", f"s{i % 10}", T0 + timedelta(seconds=i)) for i in range(200)]

    def writer(offset: int):  # type: ignore[no-untyped-def]
        mine = events[offset * 25 :] + events[: offset * 25]
        return ingest_lines(
            store,
            registry,
            read_lines(io.BytesIO(jsonl(*mine))),
            source_name=f"w{offset}",
            batch_size=20,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(writer, range(8)))

    assert sum(r.accepted for r in results) == 200
    assert sum(r.duplicates for r in results) == 7 * 200
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(EventRow)) == 200
        # 20 reports per session, 1 s apart: every session bursts, and gets one case.
        opened = session.scalars(
            select(CaseRow.subject_id)
            .where(CaseRow.kind == "live_report_burst")
            .order_by(CaseRow.subject_id)
        ).all()
    assert opened == sorted(f"s{i}" for i in range(10))
