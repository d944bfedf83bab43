"""The merchant sees its own trust score and advances over HTTP, with the reasons."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.factories import bearer, ingest
from tests.merchant.builders import history
from tests.protect.builders import at, paid, shipped
from trustfair.api.app import create_app
from trustfair.pipeline.registry import Registry


def test_a_merchant_reads_its_score_and_advances_and_not_anothers(
    store, registry: Registry
) -> None:
    ingest(
        store,
        registry,
        *history("m1", 25),
        paid("pay-o1", "o1", 8_000, at(days=30)),
        shipped("ship-o1", "o1", at(days=30, hours=5)),
        *history("m2", 25, late=5),
    )
    client = TestClient(create_app(store, registry, access_log=False))
    own = bearer(store, "merchant", owns=["merchant:m1"])
    when = quote(at(days=31).isoformat())

    score = client.get(f"/v1/merchants/m1/trust-score?at={when}", headers=own)
    assert score.status_code == 200, score.text
    body = score.json()
    assert body["score"] == 100 and body["bar"] == 80
    assert [c["name"] for c in body["components"]] == [
        "violations",
        "disputes",
        "fulfilment",
        "feedback",
    ]
    assert all(c["reason"] for c in body["components"])
    assert body["early_settlement"]["on"] is True

    advances = client.get("/v1/merchants/m1/advances", headers=own).json()
    assert "o1" in [a["order_id"] for a in advances["advances"]]
    assert advances["outstanding_fen"] == sum(a["amount_fen"] for a in advances["advances"])

    assert client.get(f"/v1/merchants/m2/trust-score?at={when}", headers=own).status_code == 404
    assert client.get("/v1/merchants/m2/advances", headers=own).status_code == 404

    staff = bearer(store, "auditor")
    other = client.get(f"/v1/merchants/m2/trust-score?at={when}", headers=staff).json()
    assert other["score"] < other["bar"] and other["early_settlement"]["on"] is False
    assert "under the bar" in other["early_settlement"]["why"]
    naive = client.get("/v1/merchants/m1/trust-score?at=2026-03-01T20:00:00", headers=own)
    assert naive.status_code == 422
