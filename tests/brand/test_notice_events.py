"""Rights holders' notices sent as ``complaint.filed`` events are filed for notice and
takedown like notices sent to the API, or refused with the reason in the decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.brand.builders import holder, right
from tests.factories import T0, event, ingest
from trustfair.store.models import ComplaintRow, DecisionRow, EventRow, OutboxRow


def certified_holder(store, state: str = "certified") -> None:  # type: ignore[no-untyped-def]
    holder(store, "rh-b1", "b1", state=state)
    right(store, "rh-b1", "b1", valid_until=T0 + timedelta(days=365))


def notice(notice_id: str, complainant: str, evidence: list[str]) -> dict:
    return event(
        f"ev-{notice_id}",
        "complaint.filed",
        {
            "complaint_id": notice_id,
            "complainant_type": "rights_holder",
            "complainant_id": complainant,
            "kind": "trademark",
            "target": {"type": "listing", "id": "l1"},
            "text": "经试买鉴定为假冒商品",
            "evidence_ids": evidence,
        },
        T0 + timedelta(hours=2),
    )


def listing() -> dict:
    return event(
        "pub-l1",
        "listing.published",
        {
            "listing_id": "l1",
            "merchant_id": "m1",
            "title": "链条包",
            "category": "luxury_bags",
            "price_fen": 50_000,
        },
    )


def test_a_notice_event_from_a_brand_is_filed_under_its_certified_trademark(
    store, registry
) -> None:
    certified_holder(store)
    ingest(store, registry, listing(), notice("n1", "b1", ["evd-1"]))
    with store.reading() as session:
        (complaint,) = session.scalars(select(ComplaintRow)).all()
        assert (complaint.notice_ref, complaint.holder_id, complaint.state) == (
            "n1",
            "rh-b1",
            "measures_taken",
        )
        assert complaint.filed_by == "event:ev-n1"
        assert complaint.evidence[0]["document_id"] == "evd-1"
        # Filed when the event says, but processed months later (like this test's log):
        # the merchant's 15 days to answer run from when the platform got the notice.
        received = session.scalar(select(EventRow.received_at).where(EventRow.event_id == "ev-n1"))
        assert complaint.filed_at == T0 + timedelta(hours=2)
        assert complaint.due_at == received + timedelta(days=15)
        topics = set(session.scalars(select(OutboxRow.topic)))
        assert "listing.take_down" in topics


def refusal(store) -> str:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        reasons = session.scalars(
            select(DecisionRow.reasons)
            .join(EventRow, EventRow.seq == DecisionRow.event_seq)
            .where(EventRow.type == "complaint.filed")
        ).one()
    (hit,) = [r for r in reasons if r["rule"] == "brand.notice_filed"]
    return hit["refused"]["reason"]


def test_a_notice_without_evidence_is_refused_with_the_reason_kept(store, registry) -> None:
    certified_holder(store)
    ingest(store, registry, listing(), notice("n1", "rh-b1", []))
    assert "prima facie evidence" in refusal(store)
    with store.reading() as session:
        assert session.scalars(select(ComplaintRow)).all() == []


def test_a_notice_from_an_uncertified_holder_is_refused(store, registry) -> None:
    certified_holder(store, state="applied")
    ingest(store, registry, listing(), notice("n1", "b1", ["evd-1"]))
    assert "enforceable" in refusal(store)
