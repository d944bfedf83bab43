"""A merchant's key sees its own records and nothing of another merchant's: the other
merchant's records answer 404 with the words a missing record gets, so a key cannot
tell "not yours" from "not there"."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, key_named
from trustfair.access.roles import Role


@pytest.fixture(scope="module")
def m1(shared_api: Api) -> dict[str, str]:
    return shared_api.as_(Role.MERCHANT)


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("/v1/entities/merchant/{}", "no merchant {}"),
        ("/v1/entities/merchant/{}/points", "no merchant {}"),
        ("/v1/restrictions/merchant/{}", "no merchant {}"),
    ],
)
def test_a_merchant_reads_its_own_account_and_not_anothers(
    shared_api: Api, m1, path: str, missing: str
) -> None:
    client = shared_api.client
    assert client.get(path.format("m1"), headers=m1).status_code == 200
    theirs = client.get(path.format("m2"), headers=m1)
    assert (theirs.status_code, theirs.json()) == (404, {"detail": missing.format("m2")})
    # Staff read both.
    assert client.get(path.format("m2"), headers=shared_api.as_(Role.AUDITOR)).status_code == 200


def test_a_merchant_reads_its_own_decisions_and_not_anothers(shared_api: Api, m1) -> None:
    client, world = shared_api.client, shared_api.world
    mine = client.get(f"/v1/decisions/{world.m1_decision}", headers=m1)
    assert mine.status_code == 200
    assert mine.json()["party"] == {"type": "merchant", "id": "m1"}
    assert [p["points"] for p in mine.json()["points"]] == [6]
    theirs = client.get(f"/v1/decisions/{world.m2_decision}", headers=m1)
    assert (theirs.status_code, theirs.json()["detail"]) == (
        404,
        f"no decision {world.m2_decision}",
    )
    gone = client.get("/v1/decisions/999999", headers=m1)
    assert (gone.status_code, gone.json()["detail"]) == (404, "no decision 999999")


def test_a_merchant_lists_and_opens_only_its_own_cases(shared_api: Api, m1) -> None:
    client, world = shared_api.client, shared_api.world
    listed = client.get("/v1/cases", headers=m1).json()
    assert {c["id"] for c in listed["cases"]} == {world.m1_case, world.m1_spare_case}
    assert listed["total"] == 2
    queues = client.get("/v1/queues", headers=m1).json()
    assert queues["scope"] == "own"
    assert [(q["queue"], q["open"]) for q in queues["queues"]] == [("content", 2)]
    for other in (world.m2_case, world.st1_case):
        response = client.get(f"/v1/cases/{other}", headers=m1)
        assert (response.status_code, response.json()["detail"]) == (404, f"no case {other}")
    staff = client.get("/v1/cases", headers=shared_api.as_(Role.REVIEWER)).json()
    assert staff["total"] == 4


def test_a_key_acting_for_a_merchant_and_its_streamer_sees_both(shared_api: Api) -> None:
    both = key_named(shared_api.store, "shop", Role.MERCHANT, owns=["merchant:m1", "streamer:st1"])
    listed = shared_api.client.get("/v1/cases", headers=both).json()
    world = shared_api.world
    assert {c["id"] for c in listed["cases"]} == {
        world.m1_case,
        world.m1_spare_case,
        world.st1_case,
    }


def test_a_brand_sees_no_merchants_cases(shared_api: Api) -> None:
    brand = shared_api.as_(Role.BRAND)
    assert shared_api.client.get("/v1/cases", headers=brand).json()["total"] == 0
    assert shared_api.client.get("/v1/queues", headers=brand).json()["queues"] == []


def test_a_merchant_appeals_its_own_sanction_and_not_anothers(shared_api: Api, m1) -> None:
    client, world = shared_api.client, shared_api.world
    theirs = client.post(
        "/v1/appeals", json={"sanction_id": world.m2_sanction, "reason": "?"}, headers=m1
    )
    assert (theirs.status_code, theirs.json()["detail"]) == (
        404,
        f"no sanction {world.m2_sanction}",
    )
    mine = client.post(
        "/v1/appeals", json={"sanction_id": world.m1_sanction, "reason": "误判"}, headers=m1
    )
    assert mine.status_code == 201
    case_id = mine.json()["case_id"]
    case = client.get(f"/v1/cases/{case_id}", headers=m1).json()
    assert (case["kind"], case["party"]["id"]) == ("appeal", "m1")
    assert case["timeline"][0]["actor"] == "key:test-merchant"
