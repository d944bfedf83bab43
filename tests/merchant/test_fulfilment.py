"""The fulfilment watcher: orders at risk found before their deadline, merchants urged
at most once per interval, and a missed deadline compensated once per order."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import ingest
from tests.protect.builders import (
    at,
    balance_of,
    fund,
    opted_in,
    paid,
    postings,
    registered,
    shipped,
)
from trustfair.merchant.terms import Compensated, FulfilmentTerms
from trustfair.merchant.urges import Signer, UrgeRefused, acknowledge
from trustfair.merchant.watch import MISSED_RULE, run_fulfilment, run_through
from trustfair.pipeline.registry import Registry
from trustfair.store.models import (
    MissedDeadlineRow,
    OutboxRow,
    UrgeOrderRow,
    UrgeRow,
)

TERMS = FulfilmentTerms(horizon_hours=12, urge_interval_hours=6)


def urges(store) -> list[UrgeRow]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        rows = list(session.scalars(select(UrgeRow).order_by(UrgeRow.id)))
        session.expunge_all()
        return rows


def listed(store, urge_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        rows = session.scalars(select(UrgeOrderRow).where(UrgeOrderRow.urge_id == urge_id))
        return {row.order_id: row.due_at for row in rows}


def awards(store) -> list:  # type: ignore[no-untyped-def]
    return postings(store, "award")


def test_an_order_near_its_deadline_is_urged_once_before_it(store, registry: Registry) -> None:
    ingest(
        store,
        registry,
        paid("p1", "o1", when=at(), ship_by=at(hours=48)),
        paid("p2", "o2", when=at(hours=1), ship_by=at(hours=40)),
        paid("p3", "o3", when=at(hours=2), ship_by=at(hours=100)),  # far off
    )
    assert run_fulfilment(store, registry, at(hours=20), TERMS).urges == []  # 20 h to go
    run = run_fulfilment(store, registry, at(hours=30), TERMS)
    [urge] = urges(store)
    assert run.urges == [urge.id] and urge.merchant_id == "m1"
    assert listed(store, urge.id) == {"o2": at(hours=40)}  # o1 is 18 h off, o3 further
    assert urge.first_due_at == at(hours=40) and urge.sent_at == at(hours=30)
    # Again at the same moment, and within the interval: nothing more.
    assert run_fulfilment(store, registry, at(hours=30), TERMS).urges == []
    assert run_fulfilment(store, registry, at(hours=35), TERMS).urges == []
    # The interval past: o1 (12 h off) and o2 (still unshipped, 4 h off) in one urge.
    run_fulfilment(store, registry, at(hours=36), TERMS)
    second = urges(store)[-1]
    assert listed(store, second.id) == {"o1": at(hours=48), "o2": at(hours=40)}
    with store.reading() as session:
        commands = list(
            session.scalars(select(OutboxRow).where(OutboxRow.topic == "merchant.urge"))
        )
    assert len(commands) == 2
    payload = commands[-1].payload
    assert [o["order_id"] for o in payload["orders"]] == ["o2", "o1"]
    assert payload["ack_url"].endswith(f"/v1/urges/{second.id}/ack?token=" + _token(second))


def _token(urge: UrgeRow) -> str:
    from trustfair.settings import Settings

    return Signer(Settings().urge_secret).token(urge)  # the registry fixture's settings


def test_a_shipped_order_is_not_urged_and_as_of_means_event_time(store, registry) -> None:
    ingest(
        store,
        registry,
        paid("p1", "o1", when=at(), ship_by=at(hours=10)),
        shipped("s1", "o1", when=at(hours=5)),
        # Paid at hour 8 in event time: not yet paid as of hour 4.
        paid("p2", "o2", when=at(hours=8), ship_by=at(hours=12)),
    )
    assert run_fulfilment(store, registry, at(hours=4), TERMS).at_risk == 1  # o1 only
    assert run_fulfilment(store, registry, at(hours=6), TERMS).at_risk == 0
    assert run_fulfilment(store, registry, at(hours=9), TERMS).at_risk == 1  # o2


def test_the_ack_token_acknowledges_its_urge_only_and_once(store, registry) -> None:
    ingest(
        store,
        registry,
        paid("p1", "o1", when=at(), ship_by=at(hours=10)),
        paid("p2", "o2", when=at(), ship_by=at(hours=10), merchant_id="m2"),
    )
    run_fulfilment(store, registry, at(hours=1), TERMS)
    first, other = urges(store)
    signer = Signer("server secret")
    signer.check(first, signer.token(first))
    with pytest.raises(UrgeRefused):
        signer.check(first, signer.token(other))  # another urge's token
    with pytest.raises(UrgeRefused):
        signer.check(first, Signer("guessed").token(first))  # forged without the secret
    with store.transaction() as session:
        row = session.get(UrgeRow, first.id)
        assert acknowledge(session, row, "merchant:m1", at(hours=2))
        assert not acknowledge(session, row, "merchant:m1", at(hours=3))
        assert row.acknowledged_at == at(hours=2) and row.acknowledged_by == "merchant:m1"


def test_a_missed_deadline_is_compensated_once_and_recovered(store, registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=50_000),
        paid("p1", "o1", amount_fen=20_000, when=at(), ship_by=at(hours=24)),
        paid("p2", "o2", amount_fen=20_000, when=at(), ship_by=at(hours=24)),
        shipped("s2", "o2", when=at(hours=23)),  # on time
    )
    # Not yet past, then past but within the grace period (2 h).
    assert run_fulfilment(store, registry, at(hours=24), TERMS).missed == 0
    assert run_fulfilment(store, registry, at(hours=26), TERMS).missed == 0
    run = run_fulfilment(store, registry, at(hours=27), TERMS)
    assert run.compensated == {"o1": 2_000}  # 10 % of 20,000 fen (the policy's terms)
    for _ in range(2):  # re-runs, later
        assert run_fulfilment(store, registry, at(hours=28), TERMS).compensated == {}
    # It ships late after all: the guarantee path is not even on (no cover); still once.
    ingest(store, registry, shipped("s1", "o1", when=at(hours=40)))
    [award] = awards(store)
    assert (award.key, award.rule) == ("order:o1:late_shipment:award", MISSED_RULE)
    assert balance_of(store, "deposit:m1") == 50_000 - 2_000
    assert balance_of(store, "receivable:m1") == 0
    assert balance_of(store, "payable:b1") == 0


def test_guaranteed_and_missed_is_paid_once_whichever_comes_first(store, registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=50_000),
        opted_in("g1", "late_shipment"),
        paid("p1", "o1", amount_fen=30_000, when=at(), ship_by=at(hours=24)),
        paid("p2", "o2", amount_fen=30_000, when=at(), ship_by=at(hours=24)),
        shipped("s2", "o2", when=at(hours=30)),  # o2: the guarantee pays first
    )
    run_fulfilment(store, registry, at(hours=31), TERMS)  # o1: the watcher pays first
    ingest(store, registry, shipped("s1", "o1", when=at(hours=32)))
    run_fulfilment(store, registry, at(hours=33), TERMS)
    found = {a.ref_id: a.rule for a in awards(store)}
    assert found == {"o1": MISSED_RULE, "o2": "protection.late_shipment"}
    assert balance_of(store, "deposit:m1") == 50_000 - 2 * 3_000
    with store.reading() as session:
        misses = {m.order_id: m.award_id for m in session.scalars(select(MissedDeadlineRow))}
    assert set(misses) == {"o1", "o2"} and all(misses.values())


def test_only_guaranteed_orders_are_paid_when_the_terms_say_so(store, registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        opted_in("g1", "late_shipment", "m2"),
        paid("p1", "o1", when=at(), ship_by=at(hours=5)),
        paid("p2", "o2", when=at(), ship_by=at(hours=5), merchant_id="m2"),
    )
    terms = FulfilmentTerms(compensate=Compensated.GUARANTEED)
    run = run_fulfilment(store, registry, at(hours=8), terms)
    assert run.missed == 2 and set(run.compensated) == {"o2"}
    assert [a.ref_id for a in awards(store)] == ["o2"]


def test_a_long_stepped_run_urges_before_deadlines_and_never_too_often(store, registry) -> None:
    rng = random.Random(8)
    events, shipped_at = [], {}
    for i in range(60):
        merchant = f"m{i % 4}"
        paid_at = at(hours=rng.randint(0, 96))
        due = paid_at + timedelta(hours=rng.choice([24, 36, 48]))
        events.append(paid(f"p{i}", f"o{i}", when=paid_at, ship_by=due, merchant_id=merchant))
        if rng.random() < 0.7:
            ship = due + timedelta(hours=rng.randint(-30, 10))
            ship = max(ship, paid_at + timedelta(minutes=5))
            shipped_at[f"o{i}"] = ship
            events.append(shipped(f"s{i}", f"o{i}", when=ship, merchant_id=merchant))
    ingest(store, registry, *events)
    step = timedelta(minutes=50)  # not a divisor of the interval: windows overlap steps
    run_through(store, registry, at(), at(hours=160), step, TERMS)
    run_through(store, registry, at(), at(hours=160), step * 3, TERMS)  # replayed: no more
    found = urges(store)
    assert found, "the history has orders at risk"
    by_merchant: dict[str, list] = {}
    for urge in found:
        by_merchant.setdefault(urge.merchant_id, []).append(urge.sent_at)
        for order_id, due in listed(store, urge.id).items():
            assert urge.sent_at < due <= urge.sent_at + TERMS.horizon
            assert order_id not in shipped_at or shipped_at[order_id] > urge.sent_at
    # And every order still unshipped an interval (and a step) into its horizon was
    # urged: the horizon is longer than the interval, so none reaches its deadline unseen.
    urged = {order_id for urge in found for order_id in listed(store, urge.id)}
    for e in events:
        if e["type"] != "order.paid":
            continue
        order_id, late_enough = e["payload"]["order_id"], _due(e) - TERMS.horizon
        if shipped_at.get(order_id, _due(e)) > late_enough + TERMS.urge_interval + step:
            assert order_id in urged, order_id
    for times in by_merchant.values():
        times.sort()
        assert all(b - a >= TERMS.urge_interval for a, b in itertools.pairwise(times))
    with store.reading() as session:
        misses = {m.order_id for m in session.scalars(select(MissedDeadlineRow))}
    expected = {
        f"o{i}"
        for i, e in enumerate(e for e in events if e["type"] == "order.paid")
        if f"o{i}" not in shipped_at or shipped_at[f"o{i}"] > _due(e)
    }
    assert misses == expected
    assert sorted(a.ref_id for a in awards(store)) == sorted(expected)


def _due(event: dict):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(event["payload"]["ship_by"])


@pytest.mark.postgres
def test_two_watchers_at_once_urge_and_pay_once(postgres_store, registry) -> None:
    store = postgres_store
    fund(store)
    events = [registered(f"m{i}", deposit_fen=100_000) for i in range(3)]
    for i in range(12):
        due = at(hours=10) if i % 2 else at(hours=2)
        events.append(paid(f"p{i}", f"o{i}", when=at(), ship_by=due, merchant_id=f"m{i % 3}"))
    ingest(store, registry, *events)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            run_fulfilment(
                store, registry, at(hours=5), TERMS
            )  # o0, o2, ...: 3 h past, beyond the grace
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(u.merchant_id for u in urges(store)) == ["m0", "m1", "m2"]
    assert sorted(a.ref_id for a in awards(store)) == sorted(f"o{i}" for i in range(0, 12, 2))
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(MissedDeadlineRow)) == 6


def _history(seed: int, orders: int = 40) -> list[dict]:
    """Orders of four merchants over four days, most shipped (some late), some covered
    by the late-shipment guarantee, in event-time order."""
    rng = random.Random(seed)
    events = [registered(f"m{i}", deposit_fen=20_000) for i in range(4)]
    events += [opted_in("g0", "late_shipment", "m0"), opted_in("g1", "late_shipment", "m1")]
    for i in range(orders):
        merchant = f"m{i % 4}"
        paid_at = at(hours=rng.randint(1, 96))
        due = paid_at + timedelta(hours=rng.choice([24, 48]))
        amount = rng.choice([5_000, 20_000, 90_000])
        events.append(
            paid(f"p{i}", f"o{i}", amount, when=paid_at, ship_by=due, merchant_id=merchant)
        )
        if rng.random() < 0.8:
            ship = max(due + timedelta(hours=rng.randint(-20, 8)), paid_at + timedelta(hours=1))
            events.append(shipped(f"s{i}", f"o{i}", when=ship, merchant_id=merchant))
    return sorted(events, key=lambda e: e["occurred_at"])


def _money(store) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    from trustfair.protect.ledger import lines_of

    with store.reading() as session:
        return sorted(
            (a.key, -sum(fen for acc, fen in lines_of(session, a.id) if acc.startswith("payable")))
            for a in awards(store)
        )


def _urged(store) -> list[tuple[str, object, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return [(u.merchant_id, u.sent_at, tuple(sorted(listed(store, u.id)))) for u in urges(store)]


def test_live_and_replayed_history_urge_and_pay_the_same(store, registry, tmp_path) -> None:
    """Watching as events arrive (each hour: what happened by then, then the watcher)
    and watching a replay of the whole log afterwards give the same urges and money,
    although the guarantee pays some orders first on the replay."""
    from datetime import datetime

    from trustfair.store.database import Store

    events = _history(seed=3)
    fund(store)
    step, start, end = timedelta(hours=1), at(), at(hours=160)
    pending = list(events)
    moment = start
    while moment <= end:
        due_now = [e for e in pending if datetime.fromisoformat(e["occurred_at"]) <= moment]
        if due_now:
            ingest(store, registry, *due_now)
            pending = [e for e in pending if e not in due_now]
        run_fulfilment(store, registry, moment, TERMS)
        moment += step
    replay = Store.open(f"sqlite:///{tmp_path / 'replay.db'}")
    try:
        fund(replay)
        ingest(replay, registry, *events)
        run_through(replay, registry, start, end, step, TERMS)
        assert _urged(replay) == _urged(store)
        assert _money(replay) == _money(store)
        assert _money(store), "the history has missed deadlines"
        rules = {a.rule for a in awards(replay)}
        assert rules == {MISSED_RULE, "protection.late_shipment"}  # both paths, once each
    finally:
        replay.close()


def test_the_report_counts_what_the_ledger_recovered(store, registry) -> None:
    from tests.protect.builders import deposit_paid
    from trustfair.protect.ledger import balance
    from trustfair.report.fulfilment import fulfilment_section

    fund(store)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=2_500),
        *(paid(f"p{i}", f"o{i}", 20_000, when=at(), ship_by=at(hours=10)) for i in range(3)),
        shipped("s0", "o0", when=at(hours=12)),  # late; o1 and o2 never ship
    )
    run_fulfilment(store, registry, at(hours=2), TERMS)  # all three at risk: one urge
    run_fulfilment(store, registry, at(hours=13), TERMS)  # past the deadline and its grace

    def figures() -> dict[str, object]:
        with store.reading() as session:
            section = fulfilment_section(session, TERMS)
        return {f.key: f.value for f in section.figures}

    found = figures()
    assert found["urges_sent"] == 1 and found["orders_urged"] == 3
    assert found["shipped_after_urge_late"] == 1 and found["shipped_after_urge_in_time"] == 0
    assert found["deadlines_missed"] == 3 and found["late_shipment_compensated_orders"] == 3
    assert found["late_shipment_compensation_fen"] == 3 * 2_000
    # The deposit covered 2,500 of the 6,000 fen; the rest is owed.
    assert found["late_shipment_recovered_fen"] == 2_500 - balance_of(store, "deposit:m1")
    assert balance_of(store, "deposit:m1") == 0
    assert balance_of(store, "receivable:m1") == 6_000 - 2_500
    # A later debt of another kind (another order's return shipping, borne by the
    # merchant) is repaid after them.
    from trustfair.protect.fund import Award, award
    from trustfair.protect.terms import Protection

    with store.transaction() as session:
        owed = Award("order", "o9", "b9", "m1", 4_000, True, guarantee="return_shipping")
        award(session, owed, at(hours=15), "test", terms=Protection(), rule="test")
    ingest(store, registry, deposit_paid("d1", "pay-1", 5_000, at(hours=20)))
    # 2,500 + 5,000 recovered in all: the late awards' 6,000 first, then 1,500 of the other.
    assert figures()["late_shipment_recovered_fen"] == 6_000
    assert figures()["late_shipment_borne_by_merchants_fen"] == 6_000
    assert balance_of(store, "receivable:m1") == 4_000 - 1_500
    assert balance_of(store, "deposit:m1") == 0
    ingest(store, registry, deposit_paid("d2", "pay-2", 10_000, at(hours=21)))
    assert balance_of(store, "deposit:m1") == 10_000 - 2_500
    with store.reading() as session:
        assert balance(session, "receivable:m1") == 0


def test_the_use_case_runs_in_the_callers_transaction_on_the_default_terms(store, registry) -> None:
    from trustfair.merchant.watch import watch

    ingest(store, registry, paid("p1", "o1", when=at(), ship_by=at(hours=10)))
    with store.transaction() as session:
        run = watch(session, at(hours=1))  # the bundled terms: a 12-hour horizon
        assert run.at_risk == 1 and len(run.urges) == 1
        session.rollback()  # the caller's transaction: nothing of it is kept
    assert urges(store) == []


def test_an_order_refunded_before_it_shipped_is_neither_urged_nor_compensated(
    store, registry
) -> None:
    from tests.merchant.builders import refunded
    from trustfair.report.fulfilment import fulfilment_section

    ingest(
        store,
        registry,
        # o1 cancelled (refunded) an hour after payment; o2 refunded only after its
        # deadline passed unshipped, so it was missed all the same.
        paid("p1", "o1", 9_900, when=at(), ship_by=at(hours=10)),
        refunded("r1", "o1", at(hours=1), amount_fen=9_900),
        paid("p2", "o2", 9_900, when=at(), ship_by=at(hours=10)),
        refunded("r2", "o2", at(hours=11), amount_fen=9_900),
    )
    # Before its refund o1 was at risk as of hour 0; after it, it is not.
    assert run_fulfilment(store, registry, at(hours=0.5), TERMS).at_risk == 2
    run = run_fulfilment(store, registry, at(hours=2), TERMS)
    assert run.at_risk == 1
    run = run_fulfilment(store, registry, at(hours=13), TERMS)
    assert set(run.compensated) == {"o2"}
    with store.reading() as session:
        assert {m.order_id for m in session.scalars(select(MissedDeadlineRow))} == {"o2"}
        figures = {f.key: f.value for f in fulfilment_section(session, TERMS).figures}
    assert figures["orders_at_risk"] == 1  # o2 only
    assert [a.key for a in awards(store)] == ["order:o2:late_shipment:award"]


def test_a_shipment_made_in_time_whose_event_arrives_late_is_not_a_miss(store, registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        paid("p1", "o1", 9_900, when=at(), ship_by=at(hours=10)),
        paid("p2", "o2", 9_900, when=at(), ship_by=at(hours=10)),
    )
    # Five minutes after the deadline the watcher knows of no shipment: within the
    # grace period (2 h) it records nothing yet.
    assert run_fulfilment(store, registry, at(hours=10 + 5 / 60), TERMS).missed == 0
    # o1's shipment, made an hour before its deadline, reaches the log late.
    ingest(store, registry, shipped("s1", "o1", when=at(hours=9)))
    assert run_fulfilment(store, registry, at(hours=11), TERMS).missed == 0
    run = run_fulfilment(store, registry, at(hours=12 + 1 / 60), TERMS)
    assert set(run.compensated) == {"o2"}
    assert [a.ref_id for a in awards(store)] == ["o2"]


@pytest.mark.parametrize(
    "terms",
    [
        {"miss_grace_hours": -1},
        {"miss_grace_hours": 73},
        {"miss_grace_hours": 48, "lookback_days": 2},
    ],
)
def test_the_grace_period_is_checked(terms: dict) -> None:
    with pytest.raises(ValueError, match="miss_grace_hours"):
        FulfilmentTerms(**terms)
