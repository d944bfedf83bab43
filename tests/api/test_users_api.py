"""An admin manages the console's users over the API: adds them, disables them (their
sessions end at once), sets a new password (the old sessions end)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.factories import bearer
from trustfair.access.accounts import add_user
from trustfair.api.app import create_app

PASSWORD = "a long enough password"


def user(name: str, role: str, password: str = PASSWORD, **more: object) -> dict[str, object]:
    return {"username": name, "password": password, "role": role, **more}


def signs_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    return client.post("/v1/session", json={"username": name, "password": password}).status_code


def test_an_admin_adds_disables_and_resets_users(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    app = create_app(sqlite_store)
    admin = TestClient(app, headers=bearer(sqlite_store, "admin"))
    added = admin.post("/v1/users", json=user("wang", "merchant", owns=["merchant:m1"]))
    assert added.status_code == 201
    assert added.json()["owns"] == ["merchant:m1"] and "password" not in added.text
    assert admin.post("/v1/users", json=user("wang", "auditor")).status_code == 409
    short = admin.post("/v1/users", json=user("li", "auditor", "short"))
    assert (short.status_code, "at least 10" in short.json()["detail"]) == (422, True)
    assert admin.post("/v1/users", json=user("li", "brand")).status_code == 422  # owns nothing

    wang = TestClient(app)
    assert signs_in(wang, "wang") == 200
    assert wang.get("/v1/me").status_code == 200
    assert admin.post("/v1/users/wang/disable").json()["disabled_at"]
    assert wang.get("/v1/me").status_code == 401  # the session ended with the account
    assert signs_in(wang, "wang") == 401
    admin.post("/v1/users/wang/enable")
    assert signs_in(wang, "wang") == 200
    new = PASSWORD + " anew"
    assert admin.post("/v1/users/wang/password", json={"password": new}).status_code == 200
    assert wang.get("/v1/me").status_code == 401  # opened with the old password
    assert signs_in(wang, "wang", new) == 200
    assert [u["username"] for u in admin.get("/v1/users").json()] == ["wang"]


def test_an_admin_signed_in_does_not_disable_themselves(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session:
        add_user(session, "root", PASSWORD, "admin", datetime.now(UTC))
    client = TestClient(create_app(sqlite_store))
    me = client.post("/v1/session", json={"username": "root", "password": PASSWORD}).json()
    response = client.post("/v1/users/root/disable", headers={"X-CSRF-Token": me["csrf_token"]})
    assert response.status_code == 409
