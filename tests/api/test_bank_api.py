"""A brand's bank over HTTP: who may edit it, what an entry must say, and the checks of
listings that touched it."""

from __future__ import annotations

from tests.api.conftest import Api, key_named
from tests.factories import event, ingest
from trustfair.access.roles import Role
from trustfair.pipeline.registry import build_registry


def test_a_brand_builds_its_bank_and_sees_what_it_caught(api: Api) -> None:
    brand = api.as_(Role.BRAND)  # owns brand:b1, certified with a trademark
    added = api.client.post(
        "/v1/brands/b1/bank", json={"kind": "slang", "value": "小香奈"}, headers=brand
    )
    assert added.status_code == 201, added.text
    assert added.json()["added_by"].endswith("brand")
    bad = api.client.post(
        "/v1/brands/b1/bank", json={"kind": "serial_pattern", "value": "(a+)+"}, headers=brand
    )
    assert bad.status_code == 422 and "exponential" in bad.json()["detail"]
    ingest(
        api.store,
        build_registry(),  # the default policy, whose brand.* rules intercept
        event(
            "brand-b1",
            "brand.registered",
            {"brand_id": "b1", "name": "香奈尔", "aliases": [], "owner": "香奈尔时尚集团"},
        ),
        event(
            "pub-fake",
            "listing.published",
            {
                "listing_id": "l-fake",
                "merchant_id": "m2",
                "title": "香奈尔 高仿 链条包",
                "category": "luxury_bags",
                "price_fen": 50_000,
            },
        ),
    )
    checks = api.client.get("/v1/brands/b1/checks?outcome=intercept", headers=brand).json()
    assert checks["total"] == 1
    (check,) = checks["checks"]
    assert (check["listing_id"], check["kind"]) == ("l-fake", "counterfeit")
    assert {r["what"] for r in check["reasons"]} >= {"mark", "far_below_floor"}
    entry = added.json()["id"]
    off = api.client.post(f"/v1/bank/{entry}/disable", headers=brand).json()
    assert off["enabled"] is False and off["changed_by"].endswith("brand")
    bank = api.client.get("/v1/brands/b1/bank", headers=brand).json()
    assert {(e["kind"], e["enabled"]) for e in bank} == {
        ("price_floor", True),
        ("slang", False),
    }


def test_another_brand_or_an_uncertified_one_may_not_edit_the_bank(api: Api) -> None:
    other = key_named(api.store, "brand-b2", Role.BRAND, owns=["brand:b2"])
    assert api.client.get("/v1/brands/b1/bank", headers=other).status_code == 404
    refused = api.client.post(
        "/v1/brands/b1/bank", json={"kind": "slang", "value": "x"}, headers=other
    )
    assert refused.status_code == 404
    own = api.client.post("/v1/brands/b2/bank", json={"kind": "slang", "value": "x"}, headers=other)
    assert own.status_code == 403 and "certified" in own.json()["detail"]
    entry = api.world.b1_entry
    assert api.client.post(f"/v1/bank/{entry}/disable", headers=other).status_code == 404
