"""Late shipment from the shipping record: what counts as late, what the record
holds, and that the answer does not depend on arrival order or batching. Hand-built
orders run through the real pipeline (projection, context, detector) on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import CST, T0, event, ingest
from trustfair.detect.late_shipment import LABEL, RULE, LateShipmentDetector
from trustfair.pipeline.registry import Registry, build_projectors
from trustfair.policy.code import RulePolicy
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import EventRow, SignalRow

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


class Orders:
    """Orders of one merchant, paid and shipped; events numbered as they are added."""

    def __init__(self, merchant: str = "m1") -> None:
        self.merchant = merchant
        self.events: list[dict[str, Any]] = []

    def paid(self, order: str, at: datetime, ship_by: datetime | None = None) -> str:
        payload: dict[str, Any] = {
            "order_id": order,
            "buyer_id": "b1",
            "merchant_id": self.merchant,
            "listing_id": "l1",
            "unit_price_fen": 9900,
            "amount_fen": 9900,
        }
        if ship_by is not None:
            payload["ship_by"] = ship_by.isoformat()
        return self._add("order.paid", payload, at)

    def shipped(self, order: str, at: datetime) -> str:
        payload = {
            "order_id": order,
            "merchant_id": self.merchant,
            "carrier": "sf",
            "tracking_no": f"SF{len(self.events):012d}",
        }
        return self._add("order.shipped", payload, at)

    def order(self, order: str, paid_at: datetime, late: bool) -> str:
        """An order due 48 hours after payment, shipped a day early or a day late."""
        self.paid(order, paid_at, ship_by=paid_at + 48 * HOUR)
        return self.shipped(order, paid_at + (72 if late else 24) * HOUR)

    def _add(self, type_: str, payload: dict[str, Any], at: datetime) -> str:
        event_id = f"{self.merchant}-e{len(self.events) + 1:03d}"
        self.events.append(event(event_id, type_, payload, at))
        return event_id


def registry(settings: Settings | None = None) -> Registry:
    settings = settings or Settings()
    return Registry(
        detectors=[LateShipmentDetector()],
        policy=RulePolicy(version="test", rules=()),
        effects={},
        settings=settings,
        projectors=build_projectors(settings),
    )


def evidence_of(
    store: Store, orders: Orders, settings: Settings | None = None, batch_size: int = 500
) -> dict[str, dict[str, Any]]:
    """The late_shipment signal's evidence, by event id."""
    ingest(store, registry(settings), *orders.events, batch_size=batch_size)
    with store.reading() as session:
        rows = session.execute(
            select(EventRow.event_id, SignalRow.evidence)
            .join(SignalRow, SignalRow.event_seq == EventRow.seq)
            .where(SignalRow.label == LABEL)
        ).all()
    found: dict[str, dict[str, Any]] = {}
    for event_id, evidence in rows:
        assert event_id not in found, "one signal per shipment"
        found[event_id] = evidence
    return found


def test_a_shipment_by_its_deadline_is_not_late(store: Store) -> None:
    orders = Orders()
    orders.paid("o1", T0, ship_by=T0 + 48 * HOUR)
    exactly = orders.shipped("o1", T0 + 48 * HOUR)
    assert exactly not in evidence_of(store, orders)


def test_a_late_shipment_carries_the_merchants_record_of_30_days(store: Store) -> None:
    orders = Orders()
    orders.order("old", T0 - 40 * DAY, late=True)  # shipped 37 days before: outside
    for n in range(6):
        orders.order(f"ok{n}", T0 - (20 - n) * DAY, late=False)
    orders.order("late1", T0 - 10 * DAY, late=True)
    orders.paid("o9", T0 - 2 * DAY, ship_by=T0 - 2 * DAY + 48 * HOUR)
    last = orders.shipped("o9", T0 + 5 * HOUR)
    evidence = evidence_of(store, orders)[last]
    assert evidence["rule"] == RULE
    assert evidence["order_id"] == "o9"
    assert evidence["late_by_hours"] == 5.0
    assert (evidence["shipments"], evidence["late_shipments"]) == (8, 2)
    assert evidence["late_share"] == 0.25
    window = evidence["window"]
    assert window["days"] == 30
    assert datetime.fromisoformat(window["since"]) == T0 + 5 * HOUR - 30 * DAY
    assert datetime.fromisoformat(window["until"]) == T0 + 5 * HOUR
    assert "window_days" not in evidence  # said once, in the window
    # The shop-week it belongs to (ISO week in +08:00; T0 + 5 h is Monday 2 March, 01:00),
    # and how many late parcels of that week are known: this one alone.
    assert (evidence["week"], evidence["late_this_week"]) == ("2026-W10", 1)


def test_the_weeks_late_parcels_are_counted_over_the_whole_week(store: Store) -> None:
    orders = Orders()
    monday = datetime(2026, 3, 9, 10, 0, tzinfo=CST)  # 2026-W11
    orders.order("before", monday - 3 * DAY - 72 * HOUR, late=True)  # Friday of W10
    orders.order("ok", monday - 24 * HOUR, late=False)  # Monday of W11, on time
    tue = orders.order("tue", monday + DAY - 72 * HOUR, late=True)
    # Saturday's late parcel arrives before Wednesday's: it is of the week all the same.
    sat = orders.order("sat", monday + 5 * DAY - 72 * HOUR, late=True)
    wed = orders.order("wed", monday + 2 * DAY - 72 * HOUR, late=True)
    found = evidence_of(store, orders)
    assert {found[e]["week"] for e in (tue, sat, wed)} == {"2026-W11"}
    assert [found[e]["late_this_week"] for e in (tue, sat, wed)] == [1, 2, 3]
    # The 30 days' record still ends at the parcel: Wednesday's does not hold Saturday's.
    assert found[wed]["late_shipments"] == 3


def test_an_order_paid_without_ship_by_is_due_within_the_default_promise(
    store: Store,
) -> None:
    orders = Orders()
    orders.paid("o1", T0)
    on_time = orders.shipped("o1", T0 + 47 * HOUR)
    orders.paid("o2", T0)
    late = orders.shipped("o2", T0 + 49 * HOUR)
    found = evidence_of(store, orders)
    assert on_time not in found
    assert found[late]["late_by_hours"] == 1.0


def test_the_default_promise_is_a_setting(store: Store) -> None:
    orders = Orders()
    orders.paid("o1", T0)
    shipped = orders.shipped("o1", T0 + 30 * HOUR)
    found = evidence_of(store, orders, Settings(ship_within=24 * HOUR))
    assert found[shipped]["late_by_hours"] == 6.0


@pytest.mark.parametrize("batch_size", [1, 500])
def test_a_shipment_whose_payment_arrives_after_it_is_judged_by_the_payment(
    store: Store, batch_size: int
) -> None:
    orders = Orders()
    early = orders.shipped("o1", T0 + 72 * HOUR)  # its payment arrives after it
    paid = orders.paid("o1", T0, ship_by=T0 + 48 * HOUR)
    orders.paid("o1", T0, ship_by=T0 + 48 * HOUR)  # the payment re-sent: judged once
    orders.paid("o2", T0 + DAY, ship_by=T0 + 2 * DAY)
    later = orders.shipped("o2", T0 + 4 * DAY)
    found = evidence_of(store, orders, batch_size=batch_size)
    assert early not in found  # no deadline known when it arrived
    assert set(found) == {paid, later}
    judged = found[paid]
    assert judged["order_id"] == "o1"
    # The shipment is what is judged: its time, its record and its week.
    assert datetime.fromisoformat(judged["shipped_at"]) == T0 + 72 * HOUR
    assert datetime.fromisoformat(judged["due_at"]) == T0 + 48 * HOUR
    assert judged["late_by_hours"] == 24.0
    assert datetime.fromisoformat(judged["window"]["until"]) == T0 + 72 * HOUR
    assert (judged["shipments"], judged["late_shipments"]) == (1, 1)
    assert (judged["week"], judged["late_this_week"]) == ("2026-W10", 1)  # Wed 4 March
    assert (found[later]["shipments"], found[later]["late_shipments"]) == (2, 2)


def test_a_payment_is_not_judged_for_an_order_judged_or_shipped_on_time(store: Store) -> None:
    orders = Orders()
    shipped = orders.order("o1", T0, late=True)  # judged when it shipped
    orders.paid("o1", T0, ship_by=T0 + 48 * HOUR)  # the payment re-sent afterwards
    orders.shipped("o2", T0 + 24 * HOUR)
    orders.paid("o2", T0, ship_by=T0 + 48 * HOUR)  # arrives after an on-time shipment
    orders.paid("o3", T0, ship_by=T0 + HOUR)  # not shipped yet
    assert set(evidence_of(store, orders)) == {shipped}


def test_an_order_shipped_twice_over_is_one_shipment(store: Store) -> None:
    orders = Orders()
    first = orders.order("o1", T0 - 5 * DAY, late=True)
    orders.shipped("o1", T0 - DAY)  # the carrier's second scan, resent
    orders.paid("o2", T0 - 3 * DAY, ship_by=T0 - DAY)
    last = orders.shipped("o2", T0)
    found = evidence_of(store, orders)
    assert found[last]["shipments"] == 2
    assert set(found) == {first, last}  # the re-scan is not judged again


def test_a_resent_shipment_is_not_judged_again_whenever_it_is_dated(store: Store) -> None:
    orders = Orders()
    orders.paid("o1", T0, ship_by=T0 + 48 * HOUR)
    first = orders.shipped("o1", T0 + 4 * DAY)
    orders.shipped("o1", T0 + 9 * DAY)  # a re-scan days later, in another week
    orders.shipped("o1", T0 + 3 * DAY)  # one dated earlier, arriving later
    orders.shipped("o1", T0 + 4 * DAY)  # the same moment again, under a new event id
    assert set(evidence_of(store, orders)) == {first}


def test_other_merchants_orders_are_not_in_the_record(store: Store) -> None:
    mine, theirs = Orders("m1"), Orders("m2")
    for n in range(3):
        theirs.order(f"t{n}", T0 - (n + 3) * DAY, late=True)
    mine.order("o1", T0 - 3 * DAY, late=False)
    last = mine.order("o2", T0 - 2 * DAY, late=True)
    orders = Orders()
    orders.events = theirs.events + mine.events
    evidence = evidence_of(store, orders)[last]
    assert (evidence["shipments"], evidence["late_shipments"]) == (2, 1)


@pytest.mark.parametrize("batch_size", [1, 7])
def test_the_record_does_not_depend_on_how_the_input_was_cut(store: Store, batch_size: int) -> None:
    orders = Orders()
    for n in range(12):
        orders.order(f"o{n}", T0 + n * DAY, late=n % 3 == 0)
    whole = evidence_of(store, orders, batch_size=batch_size)
    assert len(whole) == 4
    assert [e["late_shipments"] for e in sorted(whole.values(), key=lambda e: e["shipped_at"])] == [
        1,
        2,
        3,
        4,
    ]


def late_at(orders: Orders, order: str, at: datetime) -> str:
    """An order shipped at ``at``, a day after its deadline."""
    return orders.order(order, at - 72 * HOUR, late=True)


def test_the_week_turns_at_midnight_on_sunday_in_china(store: Store) -> None:
    orders = Orders()
    # Sunday 23:30 and Monday 00:30 +08:00 are both Sunday in UTC (15:30 and 16:30),
    # one ISO week there; on the platform's calendar they are two. Monday's arrives first.
    monday = late_at(orders, "mon", datetime(2026, 3, 16, 0, 30, tzinfo=CST))
    sunday = late_at(orders, "sun", datetime(2026, 3, 15, 23, 30, tzinfo=CST))
    found = evidence_of(store, orders)
    assert (found[sunday]["week"], found[sunday]["late_this_week"]) == ("2026-W11", 1)
    assert (found[monday]["week"], found[monday]["late_this_week"]) == ("2026-W12", 1)


def test_the_week_at_the_turn_of_the_year_is_the_iso_week(store: Store) -> None:
    orders = Orders()
    # 2026 has 53 ISO weeks: 31 December 2026 (a Thursday) and 1-3 January 2027 are in
    # 2026-W53; 2027-W01 begins on Monday 4 January.
    dec31 = late_at(orders, "dec31", datetime(2026, 12, 31, 23, 30, tzinfo=CST))
    jan1 = late_at(orders, "jan1", datetime(2027, 1, 1, 0, 30, tzinfo=CST))
    jan4 = late_at(orders, "jan4", datetime(2027, 1, 4, 0, 30, tzinfo=CST))
    # 29-31 December 2025 are in 2026-W01, the ISO year before the calendar's.
    dec30 = late_at(orders, "dec30", datetime(2025, 12, 30, 12, 0, tzinfo=CST))
    found = evidence_of(store, orders)
    weeks = [(found[e]["week"], found[e]["late_this_week"]) for e in (dec31, jan1, jan4, dec30)]
    assert weeks == [("2026-W53", 1), ("2026-W53", 2), ("2027-W01", 1), ("2026-W01", 1)]


def test_shipping_week_names_the_iso_week_and_its_monday_in_china() -> None:
    from trustfair.enforce.authors import shipping_week

    assert shipping_week(datetime(2026, 3, 15, 23, 59, 59, tzinfo=CST)) == (
        "2026-W11",
        datetime(2026, 3, 9, tzinfo=CST),
    )
    assert shipping_week(datetime(2026, 3, 15, 16, 0, tzinfo=UTC)) == (
        "2026-W12",
        datetime(2026, 3, 16, tzinfo=CST),
    )
    assert shipping_week(datetime(2027, 1, 3, 12, 0, tzinfo=CST)) == (
        "2026-W53",
        datetime(2026, 12, 28, tzinfo=CST),
    )
    assert shipping_week(datetime(2025, 12, 31, 12, 0, tzinfo=CST))[0] == "2026-W01"
