"""Notice and takedown over HTTP, on both stores, with the app's clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.api.conftest import Api, key_named
from trustfair.access.roles import Role
from trustfair.brand.clock import SettableClock
from trustfair.brand.timers import run_timers_once
from trustfair.store.models import OutboxRow, RightsHolderRow

NOTICE = {
    "notice_ref": "api-1",
    "brand_id": "b1",
    "holder_id": "h-b1",
    "listing_id": "l2",
    "text": "假冒注册商标",
    "evidence": [{"kind": "test_purchase", "description": "a fake"}],
}
DECLARATION = {"declaration": "正品, 有授权", "evidence": [{"kind": "licence"}]}
PROOF = {
    "kind": "complaint",
    "authority": "市场监管局",
    "reference": "A-1",
    "filed_on": "2026-01-05",
}


def clocked(api: Api) -> SettableClock:
    clock = SettableClock(datetime.now(UTC).replace(microsecond=0))
    api.client.app.state.clock = clock  # type: ignore[attr-defined]
    return clock


def restores(api: Api) -> int:
    with api.store.reading() as session:
        return len(
            session.scalars(select(OutboxRow).where(OutboxRow.topic == "listing.restore")).all()
        )


def test_a_notice_is_filed_answered_and_referred_and_each_party_sees_it(api: Api) -> None:
    clock = clocked(api)
    brand, merchant = api.as_(Role.BRAND), api.as_(Role.MERCHANT)
    body = {**NOTICE, "right_id": api.world.b1_notice_right}
    filed = api.client.post("/v1/complaints", json=body, headers=brand)
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert (complaint["state"], complaint["merchant_id"]) == ("measures_taken", "m1")
    assert complaint["due_at"] == (clock.now() + timedelta(days=15)).isoformat().replace(
        "+00:00", "Z"
    )
    again = api.client.post("/v1/complaints", json=body, headers=brand)
    assert (again.status_code, again.json()["id"]) == (200, complaint["id"])
    path = f"/v1/complaints/{complaint['id']}"

    other_merchant = key_named(api.store, "m2-key", Role.MERCHANT, owns=["merchant:m2"])
    other_brand = key_named(api.store, "b2-key", Role.BRAND, owns=["brand:b2"])
    for headers in (other_merchant, other_brand):
        assert api.client.get(path, headers=headers).status_code == 404
        assert api.client.get("/v1/complaints", headers=headers).json()["total"] == 0
    refused = api.client.post(f"{path}/declaration", json=DECLARATION, headers=other_merchant)
    assert refused.status_code == 404
    mine = api.client.get("/v1/complaints", headers=merchant).json()
    assert complaint["id"] in [c["id"] for c in mine["complaints"]]

    clock.advance(timedelta(days=2))
    declared = api.client.post(f"{path}/declaration", json=DECLARATION, headers=merchant)
    assert declared.status_code == 200, declared.text
    assert declared.json()["state"] == "declared"
    twice = api.client.post(f"{path}/declaration", json=DECLARATION, headers=merchant)
    assert twice.status_code == 409
    assert "declared cannot declare" in twice.json()["detail"]

    clock.advance(timedelta(days=14))
    referred = api.client.post(f"{path}/action-proof", json=PROOF, headers=brand)
    assert referred.status_code == 200, referred.text
    shown = api.client.get(path, headers=merchant).json()
    assert shown["state"] == "referred"
    assert [s["to_state"] for s in shown["timeline"]] == [
        "filed",
        "measures_taken",
        "declared",
        "referred",
    ]
    # A merchant sees the platform's steps as "system", not the service's name.
    assert shown["timeline"][1]["actor"] == "system"
    assert restores(api) == 0


def test_the_lift_timer_restores_the_listing_when_no_action_is_shown(api: Api) -> None:
    clock = clocked(api)
    path = f"/v1/complaints/{api.world.b1_complaint}"
    merchant = api.as_(Role.MERCHANT)
    assert (
        api.client.post(f"{path}/declaration", json=DECLARATION, headers=merchant).status_code
        == 200
    )
    clock.advance(timedelta(days=15))
    late = api.client.post(f"{path}/action-proof", json=PROOF, headers=api.as_(Role.BRAND))
    assert late.status_code == 409
    assert "closed" in late.json()["detail"]
    registry = api.client.app.state.registry  # type: ignore[attr-defined]
    assert run_timers_once(api.store, registry, clock).count == 1
    assert run_timers_once(api.store, registry, clock).count == 0
    assert api.client.get(path, headers=merchant).json()["state"] == "restored"
    assert restores(api) == 1


def test_bad_notices_are_refused_with_the_reason(api: Api) -> None:
    clocked(api)
    brand = api.as_(Role.BRAND)
    body = {**NOTICE, "right_id": api.world.b1_notice_right}
    cases = [
        ({**body, "brand_id": "b2"}, 403, "brand b2 is not one you act for"),
        ({**body, "evidence": []}, 422, "at least one item"),
        ({**body, "listing_id": "nope"}, 422, "listing 'nope' is not known"),
        ({**body, "right_id": 999999}, 422, "not one of 'h-b1'"),
    ]
    for sent, status, reason in cases:
        answer = api.client.post("/v1/complaints", json=sent, headers=brand)
        assert answer.status_code == status, answer.text
        assert reason in answer.json()["detail"]
    conflict = api.client.post(
        "/v1/complaints", json={**body, "notice_ref": "b1-notice"}, headers=brand
    )
    assert conflict.status_code == 409
    assert api.client.get("/v1/complaints", headers=brand).json()["total"] == 1


def test_malicious_notices_send_the_next_ones_to_review(api: Api) -> None:
    clocked(api)
    brand, reviewer = api.as_(Role.BRAND), api.as_(Role.REVIEWER)
    path = f"/v1/complaints/{api.world.b1_complaint}"
    found = api.client.post(
        f"{path}/malicious", json={"reason": "正品, 恶意投诉"}, headers=reviewer
    )
    assert (found.status_code, found.json()["outcome"]) == (200, "malicious")
    body = {**NOTICE, "right_id": api.world.b1_notice_right}
    second = api.client.post("/v1/complaints", json={**body, "notice_ref": "x2"}, headers=brand)
    second_id = second.json()["id"]
    api.client.post(
        f"/v1/complaints/{second_id}/malicious", json={"reason": "又是"}, headers=reviewer
    )
    with api.store.reading() as session:
        holder = session.get(RightsHolderRow, "h-b1")
        assert holder is not None and holder.standing == 40
    held = api.client.post("/v1/complaints", json={**body, "notice_ref": "x3"}, headers=brand)
    assert held.json()["state"] == "pending_review"
    review = f"/v1/complaints/{held.json()['id']}/review"
    assert api.client.post(review, json={}, headers=brand).status_code == 403
    approved = api.client.post(review, json={"note": "证据充分"}, headers=reviewer)
    assert approved.json()["state"] == "measures_taken"
    assert restores(api) == 2  # the two malicious notices' measures lifted
