"""Cases worked through the API, on SQLite and PostgreSQL: an appeal filed by the
merchant, taken and overturned by a reviewer, and its effect on the merchant's
standing, ledger and the rule's precision; the steps the state machine refuses."""

from __future__ import annotations

from tests.api.conftest import Api, key_named
from trustfair.access.roles import Role


def test_an_appeal_overturned_through_the_api_lifts_the_sanction_and_reverses_the_points(
    api: Api,
) -> None:
    client, world = api.client, api.world
    merchant, reviewer = api.as_(Role.MERCHANT), key_named(api.store, "li", Role.REVIEWER)

    filed = client.post(
        "/v1/appeals",
        json={"sanction_id": world.m1_sanction, "reason": "说明书写的是辅助"},
        headers=merchant,
    )
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["case_id"]

    queues = client.get("/v1/queues", headers=reviewer).json()
    assert {(q["queue"], q["open"]) for q in queues["queues"]} >= {("appeals", 1)}
    listed = client.get("/v1/cases", params={"queue": "appeals"}, headers=reviewer).json()
    assert [c["id"] for c in listed["cases"]] == [case_id]

    case = client.get(f"/v1/cases/{case_id}", headers=reviewer).json()
    assert case["party"] == {"type": "merchant", "id": "m1"}
    assert case["sanction"]["sanction_id"] == world.m1_sanction
    assert [(s["action"], s["actor"]) for s in case["timeline"]] == [
        ("opened", "key:test-merchant")
    ]
    # The evidence behind the sanction, marked in the listing's own text.
    [text] = [t for t in case["texts"] if t["field"] == "description"]
    [span] = text["spans"]
    assert text["text"][span["start"] : span["end"]] == "[[medical_claim]]"
    assert case["decision"]["reasons"][0]["rule"] == "marked.block"

    assign = client.post(f"/v1/cases/{case_id}/assign", headers=reviewer)
    assert (assign.status_code, assign.json()["assignee"]) == (200, "key:li")
    decided = client.post(
        f"/v1/cases/{case_id}/decide",
        json={"outcome": "overturn", "note": "辅助说明，不是疗效"},
        headers=reviewer,
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["state"], decided.json()["outcome"]) == ("decided", "overturn")

    entity = client.get("/v1/entities/merchant/m1", headers=merchant).json()
    assert entity["sanctions"] == []
    assert entity["points"] == {"general": 0, "serious": 6}
    kinds = [item["kind"] for item in entity["timeline"]]
    assert "lift" in kinds and "case" in kinds
    ledger = client.get("/v1/entities/merchant/m1/points", headers=merchant).json()
    [reversal] = [e for e in ledger["entries"] if e["reverses_id"] is not None]
    reversed_entry = next(e for e in ledger["entries"] if e["id"] == reversal["reverses_id"])
    assert (ledger["total"], reversal["points"]) == (3, -reversed_entry["points"])
    assert client.get("/v1/restrictions/merchant/m1", headers=merchant).json()["sanctions"] == []

    rules = client.get("/v1/rules", headers=reviewer).json()["rules"]
    block = next(r for r in rules if r["id"] == "marked.block")
    assert block["measured"] == {"confirmed": 0, "overturned": 1, "reviewed": 1, "precision": 0.0}

    closed = client.post(f"/v1/cases/{case_id}/close", json={"note": "已通知"}, headers=reviewer)
    assert closed.json()["state"] == "closed"
    steps = client.get(f"/v1/cases/{case_id}", headers=merchant).json()["timeline"]
    assert [s["action"] for s in steps] == ["opened", "assign", "decide", "close"]


def test_steps_the_state_machine_refuses_are_409_with_the_reason(api: Api) -> None:
    client, case_id = api.client, api.world.m1_case
    li = key_named(api.store, "li", Role.REVIEWER)
    wang = key_named(api.store, "wang", Role.REVIEWER)

    def step(name: str, headers: dict[str, str], **body: str) -> tuple[int, str]:
        response = client.post(f"/v1/cases/{case_id}/{name}", json=body, headers=headers)
        return response.status_code, response.json().get("detail", "")

    status, detail = step("decide", li, outcome="confirm")
    assert (status, "take it into review first" in detail) == (409, True)
    status, detail = step("release", li)
    assert (status, "cannot 'release'" in detail) == (409, True)
    assert step("assign", li)[0] == 200
    status, detail = step("decide", wang, outcome="confirm")
    assert (status, detail) == (409, f"case {case_id} is assigned to key:li")
    assert step("decide", li, outcome="confirm", note="确实引流")[0] == 200
    status, detail = step("assign", wang)
    assert (status, "a case that is decided cannot 'assign'" in detail) == (409, True)
    assert step("decide", li, outcome="maybe")[0] == 422

    missing = client.post("/v1/cases/999999/assign", headers=li)
    assert (missing.status_code, missing.json()) == (404, {"detail": "no case 999999"})
    # The refused steps left nothing in the timeline.
    steps = client.get(f"/v1/cases/{case_id}", headers=li).json()["timeline"]
    assert [s["action"] for s in steps] == ["opened", "assign", "decide"]


def test_confirmed_and_overturned_cases_are_each_rules_measured_precision(api: Api) -> None:
    client, world = api.client, api.world
    li = key_named(api.store, "li", Role.REVIEWER)
    for case_id, outcome in (
        (world.m1_case, "confirm"),
        (world.m2_case, "confirm"),
        (world.st1_case, "overturn"),
    ):
        client.post(f"/v1/cases/{case_id}/assign", headers=li)
        decided = client.post(f"/v1/cases/{case_id}/decide", json={"outcome": outcome}, headers=li)
        assert decided.status_code == 200, decided.text
    rules = {r["id"]: r for r in client.get("/v1/rules", headers=li).json()["rules"]}
    # Three review decisions; the live one fired marked.live_risk too. Shadow rules,
    # which decided nothing, are not judged.
    assert rules["marked.review"]["measured"]["precision"] == round(2 / 3, 4)
    assert rules["marked.live_risk"]["measured"] == {
        "confirmed": 0,
        "overturned": 1,
        "reviewed": 1,
        "precision": 0.0,
    }
    assert rules["marked.shadow"]["measured"]["reviewed"] == 0
    assert rules["marked.shadow"]["shadow"] is True


def test_an_appeal_is_decided_only_with_the_right_to_decide_appeals(api: Api) -> None:
    client = api.client
    case_id = client.post(
        "/v1/appeals",
        json={"sanction_id": api.world.m1_sanction, "reason": "误判"},
        headers=api.as_(Role.CUSTOMER_SERVICE),
    ).json()["case_id"]
    # A key of a reviewer narrowed to the case work, without appeals:decide.
    narrowed = key_named(api.store, "triage", Role.REVIEWER, scopes=["cases:read", "cases:work"])
    assert client.post(f"/v1/cases/{case_id}/assign", headers=narrowed).status_code == 200
    refused = client.post(
        f"/v1/cases/{case_id}/decide", json={"outcome": "overturn"}, headers=narrowed
    )
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "reviewer may not appeals:decide",
    )
    # The same key works the ordinary cases.
    content = api.world.m1_case
    assert client.post(f"/v1/cases/{content}/assign", headers=narrowed).status_code == 200
    confirm = client.post(
        f"/v1/cases/{content}/decide", json={"outcome": "confirm"}, headers=narrowed
    )
    assert confirm.status_code == 200


def test_an_appeal_the_rules_do_not_allow_is_409_and_says_why(api: Api) -> None:
    client, merchant = api.client, api.as_(Role.MERCHANT)
    body = {"sanction_id": api.world.m1_sanction, "reason": "误判"}
    assert client.post("/v1/appeals", json=body, headers=merchant).status_code == 201
    again = client.post("/v1/appeals", json=body, headers=merchant)
    assert again.status_code == 409
    assert "already under appeal" in again.json()["detail"]
    empty = client.post("/v1/appeals", json={**body, "reason": ""}, headers=merchant)
    assert empty.status_code == 422
