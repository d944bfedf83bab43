"""The default policy's fulfilment rule: a shop that ships a large share of its orders
late earns points and loses live selling for 7 days, at most once a week; a shop that
is late now and then does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.detect.test_late_shipment import Orders
from tests.factories import T0, ingest
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import PointsEntryRow, SanctionRow

DAY = timedelta(days=1)
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
