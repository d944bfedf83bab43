"""A party appeals a confirmed case over the API: it goes back to the queue as
appealed, and a reviewer decides it anew."""

from __future__ import annotations

from tests.api.conftest import Api
from trustfair.access.roles import Role


def test_a_merchant_appeals_its_confirmed_case_and_a_reviewer_decides_it_again(api: Api) -> None:
    client, world = api.client, api.world
    reviewer, merchant = api.as_(Role.REVIEWER), api.as_(Role.MERCHANT)
    case = f"/v1/cases/{world.m1_case}"
    too_soon = client.post(f"{case}/appeal", json={"reason": "误判"}, headers=merchant)
    assert too_soon.status_code == 409
    assert client.post(f"{case}/assign", headers=reviewer).status_code == 200
    decided = client.post(f"{case}/decide", json={"outcome": "confirm"}, headers=reviewer)
    assert decided.json()["state"] == "decided"
    appealed = client.post(f"{case}/appeal", json={"reason": "那是客服电话"}, headers=merchant)
    assert (appealed.status_code, appealed.json()["state"]) == (200, "appealed")
    theirs = client.post(
        f"/v1/cases/{world.m2_case}/appeal", json={"reason": "x"}, headers=merchant
    )
    assert theirs.status_code == 404
    assert client.post(f"{case}/assign", headers=reviewer).status_code == 200
    again = client.post(f"{case}/decide", json={"outcome": "overturn"}, headers=reviewer)
    assert (again.json()["state"], again.json()["outcome"]) == ("decided", "overturn")
    rules = {r["id"]: r for r in client.get("/v1/rules", headers=reviewer).json()["rules"]}
    measured = rules["marked.review"]["measured"]
    assert (measured["confirmed"], measured["overturned"]) == (0, 1)
