"""Money the pipeline moves: event → protection signal → policy rule → effect → ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import ingest
from tests.protect.builders import (
    at,
    balance_of,
    claim,
    deposit_paid,
    fund,
    opted_in,
    opted_out,
    paid,
    postings,
    registered,
    returned,
    shipped,
)
from trustfair.events.payload import EntityRef
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.policy.files import DEFAULT_POLICY_PATH, load_policy
from trustfair.protect.fund import SHORTFALL_NODE
from trustfair.settings import Settings
from trustfair.store.models import ClaimRow, DecisionRow, EventRow, SanctionRow


def awards(store) -> list:  # type: ignore[no-untyped-def]
    return postings(store, "award")


# -- return shipping -------------------------------------------------------------------


def test_return_shipping_is_paid_once_on_a_resent_and_on_a_second_return(
    store, registry: Registry
) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1"),
        opted_in("g1", "return_shipping"),
        paid("p1", "o1", amount_fen=9_900, when=at(hours=1)),
        returned("r1", "o1", fee_fen=1_000, when=at(days=5)),
    )
    # The carrier's message again under a new id, then a second return of the order.
    ingest(store, registry, returned("r1-again", "o1", fee_fen=1_000, when=at(days=5)))
    ingest(store, registry, returned("r2", "o1", fee_fen=1_500, when=at(days=9)))

    [award] = awards(store)
    assert award.key == "order:o1:return_shipping:award"
    assert award.rule == "protection.return_shipping"
    assert award.decision_id is not None
    [payout] = postings(store, "payout")
    assert payout.key == "order:o1:return_shipping:payout"
    # Platform-borne: the expense is the platform's, the buyer was paid 1,000 fen.
    assert balance_of(store, "compensation_expense") == 1_000
    assert balance_of(store, "payable:b1") == 0
    assert balance_of(store, "fund") == 1_000_000 - 1_000
    with store.reading() as session:
        decision = session.get(DecisionRow, award.decision_id)
        assert decision is not None
        assert [a["kind"] for a in decision.actions] == ["compensate"]


def test_return_shipping_is_not_paid_without_proof_or_without_cover(
    store, registry: Registry
) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1"),
        registered("m2"),
        opted_in("g1", "return_shipping", "m1"),
        opted_in("g2", "late_shipment", "m2"),  # m2 offers a guarantee, not this one
        paid("p1", "o1", when=at(hours=1)),
        paid("p2", "o2", when=at(hours=1), merchant_id="m2"),
        # m1 stops offering it: an order paid after is not covered, one paid before is.
        opted_out("g3", "return_shipping", "m1", when=at(hours=2)),
        paid("p3", "o3", when=at(hours=3)),
        returned("r1", "o1", tracking_no=None),  # no proof of return shipping
        returned("r0", "o1", fee_fen=0),  # nothing paid for shipping
        returned("r2", "o2", merchant_id="m2"),
        returned("r3", "o3"),
        returned("r9", "o-unknown"),  # no payment in the log
    )
    assert awards(store) == []
    ingest(store, registry, returned("r1b", "o1", tracking_no="R9", when=at(days=6)))
    assert [a.key for a in awards(store)] == ["order:o1:return_shipping:award"]


def _policy_with(tmp_path: Path, old: str, new: str) -> Registry:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return build_registry(Settings(), policy=load_policy(path))


@pytest.mark.parametrize(
    ("order_fen", "fee_fen", "expected"),
    [
        (4_000, 1_500, 800),  # first tier: up to 800
        (5_000, 600, 600),  # the fee itself when under the tier
        (20_000, 1_500, 1_200),  # second tier
        (100_000, 3_000, 2_000),  # last, open tier
    ],
)
def test_return_shipping_pays_the_fee_up_to_the_tier(
    store, registry: Registry, order_fen: int, fee_fen: int, expected: int
) -> None:
    fund(store)
    ingest(
        store,
        registry,
        opted_in("g1", "return_shipping"),
        paid("p1", "o1", amount_fen=order_fen, when=at(hours=1)),
        returned("r1", "o1", fee_fen=fee_fen),
    )
    assert balance_of(store, "compensation_expense") == expected


def test_return_shipping_is_capped_by_the_policy_terms(store, tmp_path: Path) -> None:
    registry = _policy_with(tmp_path, "cap_fen: 2500", "cap_fen: 1500")
    fund(store)
    ingest(
        store,
        registry,
        opted_in("g1", "return_shipping"),
        paid("p1", "o1", amount_fen=100_000, when=at(hours=1)),
        returned("r1", "o1", fee_fen=3_000),
    )
    assert balance_of(store, "compensation_expense") == 1_500


# -- late shipment ---------------------------------------------------------------------


def test_late_shipment_compensation_is_paid_once_when_the_payment_comes_last(
    store, registry: Registry
) -> None:
    fund(store)
    ship_by = at(days=2)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=50_000),
        opted_in("g1", "late_shipment"),
        # The shipment (a day late) reaches the log before the payment that set its
        # deadline: the order is judged when the payment arrives.
        shipped("s1", "o1", when=at(days=3)),
    )
    assert awards(store) == []
    ingest(store, registry, paid("p1", "o1", amount_fen=20_000, when=at(), ship_by=ship_by))
    # The payment and the shipment again, under new ids, in later batches.
    ingest(store, registry, paid("p1b", "o1", amount_fen=20_000, when=at(), ship_by=ship_by))
    ingest(store, registry, shipped("s1b", "o1", when=at(days=3)))

    [award] = awards(store)
    assert award.key == "order:o1:late_shipment:award"
    assert award.rule == "protection.late_shipment"
    # 10 % of 20,000 fen, borne by the merchant: the fund paid first and recovered it
    # from the deposit.
    assert balance_of(store, "payable:b1") == 0
    assert balance_of(store, "receivable:m1") == 0
    assert balance_of(store, "deposit:m1") == 50_000 - 2_000
    assert balance_of(store, "fund") == 1_000_000
    assert [p.kind for p in postings(store)] == [
        "contribution",
        "deposit",
        "award",
        "payout",
        "recovery",
    ]


def test_an_order_shipped_on_time_or_uncovered_earns_nothing(store, registry: Registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        opted_in("g1", "late_shipment", "m1", listing_id="l1"),  # one listing only
        paid("p1", "o1", when=at(), ship_by=at(days=2)),
        paid("p2", "o2", when=at(), ship_by=at(days=2), listing_id="l2"),
        shipped("s1", "o1", when=at(days=1)),  # on time
        shipped("s2", "o2", when=at(days=4)),  # late, but l2 is not covered
    )
    assert awards(store) == []


# -- deposits --------------------------------------------------------------------------


def test_a_deposit_top_up_recovers_what_is_owed_and_lifts_the_shortfall_restriction(
    store, registry: Registry
) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=1_000),
        opted_in("g1", "late_shipment"),
        paid("p1", "o1", amount_fen=30_000, when=at(), ship_by=at(days=2)),
        shipped("s1", "o1", when=at(days=4)),
    )
    # 3,000 fen owed, 1,000 recovered from the deposit: 2,000 still owed, restricted.
    assert balance_of(store, "receivable:m1") == 2_000
    assert balance_of(store, "deposit:m1") == 0
    merchant = EntityRef("merchant", "m1")

    def shortfall(state: str) -> list[SanctionRow]:
        with store.reading() as session:
            return list(
                session.scalars(
                    select(SanctionRow).where(
                        SanctionRow.entity_id == merchant.id,
                        SanctionRow.node == SHORTFALL_NODE,
                        SanctionRow.state == state,
                    )
                )
            )

    [restriction] = shortfall("active")
    assert restriction.kind == "settlement_freeze"

    ingest(store, registry, deposit_paid("d1", "pay-1", 5_000, at(days=6)))
    assert balance_of(store, "receivable:m1") == 0
    assert balance_of(store, "deposit:m1") == 3_000
    assert shortfall("active") == []
    assert len(shortfall("lifted")) == 1
    # The same payment again moves nothing.
    ingest(store, registry, deposit_paid("d1-again", "pay-1", 5_000, at(days=6)))
    assert balance_of(store, "deposit:m1") == 3_000
    deposits = postings(store, "deposit")
    assert [d.key for d in deposits] == ["deposit:registered:m1", "deposit:payment:pay-1"]
    assert all(d.decision_id is not None for d in deposits)
    assert {d.rule for d in deposits} == {"protection.deposit"}  # the rule that moved it


def test_a_payment_sent_again_with_another_amount_is_noted_and_the_batch_goes_on(
    store, registry: Registry
) -> None:
    ingest(
        store,
        registry,
        registered("m1"),
        deposit_paid("d1", "pay-1", 5_000, at(days=1)),
        deposit_paid("d2", "pay-1", 7_000, at(days=2)),  # the marketplace's mistake
        deposit_paid("d3", "pay-2", 1_000, at(days=3)),  # still taken: the batch went on
    )
    assert balance_of(store, "deposit:m1") == 6_000
    with store.reading() as session:
        [decision] = session.scalars(
            select(DecisionRow)
            .join(EventRow, EventRow.seq == DecisionRow.event_seq)
            .where(EventRow.event_id == "d2")
        ).all()
    [refused] = [r["refused"] for r in decision.reasons if "refused" in r]
    assert refused["deposit_ref"] == "payment:pay-1"
    assert "other amounts" in refused["reason"]


# -- claims ----------------------------------------------------------------------------


def test_a_claim_on_a_banned_merchant_is_approved_and_paid(store, registry: Registry) -> None:
    from trustfair.enforce.sanctions import issue_sanction

    fund(store)
    ingest(store, registry, registered("m1", deposit_fen=100_000), paid("p1", "o1", when=at()))
    with store.transaction() as session:
        issue_sanction(
            session,
            EntityRef("merchant", "m1"),
            "ban",
            None,
            "test.ban",
            at(days=1),
            decision_id=None,
            policy_version="test",
            statement={},
        )
    ingest(
        store,
        registry,
        claim("c1", "cs-1", "o1", "merchant_unreachable", 9_900, at(days=3)),
        claim("c1-again", "cs-1", "o1", "merchant_unreachable", 9_900, at(days=3)),
    )
    with store.reading() as session:
        [row] = session.scalars(select(ClaimRow)).all()
        assert (row.state, row.amount_fen, row.rule) == ("paid", 9_900, "claims.merchant_banned")
        assert row.decision_id is not None
        decision = session.get(DecisionRow, row.decision_id)
        assert decision is not None and decision.reasons[0]["rule"] == "protection.claim"
    [award] = awards(store)
    assert (award.key, award.decision_id) == (f"claim:{row.id}:award", row.decision_id)
    # Borne by the merchant: recovered from its deposit at once.
    assert balance_of(store, "deposit:m1") == 100_000 - 9_900
    assert balance_of(store, "fund") == 1_000_000


def test_claims_are_adjudicated_by_their_facts(store, registry: Registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1"),
        paid("p1", "o1", when=at()),
        paid("p2", "o2", when=at()),
        paid("p3", "o3", when=at()),
        claim("c1", "cs-1", "o1", "not_delivered", 9_900, at(days=20)),  # never delivered
        claim("c2", "cs-2", "o2", "merchant_unreachable", 9_900, at(days=3)),  # not banned
        claim("c3", "cs-3", "o3", "counterfeit", 9_900, at(days=3)),  # a reviewer decides
    )
    with store.reading() as session:
        states = {c.claim_ref: c.state for c in session.scalars(select(ClaimRow))}
    assert states == {"cs-1": "paid", "cs-2": "in_review", "cs-3": "in_review"}


def test_a_claim_the_fund_refuses_is_noted_and_the_batch_goes_on(store, registry: Registry) -> None:
    fund(store)
    ingest(
        store,
        registry,
        registered("m1"),
        paid("p1", "o1", amount_fen=9_900, when=at()),
        claim("c1", "cs-1", "o-unknown", "not_delivered", 100, at(days=20)),
        claim("c2", "cs-2", "o1", "not_delivered", 99_000, at(days=20)),  # over the order
        claim("c3", "cs-3", "o1", "not_delivered", 9_900, at(days=20)),  # fine
    )
    with store.reading() as session:
        claims = {c.claim_ref: c.state for c in session.scalars(select(ClaimRow))}
        assert claims == {"cs-3": "paid"}
        refused = {
            reason["refused"]["claim_ref"]: reason["refused"]["reason"]
            for decision in session.scalars(select(DecisionRow))
            for reason in decision.reasons
            if "refused" in reason
        }
    assert set(refused) == {"cs-1", "cs-2"}
    assert "unknown" in refused["cs-1"]
    assert "at most 9900 fen" in refused["cs-2"]


def test_replaying_the_log_moves_the_same_money(store, registry: Registry, tmp_path) -> None:
    """What a rebuild sees: the same events again, into a fresh store, post the same."""
    from trustfair.store.database import Store

    events = [
        registered("m1", deposit_fen=10_000),
        opted_in("g1", "return_shipping"),
        opted_in("g2", "late_shipment"),
        paid("p1", "o1", amount_fen=9_900, when=at(), ship_by=at(days=2)),
        shipped("s1", "o1", when=at(days=3)),
        returned("r1", "o1"),
        claim("c1", "cs-1", "o1", "not_delivered", 500, at(days=20)),
    ]
    fund(store)
    ingest(store, registry, *events)
    other = Store.open(f"sqlite:///{tmp_path / 'again.db'}")
    try:
        fund(other)
        ingest(other, registry, *events, batch_size=1)
        ingest(other, registry, *events)  # and once more: all duplicates

        def shape(s) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
            return [(p.key, p.kind) for p in postings(s)]

        assert shape(other) == shape(store)
    finally:
        other.close()
