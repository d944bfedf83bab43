"""The console's pages through FastAPI's TestClient, on the marker policy of the
enforcement tests, at a fixed console time (their events happen in March 2026)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.enforce.conftest import at, policy, registry  # noqa: F401
from trustfair.access.accounts import add_user
from trustfair.api.app import create_app
from trustfair.brand.clock import SettableClock
from trustfair.console.web import console_now
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store

PASSWORD = "correct horse battery"
NOW = at(days=2, minutes=30)
"""When the console is looked at: two days after the first events, within the
appeal period of the sanctions they bring."""


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    """The console's pages read through the use cases, which the suite runs on both
    stores; the pages themselves are tested on SQLite."""
    return sqlite_store


@pytest.fixture
def app(store: Store, registry: Registry) -> FastAPI:  # noqa: F811
    app = create_app(store, registry)
    app.dependency_overrides[console_now] = lambda: NOW
    # Complaint steps take the app's clock: the same time, moved by tests that need it.
    app.state.clock = SettableClock(NOW)
    return app


def add(
    store: Store, username: str, role: str, owns: list[str] | None = None, locale: str = "en"
) -> None:
    with store.transaction() as session:
        add_user(session, username, PASSWORD, role, datetime.now(UTC), owns, locale)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field on the page"
    return found[1]


class Browser:
    """A TestClient signed in as one user, with its session's CSRF token."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    def get(self, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, object], csrf: bool = True, **kwargs: object):  # type: ignore[no-untyped-def]
        if csrf:
            data = {**data, "csrf_token": self.csrf}
        return self.client.post(url, data=data, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def sign_in_with(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def sign_in(app: FastAPI) -> Callable[[str], Browser]:
    def signed_in(username: str) -> Browser:
        client = TestClient(app)
        response = sign_in_with(client, username)
        assert response.status_code == 303, response.text
        landing = client.get(response.headers["location"])
        assert landing.status_code == 200, landing.text
        return Browser(client, form_token(landing.text))

    return signed_in
