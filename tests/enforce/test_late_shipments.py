"""The default policy's fulfilment rule: a shop that ships a large share of its orders
late earns points and loses live selling for 7 days, once for each week with late
parcels of its own; a shop that is late now and then does not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.detect.test_late_shipment import Orders
from tests.factories import CST, T0, ingest
from trustfair.enforce.points import class_balance
from trustfair.events.payload import EntityRef
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import DecisionRow, EventRow, PointsEntryRow, SanctionRow

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
RULE = "fulfilment.late_shipments"


@pytest.fixture(scope="module")
def default_policy() -> Registry:
    return build_registry(Settings())


def awards(store: Store, merchant: str) -> list[tuple[int, str]]:
    with store.reading() as session:
        return [
            (r.points, r.matter)
            for r in session.scalars(
                select(PointsEntryRow)
                .where(PointsEntryRow.entity_id == merchant)
                .order_by(PointsEntryRow.id)
            )
        ]


def suspensions(store: Store, merchant: str) -> list[SanctionRow]:
    with store.reading() as session:
        return list(
            session.scalars(
                select(SanctionRow)
                .where(SanctionRow.entity_id == merchant, SanctionRow.kind == "live_suspension")
                .order_by(SanctionRow.id)
            )
        )


def ship(orders: Orders, order: str, at: datetime, late: bool) -> str:
    """An order shipped at ``at``: a day after its deadline if ``late``, else a day early."""
    return orders.order(f"{orders.merchant}-{order}", at - (72 if late else 24) * HOUR, late)


def every_other_late(orders: Orders, count: int, first_day: float) -> None:
    """``count`` orders paid a day apart, every other one shipped a day late."""
    for n in range(count):
        orders.order(f"{orders.merchant}-o{n}", T0 + (first_day + n) * DAY, late=n % 2 == 0)


def test_a_habit_of_late_parcels_costs_points_and_a_weeks_live_selling(
    store: Store, default_policy: Registry
) -> None:
    orders = Orders("m1")
    # Paid 1–9 March, due 48 hours later; the 5th late one ships on the 12th (week 11).
    every_other_late(orders, 9, first_day=0)
    ingest(store, default_policy, *orders.events)
    assert awards(store, "m1") == [(4, "late_shipment@shipping:m1:2026-W11")]
    [suspension] = suspensions(store, "m1")
    assert suspension.node == f"{RULE}@late_shipment@shipping:m1:2026-W11"
    assert suspension.ends_at - suspension.starts_at == 7 * DAY
    statement = suspension.statement
    assert statement["rule"] == RULE
    assert statement["violation"]["evidence"]["signals"][0]["late_shipments"] == 5


def test_the_next_weeks_late_parcels_are_a_repeat(store: Store, default_policy: Registry) -> None:
    orders = Orders("m1")
    every_other_late(orders, 16, first_day=0)  # late ones ship through week 12
    ingest(store, default_policy, *orders.events)
    assert awards(store, "m1") == [
        (4, "late_shipment@shipping:m1:2026-W11"),
        (8, "late_shipment@shipping:m1:2026-W12"),
    ]
    assert [s.node.rsplit(":", 1)[1] for s in suspensions(store, "m1")] == ["2026-W11", "2026-W12"]


def test_a_few_late_parcels_are_no_offence(store: Store, default_policy: Registry) -> None:
    few = Orders("m2")
    every_other_late(few, 7, first_day=0)  # 4 late of 7: fewer than 5
    rare = Orders("m3")
    for n in range(40):  # the 5th late one is the 40th order (12.5 %): under 15 %
        rare.order(f"m3-o{n}", T0 + n * DAY / 2, late=n % 8 == 7)
    ingest(store, default_policy, *few.events, *rare.events)
    for merchant in ("m2", "m3"):
        assert awards(store, merchant) == []
        assert suspensions(store, merchant) == []


def test_a_bad_week_is_punished_once_not_again_for_each_later_late_parcel(
    store: Store, default_policy: Registry
) -> None:
    """The 30 days' record of a bad week lingers for a month; a later week is not an
    offence of its own for one late parcel, however bad the record it falls in."""
    orders = Orders("m1")
    monday = datetime(2026, 3, 9, 12, 0, tzinfo=CST)  # 2026-W11
    for n in range(10):  # W11: 5 late of 10
        ship(orders, f"w11-{n}", monday + n * 12 * HOUR, late=n % 2 == 1)
    for week in (1, 2, 3):  # W12, W13, W14: one late parcel of five each
        for n in range(5):
            ship(orders, f"w{11 + week}-{n}", monday + week * 7 * DAY + n * DAY, late=n == 2)
    ingest(store, default_policy, *orders.events)
    assert awards(store, "m1") == [(4, "late_shipment@shipping:m1:2026-W11")]
    assert len(suspensions(store, "m1")) == 1


def test_a_habitually_late_shop_is_caught_week_after_week_and_a_rarely_late_one_never(
    store: Store, default_policy: Registry
) -> None:
    # Ten orders a week for eight weeks (from Monday 2 March, 2026-W10); one in four
    # shipped late (2 or 3 a week), or one in fourteen (7 %).
    habit, rare = Orders("m1"), Orders("m2")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
    for n in range(80):
        at = start + n * 16.8 * HOUR
        ship(habit, f"o{n}", at, late=n % 4 == 1)
        ship(rare, f"o{n}", at, late=n % 14 == 3)
    ingest(store, default_policy, *habit.events, *rare.events)
    # Five late parcels first gather in the second week; every week from then on has
    # two or more of its own, and is punished once.
    assert [matter.rsplit(":", 1)[1] for _, matter in awards(store, "m1")] == [
        f"2026-W{week}" for week in range(11, 18)
    ]
    assert awards(store, "m2") == []
    assert suspensions(store, "m2") == []


def test_the_explanation_is_filled_from_the_evidence(
    store: Store, default_policy: Registry
) -> None:
    orders = Orders("m1")
    every_other_late(orders, 9, first_day=0)
    ingest(store, default_policy, *orders.events)
    with store.reading() as session:
        reasons = session.scalars(select(DecisionRow.reasons)).all()
    [hit] = [hit for hits in reasons for hit in hits if hit["rule"] == RULE]
    assert hit["explanation"] == (
        "5 of 9 orders shipped after their deadline in the 30 days before, and 2 in the"
        " week 2026-W11 (at least 5 and 15 %, and 2 in the week)"
    )


def test_a_payment_that_arrives_after_its_late_shipment_judges_it_in_the_shipments_week(
    store: Store, default_policy: Registry
) -> None:
    orders = Orders("m1")
    monday = datetime(2026, 3, 9, 12, 0, tzinfo=CST)  # 2026-W11
    for n in range(10):  # W11: 4 late of 10
        ship(orders, f"w11-{n}", monday + n * 12 * HOUR, late=n in (1, 3, 5, 7))
    next_monday = datetime(2026, 3, 16, 9, 0, tzinfo=CST)  # 2026-W12
    ship(orders, "w12-a", next_monday, late=True)  # the 5th late one, alone in its week
    # The 6th: shipped at 10:00, three days after it was paid (Friday, in W11); its
    # payment reaches the log only after the shipment.
    shipped_at = next_monday + HOUR
    orders.shipped("m1-w12-b", shipped_at)
    payment = orders.paid("m1-w12-b", shipped_at - 72 * HOUR, ship_by=shipped_at - 24 * HOUR)
    ingest(store, default_policy, *orders.events)
    assert awards(store, "m1") == [(4, "late_shipment@shipping:m1:2026-W12")]
    with store.reading() as session:
        [entry] = session.scalars(select(PointsEntryRow)).all()
        assert entry.at == shipped_at  # dated at the late shipment, not at the payment
        judged_on = session.scalars(
            select(EventRow.event_id)
            .join(DecisionRow, DecisionRow.event_seq == EventRow.seq)
            .where(EventRow.type == "order.paid")
        ).all()
    assert judged_on == [payment]  # no other payment was decided on
    [suspension] = suspensions(store, "m1")
    assert suspension.node == f"{RULE}@late_shipment@shipping:m1:2026-W12"
    assert (suspension.starts_at, suspension.ends_at) == (shipped_at, shipped_at + 7 * DAY)
    assert suspension.statement["violation"]["event_id"] == payment


def awards_dated(store: Store, merchant: str) -> list[tuple[int, str, datetime]]:
    with store.reading() as session:
        return [
            (r.points, r.matter.rsplit(":", 1)[1], r.at.astimezone(CST))
            for r in session.scalars(
                select(PointsEntryRow)
                .where(PointsEntryRow.entity_id == merchant)
                .order_by(PointsEntryRow.id)
            )
        ]


def test_sunday_night_and_monday_morning_are_two_weeks(
    store: Store, default_policy: Registry
) -> None:
    orders = Orders("m1")
    monday = datetime(2026, 3, 9, 12, 0, tzinfo=CST)  # 2026-W11
    for n in range(8):  # 4 late of 8, Monday to Thursday
        ship(orders, f"a{n}", monday + n * 12 * HOUR, late=n % 2 == 1)
    sunday_night = datetime(2026, 3, 15, 23, 30, tzinfo=CST)
    ship(orders, "sun", sunday_night, late=True)  # the 5th: W11 is punished
    # An hour later in UTC's week, but a new week in China's: one late parcel of its
    # own is no offence; a second makes one.
    ship(orders, "mon1", sunday_night + HOUR, late=True)
    ship(orders, "mon2", sunday_night + 2 * HOUR, late=True)
    ingest(store, default_policy, *orders.events)
    assert awards_dated(store, "m1") == [
        (4, "2026-W11", sunday_night),
        (8, "2026-W12", sunday_night + 2 * HOUR),
    ]


def test_a_week_that_straddles_new_year_is_one_matter_its_points_in_the_year_it_shipped(
    store: Store, default_policy: Registry
) -> None:
    """29-31 December 2025 are in ISO week 2026-W01, with 1-4 January 2026. The matter
    is the ISO week, punished once; its points are dated at the parcel that made it an
    offence and count in that parcel's calendar year (+08:00), here 2025."""
    orders = Orders("m1")
    start = datetime(2025, 12, 22, 12, 0, tzinfo=CST)  # Monday of 2025-W52
    for n in range(8):  # 4 late of 8
        ship(orders, f"a{n}", start + n * 18 * HOUR, late=n % 2 == 1)
    for day in (29, 30):  # the 5th and 6th late, in 2026-W01 but in 2025
        ship(orders, f"dec{day}", datetime(2025, 12, day, 10, 0, tzinfo=CST), late=True)
    for day in (2, 3):  # the same ISO week, the next calendar year: no new matter
        ship(orders, f"jan{day}", datetime(2026, 1, day, 10, 0, tzinfo=CST), late=True)
    for day in (5, 6):  # 2026-W02
        ship(orders, f"jan{day}", datetime(2026, 1, day, 10, 0, tzinfo=CST), late=True)
    ingest(store, default_policy, *orders.events)
    assert awards_dated(store, "m1") == [
        (4, "2026-W01", datetime(2025, 12, 30, 10, 0, tzinfo=CST)),
        (8, "2026-W02", datetime(2026, 1, 6, 10, 0, tzinfo=CST)),
    ]
    with store.reading() as session:
        balances = [
            class_balance(session, EntityRef("merchant", "m1"), "general", since, until)
            for since, until in (
                (datetime(2025, 1, 1, tzinfo=CST), datetime(2026, 1, 1, tzinfo=CST)),
                (datetime(2026, 1, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST)),
            )
        ]
    assert balances == [4, 8]
