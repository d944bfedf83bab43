"""Rights holders, rights and listings for the complaint tests, written directly (the
rights module's own use cases are tested apart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.factories import ingest, listing_published
from trustfair.brand.complaints import Notice
from trustfair.store.database import Store
from trustfair.store.models import ComplaintStepRow, OutboxRow, RightRow, RightsHolderRow

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVIDENCE = [{"kind": "test_purchase", "description": "bought it: a fake, the tag says so"}]


def holder(
    store: Store,
    holder_id: str = "h1",
    brand_id: str = "b1",
    standing: int = 100,
    state: str = "certified",
) -> str:
    with store.transaction() as session:
        session.add(
            RightsHolderRow(
                id=holder_id,
                brand_id=brand_id,
                company_name=f"{brand_id} 有限公司",
                registration_number="91310000000000000X",
                agent_name=None,
                state=state,
                standing=standing,
                applied_by="key:brand",
                applied_at=MONDAY - timedelta(days=30),
            )
        )
    return holder_id


def right(
    store: Store,
    holder_id: str = "h1",
    brand_id: str = "b1",
    number: str = "TM-1",
    state: str = "certified",
    valid_until: datetime | None = None,
) -> int:
    with store.transaction() as session:
        row = RightRow(
            holder_id=holder_id,
            brand_id=brand_id,
            kind="trademark",
            number=number,
            nice_class=25,
            territory="CN",
            valid_from=MONDAY - timedelta(days=365),
            valid_until=valid_until,
            document_ids=[],
            state=state,
            applied_at=MONDAY - timedelta(days=30),
        )
        session.add(row)
        session.flush()
        return row.id


def listing(store: Store, registry: Any, listing_id: str = "l1", merchant_id: str = "m1") -> None:
    ingest(store, registry, listing_published(listing_id, merchant_id, "纯棉T恤 夏季新款"))


def notice(right_id: int, ref: str = "n1", **changes: Any) -> Notice:
    values: dict[str, Any] = {
        "notice_ref": ref,
        "brand_id": "b1",
        "holder_id": "h1",
        "right_id": right_id,
        "listing_id": "l1",
        "evidence": EVIDENCE,
        "text": "假冒注册商标",
        "jurisdiction": "CN",
    }
    return Notice(**(values | changes))


def commands(store: Store, topic: str | None = None) -> list[OutboxRow]:
    with store.reading() as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if topic is not None:
            query = query.where(OutboxRow.topic == topic)
        return list(session.scalars(query))


def timeline(store: Store, complaint_id: int) -> list[tuple[str | None, str, str]]:
    with store.reading() as session:
        steps = session.scalars(
            select(ComplaintStepRow)
            .where(ComplaintStepRow.complaint_id == complaint_id)
            .order_by(ComplaintStepRow.id)
        )
        return [(s.from_state, s.to_state, s.actor) for s in steps]


def standing_of(store: Store, holder_id: str = "h1") -> int:
    with store.reading() as session:
        row = session.get(RightsHolderRow, holder_id)
        assert row is not None
        return row.standing
