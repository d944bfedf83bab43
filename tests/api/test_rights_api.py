"""Rights holders over HTTP, on the real app and both stores: a brand applies, uploads
and claims for itself only; a reviewer certifies; every refusal says why."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from tests.brand.conftest import CREDIT_CODE, PDF, PNG
from tests.factories import bearer
from trustfair.api.app import create_app
from trustfair.brand.documents import MAX_DOCUMENT_BYTES


@pytest.fixture
def rights_api(store, registry):  # type: ignore[no-untyped-def]
    client = TestClient(create_app(store, registry, access_log=False))
    keys = {
        "b1": bearer(store, "brand", ["brand:b1"]),
        "b2": bearer(store, "brand", ["brand:b2"]),
        "m1": bearer(store, "merchant", ["merchant:m1"]),
        "reviewer": bearer(store, "reviewer"),
        "auditor": bearer(store, "auditor"),
    }
    return client, keys


def apply(client: TestClient, headers: dict[str, str], **changes) -> dict:  # type: ignore[no-untyped-def]
    body = {"brand_id": "b1", "company_name": "Acme", "registration_number": CREDIT_CODE}
    response = client.post("/v1/rights-holders", json={**body, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def upload(client, headers, holder_id, kind, body=PDF, content_type="application/pdf"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/rights-holders/{holder_id}/documents",
        params={"kind": kind, "filename": f"{kind}.pdf"},
        content=body,
        headers={**headers, "Content-Type": content_type},
    )


def trademark(number: str = "TM-1", **changes) -> dict:  # type: ignore[no-untyped-def]
    return {
        "kind": "trademark",
        "number": number,
        "nice_class": 25,
        "valid_from": "2020-01-01T00:00:00+08:00",
        "valid_until": "2099-01-01T00:00:00Z",
        **changes,
    }


def test_from_application_to_a_certified_right(rights_api) -> None:  # type: ignore[no-untyped-def]
    client, keys = rights_api
    holder = apply(client, keys["b1"], agent_name="IP Agents Co")
    hid = holder["id"]
    assert (holder["state"], holder["applied_by"], holder["country"]) == (
        "applied",
        "key:test-brand",
        "CN",
    )

    certify = client.post(f"/v1/rights-holders/{hid}/certify", headers=keys["reviewer"])
    assert certify.status_code == 409
    assert certify.json()["detail"].endswith(
        "cannot be certified: no business_licence uploaded and no agent_letter authorising "
        "agent 'IP Agents Co'"
    )
    assert upload(client, keys["b1"], hid, "business_licence").status_code == 201
    assert upload(client, keys["b1"], hid, "agent_letter").status_code == 201
    certificate = upload(client, keys["b1"], hid, "trademark_certificate").json()
    certified = client.post(
        f"/v1/rights-holders/{hid}/certify", json={"note": "ok"}, headers=keys["reviewer"]
    )
    assert certified.status_code == 200 and certified.json()["state"] == "certified"

    claimed = client.post(
        f"/v1/rights-holders/{hid}/rights",
        json=trademark(document_ids=[certificate["id"]]),
        headers=keys["b1"],
    )
    assert claimed.status_code == 201, claimed.text
    right = claimed.json()
    assert (right["state"], right["valid_from"]) == ("pending", "2019-12-31T16:00:00+00:00")
    done = client.post(f"/v1/rights/{right['id']}/certify", headers=keys["reviewer"])
    assert done.status_code == 200 and done.json()["state"] == "certified"

    # The brand sees its holder with the rights and the documents described, not included;
    # and the reviewer's name is not shown to it.
    shown = client.get(f"/v1/rights-holders/{hid}", headers=keys["b1"]).json()
    assert [r["state"] for r in shown["rights"]] == ["certified"]
    assert shown["rights"][0]["reviewed_by"] == "service"  # a key, named only as such
    assert {d["kind"] for d in shown["documents"]} == {
        "business_licence",
        "agent_letter",
        "trademark_certificate",
    }
    assert all("body" not in d for d in shown["documents"])
    staff_view = client.get(f"/v1/rights-holders/{hid}", headers=keys["auditor"]).json()
    assert staff_view["reviewed_by"] == "key:test-reviewer"

    revoked = client.post(
        f"/v1/rights/{right['id']}/revoke", json={"reason": "invalidated"}, headers=keys["reviewer"]
    )
    assert revoked.json()["state"] == "revoked"
    again = client.post(
        f"/v1/rights/{right['id']}/revoke", json={"reason": "again"}, headers=keys["reviewer"]
    )
    assert again.status_code == 409
    assert again.json()["detail"] == f"right {right['id']} is revoked: it cannot revoke"


def test_uploads_are_judged_by_their_bytes_and_size(rights_api) -> None:  # type: ignore[no-untyped-def]
    client, keys = rights_api
    hid = apply(client, keys["b1"])["id"]
    sent = upload(client, keys["b1"], hid, "evidence", PNG, "application/pdf")
    assert sent.status_code == 201
    assert sent.json()["content_type"] == "image/png"  # what it is, not what it was called
    assert sent.json()["sha256"] == hashlib.sha256(PNG).hexdigest()

    html = upload(client, keys["b1"], hid, "evidence", b"<html><script>x</script>")
    assert html.status_code == 415 and "not a PDF, PNG or JPEG" in html.json()["detail"]
    empty = upload(client, keys["b1"], hid, "evidence", b"")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    big = upload(client, keys["b1"], hid, "evidence", PDF + bytes(MAX_DOCUMENT_BYTES))
    assert big.status_code == 413 and "at most 10,485,760" in big.json()["detail"]
    kind = upload(client, keys["b1"], hid, "selfie")
    assert kind.status_code == 422 and kind.json()["detail"][0]["loc"] == ["query", "kind"]


def test_a_document_is_downloaded_by_its_owner_and_staff_only(rights_api) -> None:  # type: ignore[no-untyped-def]
    client, keys = rights_api
    hid = apply(client, keys["b1"])["id"]
    doc = upload(client, keys["b1"], hid, "business_licence").json()
    path = f"/v1/rights-holders/{hid}/documents/{doc['id']}"
    for who in ("b1", "reviewer", "auditor"):
        response = client.get(path, headers=keys[who])
        assert response.status_code == 200 and response.content == PDF, who
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["x-content-type-options"] == "nosniff"
    for who in ("b2", "m1"):
        assert client.get(path, headers=keys[who]).status_code == 404, who
    assert client.get(f"/v1/rights-holders/{hid}/documents/doc-x", headers=keys["b1"]).json() == {
        "detail": f"no document doc-x of rights holder {hid}"
    }


def test_another_brand_cannot_see_or_act_for_b1(rights_api) -> None:  # type: ignore[no-untyped-def]
    client, keys = rights_api
    hid = apply(client, keys["b1"])["id"]
    b2 = keys["b2"]
    missing = {"detail": f"no rights holder {hid}"}
    assert client.get(f"/v1/rights-holders/{hid}", headers=b2).json() == missing
    assert client.get("/v1/rights-holders", headers=b2).json() == {"total": 0, "holders": []}
    assert upload(client, b2, hid, "evidence").json() == missing
    claim = client.post(f"/v1/rights-holders/{hid}/rights", json=trademark(), headers=b2)
    assert (claim.status_code, claim.json()) == (404, missing)
    for_b1 = client.post(
        "/v1/rights-holders",
        json={"brand_id": "b1", "company_name": "Me", "registration_number": CREDIT_CODE},
        headers=b2,
    )
    assert (for_b1.status_code, for_b1.json()) == (404, {"detail": "no brand b1"})
    assert client.get("/v1/rights-holders", headers=keys["m1"]).json()["total"] == 0
    certify = client.post(f"/v1/rights-holders/{hid}/certify", headers=b2)
    assert certify.status_code == 403  # a brand certifies nothing, not even its own


def test_the_review_queue_and_the_refusals_of_a_claim(rights_api) -> None:  # type: ignore[no-untyped-def]
    client, keys = rights_api
    first = apply(client, keys["b1"])["id"]
    second = apply(client, keys["b2"], brand_id="b2")["id"]
    client.post(f"/v1/rights-holders/{first}/rights", json=trademark("TM-9"), headers=keys["b1"])

    queue = client.get("/v1/rights-holders?waiting=true", headers=keys["reviewer"]).json()
    assert [(h["id"], h["pending_rights"]) for h in queue["holders"]] == [(first, 1), (second, 0)]
    mine = client.get("/v1/rights-holders", headers=keys["b1"]).json()
    assert [h["id"] for h in mine["holders"]] == [first]

    taken = client.post(
        f"/v1/rights-holders/{second}/rights", json=trademark("TM-9"), headers=keys["b2"]
    )
    assert taken.status_code == 409
    assert taken.json() == {"detail": "the trademark TM-9 in CN is already claimed"}
    naive = client.post(
        f"/v1/rights-holders/{second}/rights",
        json=trademark("TM-10", valid_from="2020-01-01T00:00:00"),
        headers=keys["b2"],
    )
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["body", "valid_from"]
    patent = client.post(
        f"/v1/rights-holders/{second}/rights",
        json=trademark("P-1", kind="patent"),
        headers=keys["b2"],
    )
    assert patent.json() == {"detail": "nice_class: only a trademark has one, not a patent"}
    bad_code = client.post(
        "/v1/rights-holders",
        json={
            "brand_id": "b1",
            "company_name": "Acme",
            "registration_number": "91350100M000100Y44",
        },
        headers=keys["b1"],
    )
    assert bad_code.status_code == 422
    assert bad_code.json()["detail"].startswith("registration_number: the check character is '4'")

    rejected = client.post(
        f"/v1/rights-holders/{first}/reject", json={"reason": "blurred"}, headers=keys["reviewer"]
    )
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["rights"][0]["state"] == "rejected"
    suspend = client.post(
        f"/v1/rights-holders/{first}/suspend", json={"reason": "x"}, headers=keys["reviewer"]
    )
    assert suspend.json() == {"detail": f"rights holder '{first}' is rejected: it cannot suspend"}
    # The rejected claim no longer stands: b2 may claim TM-9 now.
    assert (
        client.post(
            f"/v1/rights-holders/{second}/rights", json=trademark("TM-9"), headers=keys["b2"]
        ).status_code
        == 201
    )
