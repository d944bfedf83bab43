"""Claims and the fund over HTTP, on the real app and both stores: adjudicated on the
facts, paid by the fund first, recovered from the merchant, and every money-moving
call made once per Idempotency-Key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.factories import api_key, event, ingest, order_paid
from trustfair.api.app import create_app
from trustfair.api.idempotency import _claim
from trustfair.protect.check import check_ledger
from trustfair.store.models import IdempotencyKeyRow, SanctionRow

PAID = datetime.now(UTC) - timedelta(days=20)


@pytest.fixture
def money(store, registry):  # type: ignore[no-untyped-def]
    ingest(
        store,
        registry,
        event(
            "g1",
            "guarantee.opted_in",
            {"merchant_id": "m1", "guarantee": "fake_one_pay_n", "n": 3},
            PAID - timedelta(days=1),
        ),
        order_paid("p1", "o1", 9_900, PAID),
        order_paid("p2", "o2", 9_900, PAID),
        order_paid("p3", "o3", 4_000, datetime.now(UTC) - timedelta(days=2)),
    )
    client = TestClient(create_app(store, registry, access_log=False))
    keys = {
        role: {"Authorization": f"Bearer {api_key(store, role)}"}
        for role in ("admin", "customer_service", "reviewer", "service")
    }
    return client, keys, store


def send(client, path, body, headers, key):  # type: ignore[no-untyped-def]
    return client.post(path, json=body, headers={**headers, "Idempotency-Key": key})


def claim(ref: str, order: str, kind: str, fen: int) -> dict:
    return {
        "claim_ref": ref,
        "order_id": order,
        "buyer_id": "b1",
        "kind": kind,
        "requested_fen": fen,
    }


def test_a_not_delivered_claim_is_paid_once_however_often_it_is_sent(money) -> None:
    client, keys, store = money
    assert (
        send(
            client,
            "/v1/fund/contributions",
            {"contribution_ref": "c1", "amount_fen": 100_000},
            keys["admin"],
            "k-c1",
        ).status_code
        == 201
    )
    first = send(
        client,
        "/v1/claims",
        claim("cs-1", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "k-1",
    )
    assert first.status_code == 201, first.text
    assert first.json()["state"] == "paid" and first.json()["rule"] == "claims.not_delivered"
    again = send(
        client,
        "/v1/claims",
        claim("cs-1", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "k-1",
    )
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same claim under a new key is the same claim, not a second payment.
    new_key = send(
        client,
        "/v1/claims",
        claim("cs-1", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "k-2",
    )
    assert new_key.status_code == 201 and new_key.json()["id"] == first.json()["id"]
    other_body = send(
        client,
        "/v1/claims",
        claim("cs-1", "o2", "not_delivered", 100),
        keys["customer_service"],
        "k-1",
    )
    assert other_body.status_code == 422 and "another request" in other_body.json()["detail"]
    no_key = client.post(
        "/v1/claims", json=claim("cs-9", "o2", "not_delivered", 1), headers=keys["customer_service"]
    )
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["detail"]
    fund = client.get("/v1/fund", headers=keys["admin"]).json()
    assert fund["payouts_fen"] == 9_900 and fund["fund_fen"] == 100_000 - 9_900
    with store.reading() as session:
        assert check_ledger(session).ok


def test_claims_the_facts_refuse_are_refused_with_the_reason(money) -> None:
    client, keys, _ = money
    cs = keys["customer_service"]
    unknown = send(client, "/v1/claims", claim("cs-2", "o-none", "not_delivered", 100), cs, "a")
    assert unknown.status_code == 422 and "o-none" in unknown.json()["detail"]
    too_much = send(client, "/v1/claims", claim("cs-3", "o2", "not_delivered", 99_999), cs, "b")
    assert too_much.status_code == 422 and "at most 9900 fen" in too_much.json()["detail"]
    early = send(client, "/v1/claims", claim("cs-4", "o3", "not_delivered", 4_000), cs, "c")
    assert early.status_code == 201
    assert (early.json()["state"], early.json()["rule"]) == ("rejected", "claims.too_early")
    # A refusal is the key's answer too: the same key gets it again.
    assert (
        send(
            client, "/v1/claims", claim("cs-2", "o-none", "not_delivered", 100), cs, "a"
        ).status_code
        == 422
    )


def test_a_confirmed_counterfeit_pays_n_times_and_is_recovered_from_the_merchant(money) -> None:
    client, keys, store = money
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 100_000},
        keys["admin"],
        "c1",
    )
    send(
        client,
        "/v1/merchants/m1/deposits",
        {"payment_id": "dep-1", "amount_fen": 10_000},
        keys["service"],
        "d1",
    )
    filed = send(
        client,
        "/v1/claims",
        claim("cs-5", "o1", "counterfeit", 9_900),
        keys["customer_service"],
        "f1",
    )
    assert filed.json()["state"] == "in_review"
    decided = send(
        client,
        f"/v1/claims/{filed.json()['id']}/decision",
        {"outcome": "approve", "reason": "鉴定为假货"},
        keys["reviewer"],
        "r1",
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["state"], decided.json()["amount_fen"]) == ("paid", 29_700)
    assert decided.json()["rule"] == "guarantee.fake_one_pay_n"
    twice = send(
        client,
        f"/v1/claims/{filed.json()['id']}/decision",
        {"outcome": "approve", "reason": "again"},
        keys["reviewer"],
        "r2",
    )
    assert twice.status_code == 409
    money_of_m1 = client.get("/v1/merchants/m1/money", headers=keys["admin"]).json()
    assert (money_of_m1["deposit_fen"], money_of_m1["owed_fen"]) == (0, 19_700)
    with store.reading() as session:
        frozen = session.scalars(select(SanctionRow).where(SanctionRow.entity_id == "m1")).all()
        assert [(s.kind, s.state) for s in frozen] == [("settlement_freeze", "active")]
    settled = send(
        client,
        "/v1/merchants/m1/settlements",
        {"settlement_ref": "s1", "amount_fen": 5_000},
        keys["service"],
        "s1",
    )
    assert (settled.json()["withheld_fen"], settled.json()["pay_merchant_fen"]) == (5_000, 0)
    topped = send(
        client,
        "/v1/merchants/m1/deposits",
        {"payment_id": "dep-2", "amount_fen": 20_000},
        keys["service"],
        "d2",
    )
    assert (topped.json()["deposit_fen"], topped.json()["owed_fen"]) == (5_300, 0)
    with store.reading() as session:
        states = session.scalars(
            select(SanctionRow.state).where(SanctionRow.entity_id == "m1")
        ).all()
        assert states == ["lifted"]
        report = check_ledger(session)
    assert report.ok, report.breaches
    assert report.fund_fen == 100_000 - 29_700 + 10_000 + 5_000 + 14_700


def test_an_award_waits_for_money_and_is_paid_when_the_fund_is_topped_up(money) -> None:
    client, keys, store = money
    paid = send(
        client,
        "/v1/claims",
        claim("cs-6", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "w1",
    )
    assert paid.json()["state"] == "approved"  # awarded; the fund is empty
    assert client.get("/v1/fund", headers=keys["admin"]).json()["waiting_awards"] == 1
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 50_000},
        keys["admin"],
        "c1",
    )
    assert (
        client.get(f"/v1/claims/{paid.json()['id']}", headers=keys["admin"]).json()["state"]
        == "paid"
    )
    with store.reading() as session:
        assert check_ledger(session).ok


def test_a_key_in_flight_is_409_and_taken_over_once_its_lease_runs_out(money) -> None:
    client, keys, store = money
    body = {"contribution_ref": "c1", "amount_fen": 1_000, "memo": ""}
    # A request holding the key, as if its server were still working on it (or dead).
    from trustfair.api.idempotency import fingerprint

    held = fingerprint("POST", "/v1/fund/contributions", body)
    actor = client.get("/v1/me", headers=keys["admin"]).json()
    scope = f"key:{actor['name']}"
    assert _claim(store, scope, "k", held, timedelta(minutes=5)) == 1
    busy = send(client, "/v1/fund/contributions", body, keys["admin"], "k")
    assert busy.status_code == 409 and int(busy.headers["Retry-After"]) >= 1
    with store.transaction() as session:
        session.execute(
            update(IdempotencyKeyRow).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    taken = send(client, "/v1/fund/contributions", body, keys["admin"], "k")
    assert taken.status_code == 201, taken.text
    with store.reading() as session:
        row = session.scalars(select(IdempotencyKeyRow)).one()
        assert (row.state, row.attempt) == ("done", 2)
    # The dead attempt cannot write its answer over the one that stands.
    from trustfair.api.idempotency import Answer, KeyProblem, _finish

    with pytest.raises(KeyProblem), store.transaction() as session:
        _finish(session, scope, "k", 1, Answer(201, {}))


def test_a_merchant_opts_its_shop_into_a_guarantee_through_the_event_log(money) -> None:
    client, _, store = money
    merchant = {"Authorization": f"Bearer {api_key(store, 'merchant', ['merchant:m1'])}"}
    choice = {"guarantee": "return_shipping", "offered": True, "request_id": "r1"}
    first = client.post("/v1/merchants/m1/guarantees", json=choice, headers=merchant)
    assert first.status_code == 200, first.text
    assert first.json()["stored"] is True
    assert [g["guarantee"] for g in first.json()["in_force"]] == [
        "fake_one_pay_n",
        "return_shipping",
    ]
    again = client.post("/v1/merchants/m1/guarantees", json=choice, headers=merchant)
    assert again.json()["stored"] is False  # the same request_id: nothing changes
    changed = client.post(
        "/v1/merchants/m1/guarantees", json={**choice, "offered": False}, headers=merchant
    )
    assert changed.status_code == 422 and "use a new request_id" in changed.json()["detail"]
    # Another merchant's shop is not this merchant's to change (and looks absent).
    other = client.post("/v1/merchants/m2/guarantees", json=choice, headers=merchant)
    assert other.status_code == 404
    wrong_n = {"guarantee": "return_shipping", "offered": True, "request_id": "r2", "n": 3}
    assert (
        client.post("/v1/merchants/m1/guarantees", json=wrong_n, headers=merchant).status_code
        == 422
    )
    out = {"guarantee": "fake_one_pay_n", "offered": False, "request_id": "r3"}
    client.post("/v1/merchants/m1/guarantees", json=out, headers=merchant)
    listed = client.get("/v1/merchants/m1/guarantees", headers=merchant).json()
    assert [g["guarantee"] for g in listed] == ["return_shipping"]
    with store.reading() as session:
        from trustfair.store.models import EventRow

        types = session.scalars(
            select(EventRow.type).where(EventRow.type.like("guarantee.%")).order_by(EventRow.seq)
        ).all()
    assert types == ["guarantee.opted_in", "guarantee.opted_in", "guarantee.opted_out"]


def test_a_deposit_entered_wrongly_is_corrected_by_a_reversing_posting(money) -> None:
    client, keys, store = money
    admin = keys["admin"]
    deposit = send(
        client,
        "/v1/merchants/m1/deposits",
        {"payment_id": "typo", "amount_fen": 100_000},
        keys["service"],
        "d-typo",
    ).json()["posting"]
    undone = send(
        client,
        f"/v1/ledger/postings/{deposit['id']}/reversal",
        {"reason": "多打了一个零"},
        admin,
        "u1",
    )
    assert undone.status_code == 201, undone.text
    assert undone.json()["reverses_id"] == deposit["id"]
    assert sorted((line["account"], line["amount_fen"]) for line in undone.json()["lines"]) == [
        ("deposit:m1", 100_000),
        ("deposit_cash", -100_000),
    ]
    twice = send(
        client, f"/v1/ledger/postings/{deposit['id']}/reversal", {"reason": "again"}, admin, "u2"
    )
    assert twice.status_code == 409 and "was reversed by" in twice.json()["detail"]
    assert client.get("/v1/merchants/m1/money", headers=admin).json()["deposit_fen"] == 0
    # Money already paid out cannot be taken back by reversing what funded it.
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 9_900},
        admin,
        "c1",
    )
    paid = send(
        client,
        "/v1/claims",
        claim("cs-7", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "f",
    )
    assert paid.json()["state"] == "paid"
    contribution = client.get(
        "/v1/ledger/postings", params={"ref_type": "fund"}, headers=admin
    ).json()[0]
    refused = send(
        client, f"/v1/ledger/postings/{contribution['id']}/reversal", {"reason": "x"}, admin, "u3"
    )
    assert refused.status_code == 422 and "fund holds 0 fen" in refused.json()["detail"]
    payout = client.get("/v1/ledger/postings", params={"ref_type": "claim"}, headers=admin).json()[
        0
    ]
    assert payout["kind"] == "payout"
    not_by_hand = send(
        client, f"/v1/ledger/postings/{payout['id']}/reversal", {"reason": "x"}, admin, "u4"
    )
    assert not_by_hand.status_code == 409
    with store.reading() as session:
        assert check_ledger(session).ok


def test_a_merchant_sees_its_own_claims_and_not_another_shops(money) -> None:
    client, keys, store = money
    send(
        client, "/v1/claims", claim("cs-8", "o1", "counterfeit", 100), keys["customer_service"], "x"
    )
    own = {"Authorization": f"Bearer {api_key(store, 'merchant', ['merchant:m1'])}"}
    other = {"Authorization": f"Bearer {api_key(store, 'merchant', ['merchant:m2'])}"}
    mine = client.get("/v1/claims", headers=own).json()
    assert mine["total"] == 1 and mine["claims"][0]["claim_ref"] == "cs-8"
    assert mine["claims"][0]["filed_by"] == "service"  # not the staff key's name
    assert client.get("/v1/claims", headers=other).json() == {"total": 0, "claims": []}
    claim_id = mine["claims"][0]["id"]
    assert client.get(f"/v1/claims/{claim_id}", headers=other).status_code == 404
    assert client.get("/v1/merchants/m1/money", headers=other).status_code == 404


def test_one_order_one_claim_whatever_its_kind(money) -> None:
    client, keys, store = money
    cs = keys["customer_service"]
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 50_000},
        keys["admin"],
        "c1",
    )
    assert (
        send(client, "/v1/claims", claim("a", "o2", "not_delivered", 9_900), cs, "1").json()[
            "state"
        ]
        == "paid"
    )
    again = send(client, "/v1/claims", claim("b", "o2", "counterfeit", 9_900), cs, "2")
    assert again.status_code == 409 and "one order, one claim" in again.json()["detail"]
    with store.reading() as session:
        assert check_ledger(session).fund_fen == 50_000 - 9_900


def test_a_refunded_order_is_not_paid_again_as_not_delivered(money) -> None:
    client, keys, store = money
    ingest_refund = event(
        "rf2",
        "order.refunded",
        {
            "order_id": "o2",
            "buyer_id": "b1",
            "merchant_id": "m1",
            "amount_fen": 9_900,
            "reason": "cancel",
        },
        PAID + timedelta(days=1),
    )
    from tests.factories import ingest as ingest_events
    from trustfair.pipeline.registry import build_registry
    from trustfair.settings import Settings

    ingest_events(store, build_registry(Settings()), ingest_refund)
    refused = send(
        client,
        "/v1/claims",
        claim("r", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "r",
    )
    assert (refused.json()["state"], refused.json()["rule"]) == ("rejected", "claims.refunded")


def test_fake_one_pay_n_without_an_n_pays_the_terms_default(store, registry) -> None:
    ingest(
        store,
        registry,
        event(
            "g9",
            "guarantee.opted_in",
            {"merchant_id": "m1", "guarantee": "fake_one_pay_n"},
            PAID - timedelta(days=1),
        ),
        order_paid("p9", "o9", 1_000, PAID),
    )
    client = TestClient(create_app(store, registry, access_log=False))
    admin = {"Authorization": f"Bearer {api_key(store, 'admin')}"}
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c", "amount_fen": 10_000},
        admin,
        "c",
    )
    filed = send(client, "/v1/claims", claim("f9", "o9", "counterfeit", 1_000), admin, "f").json()
    approved = send(
        client,
        f"/v1/claims/{filed['id']}/decision",
        {"outcome": "approve", "reason": "假"},
        admin,
        "d",
    )
    assert approved.json()["amount_fen"] == 3_000  # default_n: 3


def test_an_award_is_paid_at_once_when_its_recovery_refills_the_fund(money) -> None:
    client, keys, _store = money
    send(
        client,
        "/v1/merchants/m1/deposits",
        {"payment_id": "d", "amount_fen": 20_000},
        keys["service"],
        "d",
    )
    # The fund is empty: the award waits, the deposit pays the fund back, the buyer is paid.
    paid = send(
        client,
        "/v1/claims",
        claim("e", "o2", "not_delivered", 9_900),
        keys["customer_service"],
        "e",
    )
    assert paid.json()["state"] == "paid"
    assert client.get("/v1/fund", headers=keys["admin"]).json()["waiting_awards"] == 0


def test_a_reference_told_again_with_another_amount_is_refused(money) -> None:
    client, keys, _ = money
    admin, svc = keys["admin"], keys["service"]
    send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 5_000},
        admin,
        "c1",
    )
    other = send(
        client,
        "/v1/fund/contributions",
        {"contribution_ref": "c1", "amount_fen": 9_000},
        admin,
        "c2",
    )
    assert other.status_code == 409 and "other amounts" in other.json()["detail"]
    send(client, "/v1/merchants/m1/deposits", {"payment_id": "p", "amount_fen": 100}, svc, "p1")
    moved = send(
        client, "/v1/merchants/m1/deposits", {"payment_id": "p", "amount_fen": 200}, svc, "p2"
    )
    assert moved.status_code == 409
    to_m2 = send(
        client, "/v1/merchants/m2/deposits", {"payment_id": "p", "amount_fen": 100}, svc, "p3"
    )
    assert to_m2.status_code == 409
    # A settlement answers once, zero included, and refuses being told another amount.
    first = send(
        client,
        "/v1/merchants/m1/settlements",
        {"settlement_ref": "s", "amount_fen": 700},
        svc,
        "s1",
    )
    assert first.json()["withheld_fen"] == 0
    same = send(
        client,
        "/v1/merchants/m1/settlements",
        {"settlement_ref": "s", "amount_fen": 700},
        svc,
        "s2",
    )
    assert same.json()["withheld_fen"] == 0
    told_otherwise = send(
        client, "/v1/merchants/m1/settlements", {"settlement_ref": "s", "amount_fen": 1}, svc, "s3"
    )
    assert told_otherwise.status_code == 409
