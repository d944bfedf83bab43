"""Signing in over the API: the session cookie (Secure as TRUSTFAIR_COOKIE_SECURE says),
its CSRF token, the sign-in rate limit (per client), and keys: scoped, revoked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from trustfair.access.accounts import LOGIN_FAILURES_ALLOWED, add_user, revoke_key
from trustfair.api.app import create_app
from trustfair.api.auth import CSRF_HEADER, forget_cached_keys
from trustfair.pipeline.registry import build_registry
from trustfair.settings import Settings

PASSWORD = "a long enough password"


@pytest.fixture
def client(sqlite_store) -> TestClient:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session:
        add_user(session, "li", PASSWORD, "reviewer", datetime.now(UTC))
    return TestClient(create_app(sqlite_store))


def test_a_session_acts_only_with_its_csrf_token(client: TestClient) -> None:
    signed = client.post("/v1/session", json={"username": "li", "password": PASSWORD})
    assert signed.status_code == 200
    assert "httponly" in signed.headers["set-cookie"].lower()
    token = signed.json()["csrf_token"]
    assert client.get("/v1/me").json()["name"] == "li"  # a read needs no token
    body = {"text": "你好"}
    refused = client.post("/v1/moderate", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = client.post("/v1/moderate", json=body, headers={CSRF_HEADER: token + "x"})
    assert wrong.status_code == 403
    assert client.post("/v1/moderate", json=body, headers={CSRF_HEADER: token}).status_code == 200
    assert client.delete("/v1/session", headers={CSRF_HEADER: token}).status_code == 204
    assert client.get("/v1/me").status_code == 401  # the session is over


def test_too_many_wrong_passwords_are_refused_for_a_while_even_the_right_one(
    client: TestClient,
) -> None:
    for _ in range(LOGIN_FAILURES_ALLOWED):
        wrong = client.post("/v1/session", json={"username": "li", "password": "not it at all"})
        assert wrong.status_code == 401
    right = client.post("/v1/session", json={"username": "li", "password": PASSWORD})
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0
    # The limit is this client's for this username: li signs in from elsewhere, and
    # this client may still try another name (until its own, looser limit).
    elsewhere = TestClient(client.app, client=("203.0.113.7", 50000))
    right = elsewhere.post("/v1/session", json={"username": "li", "password": PASSWORD})
    assert right.status_code == 200
    unknown = client.post("/v1/session", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    ("setting", "url", "headers", "secure"),
    [
        ("auto", "http://testserver", {}, False),
        ("auto", "https://testserver", {}, True),
        ("auto", "http://testserver", {"X-Forwarded-Proto": "https"}, True),  # behind a proxy
        ("true", "http://testserver", {}, True),
        ("false", "https://testserver", {}, False),
    ],
)
def test_the_session_cookie_is_secure_as_trustfair_cookie_secure_says(
    sqlite_store, monkeypatch, setting: str, url: str, headers: dict[str, str], secure: bool
) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session:
        add_user(session, "li", PASSWORD, "reviewer", datetime.now(UTC))
    monkeypatch.setenv("TRUSTFAIR_COOKIE_SECURE", setting)
    app = create_app(sqlite_store, build_registry(Settings.from_env()))
    client = TestClient(app, base_url=url, headers=headers)
    signed = client.post("/v1/session", json={"username": "li", "password": PASSWORD})
    assert signed.status_code == 200
    assert ("; secure" in signed.headers["set-cookie"].lower()) is secure


@pytest.mark.parametrize(("raw", "value"), [("", None), ("AUTO", None), ("true", True)])
def test_trustfair_cookie_secure_is_auto_true_or_false(monkeypatch, raw: str, value) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRUSTFAIR_COOKIE_SECURE", raw)
    assert Settings.from_env().cookie_secure is value
    monkeypatch.setenv("TRUSTFAIR_COOKIE_SECURE", "yes please")
    with pytest.raises(ValueError, match=r"TRUSTFAIR_COOKIE_SECURE.*auto, true or false"):
        Settings.from_env()


def test_a_scoped_key_may_do_only_its_scope_and_a_revoked_key_nothing(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    from trustfair.access.accounts import add_key

    with sqlite_store.transaction() as session:
        new = add_key(session, "moderator", "service", datetime.now(UTC), scopes=["moderate"])
    client = TestClient(create_app(sqlite_store), headers={"Authorization": f"Bearer {new.key}"})
    assert client.post("/v1/moderate", json={"text": "你好"}).status_code == 200
    assert client.post("/v1/events", json=[]).status_code == 403
    with sqlite_store.transaction() as session:
        assert revoke_key(session, new.row.key_id, datetime.now(UTC))
    forget_cached_keys()  # this process revoked it; another server stops within 10 s
    assert client.post("/v1/moderate", json={"text": "你好"}).status_code == 401
