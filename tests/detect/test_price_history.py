"""Price fraud from the price history: each rule and its edges, on hand-built events
run through the real pipeline (projection, context, detector) on both stores."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import T0, event, jsonl
from trustfair.detect.price_history import (
    RAISE_RULE,
    REFERENCE_RULE,
    SPOKEN_RULE,
    PriceHistoryDetector,
)
from trustfair.events.ingest import ingest_lines, read_lines
from trustfair.pipeline.registry import Registry, build_projectors
from trustfair.policy.code import RulePolicy
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import EventRow, ListingPriceRow, SignalRow

DAY = timedelta(days=1)
LISTING = "l1"


class Feed:
    """Events of one listing, numbered in the order they are added."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def _add(self, type_: str, payload: dict[str, Any], at: datetime) -> str:
        event_id = f"e{len(self.events) + 1:03d}"
        self.events.append(event(event_id, type_, payload, at))
        return event_id

    def published(self, at: datetime, price: int, reference: int | None = None) -> str:
        payload: dict[str, Any] = {
            "listing_id": LISTING,
            "merchant_id": "m1",
            "title": "保温杯",
            "category": "home",
            "price_fen": price,
        }
        if reference is not None:
            payload["reference_price_fen"] = reference
        return self._add("listing.published", payload, at)

    def price(
        self, at: datetime, price: int, reference: int | None = None, promo: str | None = None
    ) -> str:
        payload: dict[str, Any] = {"listing_id": LISTING, "merchant_id": "m1", "price_fen": price}
        if reference is not None:
            payload["reference_price_fen"] = reference
        if promo is not None:
            payload["promotion_id"] = promo
        return self._add("listing.price_changed", payload, at)

    def sold(self, at: datetime, unit: int) -> str:
        payload = {
            "order_id": f"o{len(self.events)}",
            "buyer_id": "b1",
            "merchant_id": "m1",
            "listing_id": LISTING,
            "unit_price_fen": unit,
            "amount_fen": unit,
        }
        return self._add("order.paid", payload, at)

    def spoken(self, at: datetime, spoken: int, listing: str = LISTING) -> str:
        payload = {
            "session_id": "ls1",
            "streamer_id": "st1",
            "seq": len(self.events),
            "offset_ms": 1000,
            "text": f"今天只要{spoken // 100}",
            "listing_id": listing,
            "spoken_price_fen": spoken,
        }
        return self._add("live.segment", payload, at)


def price_registry(detector: PriceHistoryDetector | None = None) -> Registry:
    settings = Settings()
    return Registry(
        detectors=[detector or PriceHistoryDetector()],
        policy=RulePolicy(version="test", rules=()),
        effects={},
        settings=settings,
        projectors=build_projectors(settings),
    )


def signals_of(
    store: Store, feed: Feed, detector: PriceHistoryDetector | None = None, batch_size: int = 500
) -> dict[str, list[dict[str, Any]]]:
    """Evidence of every price_fraud signal, by event id."""
    ingest_lines(
        store,
        price_registry(detector),
        read_lines(io.BytesIO(jsonl(*feed.events))),
        source_name="t",
        batch_size=batch_size,
    )
    found: dict[str, list[dict[str, Any]]] = {}
    with store.reading() as session:
        for event_id, evidence in session.execute(
            select(EventRow.event_id, SignalRow.evidence)
            .join(SignalRow, SignalRow.event_seq == EventRow.seq)
            .where(SignalRow.label == "price_fraud")
            .order_by(SignalRow.id)
        ):
            found.setdefault(event_id, []).append(evidence)
    return found


def rules(found: dict[str, list[dict[str, Any]]], event_id: str) -> set[str]:
    return {evidence["rule"] for evidence in found.get(event_id, [])}


def only(found: dict[str, list[dict[str, Any]]], event_id: str, rule: str) -> dict[str, Any]:
    [evidence] = [e for e in found.get(event_id, []) if e["rule"] == rule]
    return evidence


# -- price.reference_above_7d_low -----------------------------------------------------


def test_a_reference_above_the_lowest_price_paid_in_7_days_is_flagged(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.sold(T0 - 6 * DAY, 10_000)
    feed.sold(T0 - 2 * DAY, 9_000)  # sold cheaper once, within the 7 days
    feed.price(T0 - 1 * DAY, 10_000)
    promo = feed.price(T0, 8_000, reference=10_000, promo="p1")
    evidence = only(signals_of(store, feed), promo, REFERENCE_RULE)
    assert evidence["basis"] == "lowest_transaction_7d"
    assert evidence["lowest_7d_fen"] == 9_000
    assert evidence["reference_fen"] == 10_000
    assert evidence["excess_fen"] == 1_000
    assert evidence["window"]["days"] == 7


def test_a_reference_equal_to_the_lowest_price_paid_is_lawful(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.sold(T0 - 3 * DAY, 10_000)
    feed.sold(T0 - 1 * DAY, 10_000)
    promo = feed.price(T0, 8_000, reference=10_000, promo="p1")
    assert promo not in signals_of(store, feed)


def test_sales_only_before_the_7_days_use_the_last_sale_not_the_lowest(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 30 * DAY, 10_000)
    feed.sold(T0 - 20 * DAY, 7_000)
    feed.sold(T0 - 10 * DAY, 10_000)  # the last sale, 10 days before
    lawful = feed.price(T0, 8_000, reference=10_000, promo="p1")
    above = feed.price(T0 + DAY, 8_000, reference=10_100, promo="p2")
    found = signals_of(store, feed)
    assert lawful not in found  # 7_000 was paid, but not last and not within 7 days
    evidence = only(found, above, REFERENCE_RULE)
    assert evidence["basis"] == "last_transaction"
    assert evidence["last_transaction_fen"] == 10_000


def test_a_sale_exactly_7_days_before_is_within_the_window(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 30 * DAY, 10_000)
    feed.sold(T0 - 7 * DAY, 9_000)
    feed.sold(T0 - 8 * DAY + timedelta(seconds=1), 10_000)  # arrives later, sold earlier
    promo = feed.price(T0, 8_000, reference=10_000, promo="p1")
    assert only(signals_of(store, feed), promo, REFERENCE_RULE)["lowest_7d_fen"] == 9_000


def test_never_sold_compares_with_the_lowest_price_offered_in_7_days(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)  # still in force when the 7 days begin
    feed.price(T0 - 3 * DAY, 12_000)
    above = feed.price(T0, 9_000, reference=12_000, promo="p1")
    found = signals_of(store, feed)
    evidence = only(found, above, REFERENCE_RULE)
    assert evidence["basis"] == "lowest_listed_7d"
    assert evidence["lowest_listed_7d_fen"] == 10_000
    assert rules(found, above) == {REFERENCE_RULE, RAISE_RULE}  # raised 3 days before, too


def test_never_sold_and_offered_at_the_reference_all_week_is_lawful(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    promo = feed.price(T0, 9_000, reference=10_000, promo="p1")
    assert promo not in signals_of(store, feed)


def test_a_new_listing_with_a_reference_never_charged_is_flagged_weakly(store: Store) -> None:
    feed = Feed()
    published = feed.published(T0, 9_900, reference=59_900)
    found = signals_of(store, feed)
    evidence = only(found, published, REFERENCE_RULE)
    assert evidence["basis"] == "no_price_before"
    assert "lowest_7d_fen" not in evidence


def test_a_reference_not_above_the_price_claims_no_discount(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.sold(T0 - 2 * DAY, 5_000)
    same = feed.price(T0, 10_000, reference=10_000)
    assert same not in signals_of(store, feed)


def test_a_tolerance_can_be_set_but_the_law_sets_none(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.sold(T0 - 2 * DAY, 9_990)
    promo = feed.price(T0, 8_000, reference=10_000, promo="p1")
    lenient = PriceHistoryDetector(reference_tolerance_fen=10)
    assert promo not in signals_of(store, feed, lenient)
    assert PriceHistoryDetector().reference_tolerance_fen == 0


# -- price.raised_before_promotion ----------------------------------------------------


def test_a_price_raised_days_before_a_promotion_is_flagged_even_if_sold_at_it(
    store: Store,
) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.price(T0 - 3 * DAY, 15_000)
    feed.sold(T0 - 2 * DAY, 15_000)  # the only sale of the week, at the raised price
    promo = feed.price(T0, 11_000, reference=15_000, promo="p1")
    found = signals_of(store, feed)
    assert rules(found, promo) == {RAISE_RULE}  # the 7-day rule alone would miss it
    evidence = only(found, promo, RAISE_RULE)
    assert (evidence["raised_from_fen"], evidence["raised_to_fen"]) == (10_000, 15_000)
    assert evidence["days_before_promotion"] == 3
    assert evidence["promotion_id"] == "p1"


def test_a_raise_before_the_window_is_not_a_raise_for_this_promotion(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.price(T0 - 8 * DAY, 15_000)
    feed.sold(T0 - 2 * DAY, 15_000)
    promo = feed.price(T0, 11_000, reference=15_000, promo="p1")
    assert promo not in signals_of(store, feed)


def test_a_reference_near_the_raised_price_leans_on_the_raise(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.price(T0 - 3 * DAY, 15_000)
    feed.sold(T0 - 2 * DAY, 15_000)
    near = feed.price(T0, 11_000, reference=14_300, promo="p1")  # 4.7 % below
    feed.price(T0 + DAY, 15_000)
    feed.sold(T0 + DAY, 14_000)
    far = feed.price(T0 + 2 * DAY, 11_000, reference=14_000, promo="p2")  # 6.7 % below
    found = signals_of(store, feed)
    assert rules(found, near) == {RAISE_RULE}
    assert RAISE_RULE not in rules(found, far)


def test_a_promotion_without_reference_that_undoes_a_raise_is_flagged(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.price(T0 - 2 * DAY, 15_000)
    promo = feed.price(T0, 12_000, promo="p1")
    evidence = only(signals_of(store, feed), promo, RAISE_RULE)
    assert evidence["comparison"] == "price_before"
    assert evidence["comparison_fen"] == 15_000


def test_a_plain_price_cut_after_a_raise_is_no_promotion(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.price(T0 - 2 * DAY, 15_000)
    cut = feed.price(T0, 12_000)  # no reference shown, no promotion
    assert cut not in signals_of(store, feed)


# -- price.spoken_differs_from_checkout -----------------------------------------------


def test_a_spoken_price_below_checkout_is_flagged(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 5 * DAY, 12_990)
    said = feed.spoken(T0, 9_900)
    evidence = only(signals_of(store, feed), said, SPOKEN_RULE)
    assert (evidence["spoken_fen"], evidence["checkout_fen"], evidence["gap_fen"]) == (
        9_900,
        12_990,
        3_090,
    )


def test_whole_yuan_rounding_is_tolerated_and_a_higher_price_is_not_flagged(
    store: Store,
) -> None:
    feed = Feed()
    feed.published(T0 - 5 * DAY, 12_990)
    rounded = feed.spoken(T0, 12_900)
    up = feed.spoken(T0 + timedelta(minutes=1), 13_000)
    one_yuan = feed.spoken(T0 + timedelta(minutes=2), 12_890)
    found = signals_of(store, feed)
    assert rounded not in found and up not in found
    assert rules(found, one_yuan) == {SPOKEN_RULE}


def test_the_checkout_price_is_the_one_in_force_when_it_was_said(store: Store) -> None:
    feed = Feed()
    feed.published(T0 - 5 * DAY, 12_900)
    feed.price(T0 - timedelta(hours=1), 9_900, reference=12_900, promo="p1")
    during = feed.spoken(T0, 9_900)
    feed.price(T0 + DAY, 12_900)
    after = feed.spoken(T0 + DAY + timedelta(hours=1), 9_900)
    found = signals_of(store, feed)
    assert during not in found
    assert only(found, after, SPOKEN_RULE)["checkout_fen"] == 12_900


def test_a_spoken_price_for_an_unknown_listing_says_nothing(store: Store) -> None:
    feed = Feed()
    said = feed.spoken(T0, 100, listing="l-unknown")
    assert said not in signals_of(store, feed)


# -- the projection and batching ------------------------------------------------------


def _history() -> Feed:
    feed = Feed()
    feed.published(T0 - 20 * DAY, 10_000)
    feed.sold(T0 - 6 * DAY, 9_000)
    feed.price(T0 - 3 * DAY, 15_000)
    feed.price(T0, 11_000, reference=15_000, promo="p1")
    feed.spoken(T0 + timedelta(hours=2), 8_000)
    # Arrives last, but happened before the promotion: the promotion never sees it.
    feed.sold(T0 - DAY, 5_000)
    feed.price(T0 + DAY, 10_000, reference=12_000, promo="p2")
    return feed


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_results_do_not_depend_on_how_the_input_is_batched(
    sqlite_store: Store, batch_size: int
) -> None:
    found = signals_of(sqlite_store, _history(), batch_size=batch_size)
    assert {event_id: rules(found, event_id) for event_id in found} == {
        "e004": {REFERENCE_RULE, RAISE_RULE},
        "e005": {SPOKEN_RULE},
        "e007": {REFERENCE_RULE},
    }
    assert only(found, "e004", REFERENCE_RULE)["lowest_7d_fen"] == 9_000
    assert only(found, "e007", REFERENCE_RULE)["lowest_7d_fen"] == 5_000


def test_the_projection_holds_one_row_per_price_event(store: Store) -> None:
    feed = _history()
    signals_of(store, feed)
    signals_of(store, feed)  # the same input again: duplicates, nothing projected twice
    with store.reading() as session:
        kinds = [
            (kind, price)
            for kind, price in session.execute(
                select(ListingPriceRow.kind, ListingPriceRow.price_fen).order_by(
                    ListingPriceRow.event_seq
                )
            )
        ]
    assert kinds == [
        ("list", 10_000),
        ("transaction", 9_000),
        ("list", 15_000),
        ("list", 11_000),
        ("transaction", 5_000),
        ("list", 10_000),
    ]
