"""The text engine in the pipeline: every event with text is moderated and decided."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.factories import event, jsonl
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.store.models import DecisionRow, SignalRow


def listing(event_id: str, title: str, description: str = "", category: str = "apparel") -> dict:
    return event(
        event_id,
        "listing.published",
        {
            "listing_id": f"l-{event_id}",
            "merchant_id": "m1",
            "title": title,
            "description": description,
            "category": category,
            "price_fen": 9900,
        },
    )


def chat(event_id: str, text: str) -> dict:
    return event(
        event_id,
        "live.chat",
        {"session_id": "s1", "message_id": event_id, "user_id": "u1", "text": text},
    )


def run(store, registry, *events) -> None:  # type: ignore[no-untyped-def]
    ingest_lines(store, registry, read_lines(io.BytesIO(jsonl(*events))), source_name="t")


def test_a_violating_listing_is_blocked_with_its_evidence(store, registry) -> None:
    run(store, registry, listing("e1", "新款连衣裙", "高仿大牌，和专柜一模一样"))
    with store.reading() as session:
        signal = session.scalars(select(SignalRow)).one()
        decision = session.scalars(select(DecisionRow)).one()
    assert (signal.detector, signal.label) == ("text", "counterfeit_hint")
    assert signal.detector_version.startswith("2026.11.29+")
    assert signal.evidence["field"] == "description"
    assert [s["text"] for s in signal.evidence["spans"]] == ["高仿", "和专柜一模一样"]
    assert decision.verdict == "block"
    assert decision.reasons[0]["rule"] == "text.block"


def test_staged_drama_in_chat_goes_to_review(store, registry) -> None:
    run(store, registry, chat("e1", "老板不在，偷偷给大家改价"))
    with store.reading() as session:
        decision = session.scalars(select(DecisionRow)).one()
    assert decision.verdict == "review"


def test_clean_text_leaves_no_trace(store, registry) -> None:
    run(
        store,
        registry,
        listing("e1", "纯棉T恤", "100%纯棉，最大码XXL，第一次洗涤请单独洗"),
        chat("e2", "多少钱呀"),
    )
    with store.reading() as session:
        assert session.scalars(select(SignalRow)).all() == []
        assert session.scalars(select(DecisionRow)).all() == []


def test_the_category_of_a_listing_reaches_the_engine(store, registry) -> None:
    copy = "鱼油软胶囊，每天一粒，独立包装，出差旅行带着方便，蓝帽子保健食品，批准文号可查。"
    run(
        store,
        registry,
        listing("e1", "鱼油", copy, category="health_food"),
        listing("e2", "鱼油", copy, category="food"),
    )
    with store.reading() as session:
        flagged = session.scalars(select(SignalRow.event_seq)).all()
    assert flagged == [1]
