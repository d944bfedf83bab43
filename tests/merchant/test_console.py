"""The merchant's trust page in the console, in both languages (SQLite)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.console.conftest import add, sign_in_with
from tests.factories import ingest
from tests.merchant.builders import history
from tests.protect.builders import at, paid, shipped
from trustfair.api.app import create_app
from trustfair.console.web import console_now
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store


def test_the_trust_page_shows_the_score_its_reasons_and_the_advances(
    sqlite_store: Store, registry: Registry
) -> None:
    store = sqlite_store
    ingest(
        store,
        registry,
        *history("m1", 25, late=1),
        paid("pay-o1", "o1", 8_000, at(days=30)),
        shipped("ship-o1", "o1", at(days=30, hours=5)),
        *history("m2", 3),
    )
    app = create_app(store, registry, access_log=False)
    app.dependency_overrides[console_now] = lambda: at(days=31)
    add(store, "shop", "merchant", owns=["merchant:m1"], locale="en")
    add(store, "shop-zh", "merchant", owns=["merchant:m1"], locale="zh")

    client = TestClient(app)
    assert sign_in_with(client, "shop").status_code == 303
    page = client.get("/console/merchants/m1/trust")
    assert page.status_code == 200, page.text
    assert "Trust score of merchant m1" in page.text
    assert "1 of 26 orders shipped in the last 90 days shipped late (3.8 %)" in page.text
    assert "On: orders are paid when they ship." in page.text
    assert 'data-order="o1"' in page.text
    assert client.get("/console/merchants/m2/trust").status_code == 404

    zh = TestClient(app)
    assert sign_in_with(zh, "shop-zh").status_code == 303
    page = zh.get("/console/merchants/m1/trust")
    assert "商家 m1 的信用分" in page.text and "履约" in page.text

    add(store, "auditor", "auditor")
    staff = TestClient(app)
    assert sign_in_with(staff, "auditor").status_code == 303
    other = staff.get("/console/merchants/m2/trust")
    assert other.status_code == 200
    assert 'data-score="none"' in other.text and "a score needs at least 20" in other.text
