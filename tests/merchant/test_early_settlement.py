"""Early settlement through the pipeline: order event → early_settlement signal →
settlement rule → effect → ledger advance, settled or reversed."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import ingest
from tests.merchant.builders import confirmed, history, refunded
from tests.protect.builders import at, balance_of, paid, postings, registered, shipped
from trustfair.merchant.advances import ADVANCE, ADVANCE_RECOVERY, ADVANCE_REFUNDED
from trustfair.merchant.advances import ADVANCE_SETTLED as SETTLED_KIND
from trustfair.pipeline.registry import Registry
from trustfair.protect.check import check_ledger
from trustfair.store.models import AdvanceRow, DecisionRow, EventRow

TRUSTED = history("m1", 25)
"""25 orders shipped on time: every sub-score 100, well over the bar."""
SLOPPY = history("m2", 25, late=5)
"""5 of 25 late (20 %): fulfilment 0 (and the late-shipment rule's points), under the bar."""


def _advances(store) -> dict[str, AdvanceRow]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        rows = {row.order_id: row for row in session.scalars(select(AdvanceRow))}
        session.expunge_all()
        return rows


def _ledger_ok(store) -> None:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        report = check_ledger(session)
    assert report.ok, report.breaches


def _new_order(order: str, day: float, merchant: str = "m1", amount: int = 8_000) -> list[dict]:
    return [
        paid(f"pay-{order}", order, amount, at(days=day), merchant_id=merchant),
        shipped(f"ship-{order}", order, at(days=day, hours=5), merchant_id=merchant),
    ]


def test_a_trusted_merchant_is_paid_once_on_shipment(store, registry: Registry) -> None:
    ingest(store, registry, *TRUSTED)
    advanced_before = set(_advances(store))
    ingest(store, registry, *_new_order("o1", 30))
    # The carrier's re-scan, under a new event id, and the same shipment sent again.
    ingest(store, registry, shipped("rescan-o1", "o1", at(days=30, hours=9)))
    ingest(store, registry, *_new_order("o1", 30))

    new = {k: v for k, v in _advances(store).items() if k not in advanced_before}
    assert list(new) == ["o1"]
    row = new["o1"]
    assert (row.state, row.amount_fen, row.merchant_id) == ("advanced", 8_000, "m1")
    assert row.score >= row.bar
    [posting] = [p for p in postings(store, ADVANCE) if p.ref_id == "o1"]
    assert posting.key == "advance:order:o1"
    assert posting.rule == "settlement.advance"
    assert posting.decision_id is not None
    assert balance_of(store, "advance:m1") == sum(r.amount_fen for r in _advances(store).values())
    _ledger_ok(store)


def test_early_orders_are_not_advanced_until_the_merchant_has_a_record(
    store, registry: Registry
) -> None:
    ingest(store, registry, *TRUSTED)
    advanced = _advances(store)
    # The first 20 orders were shipped before 20 orders were paid in the window.
    assert "m1-h0" not in advanced
    assert advanced, "once the record was long enough, shipments were advanced"
    with store.reading() as session:
        first = session.scalars(
            select(DecisionRow)
            .join(EventRow, EventRow.seq == DecisionRow.event_seq)
            .where(EventRow.event_id == "ship-m1-h0")
        ).one()
    [reason] = [r for r in first.reasons if r["rule"] == "settlement.advance"]
    assert "no score yet" in reason["refused"]["reason"]


def test_a_merchant_under_the_bar_gets_nothing_and_is_told_why(store, registry: Registry) -> None:
    ingest(store, registry, *SLOPPY, *_new_order("o2", 30, merchant="m2"))
    assert not any(r.merchant_id == "m2" for r in _advances(store).values())
    assert balance_of(store, "advance:m2") == 0
    with store.reading() as session:
        decision = session.scalars(
            select(DecisionRow)
            .join(EventRow, EventRow.seq == DecisionRow.event_seq)
            .where(EventRow.event_id == "ship-o2")
        ).one()
    [reason] = [r for r in decision.reasons if r["rule"] == "settlement.advance"]
    assert "is under the bar of 80" in reason["refused"]["reason"]


def test_confirmation_settles_the_advance_once(store, registry: Registry) -> None:
    ingest(store, registry, *TRUSTED, *_new_order("o1", 30))
    outstanding = balance_of(store, "advance:m1")
    ingest(store, registry, confirmed("conf-o1", "o1", at(days=35)))
    ingest(store, registry, confirmed("conf-o1-again", "o1", at(days=36)))
    # A refund after the confirmation is the after-sales flow's: the advance is closed.
    ingest(store, registry, refunded("ref-o1", "o1", at(days=40)))

    row = _advances(store)["o1"]
    assert row.state == "settled"
    [settled] = [p for p in postings(store, SETTLED_KIND) if p.ref_id == "o1"]
    assert settled.rule == "settlement.settle" and settled.decision_id is not None
    assert not [p for p in postings(store, ADVANCE_REFUNDED) if p.ref_id == "o1"]
    assert balance_of(store, "advance:m1") == outstanding - 8_000
    _ledger_ok(store)


def test_a_refund_before_confirmation_reverses_the_advance_once(store, registry: Registry) -> None:
    ingest(store, registry, registered("m1", deposit_fen=5_000), *TRUSTED, *_new_order("o1", 30))
    ingest(store, registry, refunded("ref-o1", "o1", at(days=32)))
    ingest(store, registry, refunded("ref-o1-again", "o1", at(days=33)))
    # Confirmed after the refund (a late message): nothing more moves.
    ingest(store, registry, confirmed("conf-o1", "o1", at(days=35)))

    row = _advances(store)["o1"]
    assert row.state == "refunded"
    [reversal] = [p for p in postings(store, ADVANCE_REFUNDED) if p.ref_id == "o1"]
    assert reversal.rule == "settlement.reverse"
    assert not [p for p in postings(store, SETTLED_KIND) if p.ref_id == "o1"]
    # The deposit (5,000 fen) gave back what it could of the 8,000; 3,000 is still owed.
    [recovery] = [p for p in postings(store, ADVANCE_RECOVERY) if p.ref_id == "o1"]
    assert recovery.key == "advance:order:o1:recovery"
    assert balance_of(store, "deposit:m1") == 0
    assert balance_of(store, "advance_owed:m1") == 3_000
    assert row.recovered_fen == 5_000
    _ledger_ok(store)

    # What is owed is kept back from the next advance, and the refunded one is repaid.
    ingest(store, registry, *_new_order("o3", 31))
    assert balance_of(store, "advance_owed:m1") == 0
    assert _advances(store)["o1"].state == "repaid"
    [kept] = [p for p in postings(store, ADVANCE_RECOVERY) if p.ref_id == "o3"]
    assert kept.key == "advance:order:o3:kept_back"
    _ledger_ok(store)


def test_events_out_of_order(store, registry: Registry) -> None:
    ingest(store, registry, *TRUSTED)
    ingest(
        store,
        registry,
        # Refunded, then the shipment arrives: not advanced.
        paid("pay-r", "r", 8_000, at(days=30)),
        refunded("ref-r", "r", at(days=30, hours=2)),
        shipped("ship-r", "r", at(days=30, hours=3)),
        # Confirmed before its shipment reached the log: not advanced either.
        paid("pay-c", "c", 8_000, at(days=30)),
        confirmed("conf-c", "c", at(days=31)),
        shipped("ship-c", "c", at(days=30, hours=4)),
        # Shipped before its payment arrived: nothing known to pay.
        shipped("ship-u", "u", at(days=30, hours=1)),
        paid("pay-u", "u", 8_000, at(days=30)),
        # Confirmation of an order that was never advanced.
        confirmed("conf-never", "never", at(days=31)),
        refunded("ref-never", "never", at(days=31)),
    )
    advanced = _advances(store)
    assert not {"r", "c", "u", "never"} & set(advanced)
    assert not [p for p in postings(store) if p.ref_id in {"r", "c", "u", "never"}]
    _ledger_ok(store)


def test_every_event_sent_again_under_new_ids_moves_no_money_twice(
    store, registry: Registry
) -> None:
    events = [*_new_order("o1", 30), refunded("ref-o1", "o1", at(days=31))]
    ingest(store, registry, *TRUSTED, *events)
    before = [(p.key, p.kind) for p in postings(store)]
    assert ("advance:order:o1:refunded", ADVANCE_REFUNDED) in before
    ingest(store, registry, *[{**e, "event_id": f"again-{e['event_id']}"} for e in events])
    assert [(p.key, p.kind) for p in postings(store)] == before


def test_the_use_cases_asked_twice_move_the_money_once(store, registry: Registry) -> None:
    from trustfair.merchant.advances import reverse_on_refund, settle_on_confirmation

    ingest(store, registry, *TRUSTED, *_new_order("o1", 30), *_new_order("o2", 30))
    for _ in range(2):
        with store.transaction() as session:
            settle_on_confirmation(session, "o1", at(days=33), "test")
            reverse_on_refund(session, "o2", at(days=33), "test")
    assert [p.ref_id for p in postings(store, SETTLED_KIND)] == ["o1"]
    assert [p.ref_id for p in postings(store, ADVANCE_REFUNDED)] == ["o2"]
    _ledger_ok(store)


def test_every_first_shipment_keeps_the_score_it_was_judged_on_and_both_export(
    store, registry: Registry
) -> None:
    from trustfair.store.export import export_records

    ingest(store, registry, *TRUSTED, *SLOPPY)
    ingest(store, registry, shipped("rescan", "m1-h3", at(days=9)))
    scores = list(export_records(store, "trust_scores"))
    assert sorted(r["order_id"] for r in scores) == sorted(
        e["payload"]["order_id"] for e in TRUSTED + SLOPPY if e["type"] == "order.shipped"
    )
    paid_early = {r["order_id"] for r in scores if r["early_settlement"]}
    exported = list(export_records(store, "advances"))
    assert {r["order_id"] for r in exported} == paid_early == set(_advances(store))
    assert all(r["merchant_id"] == "m1" for r in exported)
    unscored = [r for r in scores if r["score"] is None]
    assert unscored and all("a score needs at least 20" in r["why"] for r in unscored)
    assert all(r["components"][0]["name"] == "violations" for r in scores)


def test_what_is_advanced_does_not_depend_on_how_the_input_was_batched(
    store, registry: Registry
) -> None:
    # A payment in the same batch, arriving after the shipment, is not counted for it:
    # order n ships once n + 1 orders are paid (days 0..n), so 20 are reached at n = 19.
    ingest(store, registry, *TRUSTED, batch_size=7)
    assert set(_advances(store)) == {f"m1-h{n}" for n in range(19, 25)}


def test_the_marketplace_is_told_to_pay_net_and_collect_once_each(
    store, registry: Registry
) -> None:
    from trustfair.store.models import OutboxRow

    ingest(store, registry, *TRUSTED, *_new_order("o1", 30), *_new_order("o2", 30))
    ingest(store, registry, confirmed("conf-o1", "o1", at(days=33)))
    ingest(store, registry, refunded("ref-o2", "o2", at(days=33)))
    ingest(store, registry, refunded("ref-o2-again", "o2", at(days=34)))
    ingest(store, registry, *_new_order("o3", 35))
    with store.reading() as session:
        sent = [
            (row.topic, row.payload)
            for row in session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            if row.topic.startswith("settlement.")
        ]
    by_order: dict[str, list[str]] = {}
    for topic, payload in sent:
        by_order.setdefault(payload["order_id"], []).append(topic)
    assert by_order["o1"] == ["settlement.pay_early", "settlement.advance_settled"]
    assert by_order["o2"] == ["settlement.pay_early", "settlement.advance_owed_back"]
    owed = next(p for t, p in sent if t == "settlement.advance_owed_back")
    assert (owed["from_deposit_fen"], owed["owed_back_fen"]) == (0, 8_000)  # no deposit
    # The next advance pays the merchant only what is left once the debt is kept back.
    pay_o3 = next(p for t, p in sent if t == "settlement.pay_early" and p["order_id"] == "o3")
    assert (pay_o3["pay_fen"], pay_o3["kept_back_fen"]) == (0, 8_000)
    assert set(_advances(store)) == {o for o, topics in by_order.items()}


def test_ledger_check_names_advance_money_that_went_anywhere_else(store) -> None:  # type: ignore[no-untyped-def]
    from trustfair.protect.ledger import Purpose, post

    with store.transaction() as session:
        post(
            session,
            Purpose("advance:order:forged", ADVANCE, "order", "forged"),
            [("fund", 500), ("advance_clearing", -500)],
            at(),
            "test",
        )
    with store.reading() as session:
        report = check_ledger(session)
    named = {b.invariant for b in report.breaches}
    assert {"advances_add_up", "posting_shapes"} <= named


def _owed_back_commands(store) -> list[dict]:  # type: ignore[no-untyped-def]
    from trustfair.store.models import OutboxRow

    with store.reading() as session:
        return [
            row.payload
            for row in session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            if row.topic == "settlement.advance_owed_back"
        ]


def test_each_owed_back_command_is_its_order_s_and_a_topped_up_deposit_repays_them(
    store, registry: Registry
) -> None:
    from tests.protect.builders import deposit_paid

    ingest(store, registry, *TRUSTED, *_new_order("o1", 30), *_new_order("o2", 30))
    ingest(store, registry, refunded("ref-o1", "o1", at(days=31), amount_fen=8_000))
    ingest(store, registry, refunded("ref-o2", "o2", at(days=31, hours=1), amount_fen=8_000))
    commands = _owed_back_commands(store)
    # One order's debt each (not the merchant's running total), and marked as not to be
    # collected: the ledger collects it.
    assert [(c["order_id"], c["owed_back_fen"], c["collect"]) for c in commands] == [
        ("o1", 8_000, False),
        ("o2", 8_000, False),
    ]
    assert sum(c["owed_back_fen"] for c in commands) == balance_of(store, "advance_owed:m1")
    # The merchant tops its deposit up: the advances owed back are recovered from it,
    # once (the same payment sent again moves nothing).
    ingest(store, registry, deposit_paid("dep-1", "pay-1", 50_000, at(days=32)))
    ingest(store, registry, deposit_paid("dep-1-again", "pay-1", 50_000, at(days=32)))
    assert balance_of(store, "advance_owed:m1") == 0
    assert balance_of(store, "deposit:m1") == 50_000 - 16_000
    rows = _advances(store)
    assert {(rows[o].state, rows[o].recovered_fen) for o in ("o1", "o2")} == {("repaid", 8_000)}
    # Nothing left to keep back from the next advance: it is paid in full.
    ingest(store, registry, *_new_order("o3", 33))
    assert balance_of(store, "advance_owed:m1") == 0
    _ledger_ok(store)
