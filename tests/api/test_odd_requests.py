"""Requests that used to be answered with a 500: each is now a 4xx that says why.

Found while fuzzing the API from its OpenAPI spec (tests/api/test_openapi_fuzz.py): a
time that has no UTC equivalent, and text holding a NUL, which PostgreSQL cannot even
compare (SQLite can, which is why these run on both stores).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.factories import bearer
from trustfair.access.accounts import add_user, key_principal
from trustfair.api.app import create_app
from trustfair.cli import app as cli
from trustfair.store.database import Store
from trustfair.store.models import LoginAttemptRow


@pytest.fixture
def client(store: Store, registry) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(store, registry), raise_server_exceptions=False)


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_with_no_utc_equivalent_is_refused(client, store, at: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/v1/restrictions/merchant/m1", params={"at": at}, headers=bearer(store, "admin")
    )
    assert response.status_code == 422
    assert "at: between 1970 and 9000" in response.json()["detail"]


@pytest.mark.parametrize("entity_id", ["a%00b", "x" * 129])
def test_an_id_no_store_can_hold_is_refused_not_looked_up(client, store, entity_id: str) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL refuses to compare text holding a NUL: looked up, it was a 500.
    response = client.get(f"/v1/restrictions/merchant/{entity_id}", headers=bearer(store, "admin"))
    assert response.status_code == 422
    assert "entity_id" in str(response.json()["detail"])


def test_an_id_of_no_account_has_nothing_in_force(client, store) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/v1/restrictions/merchant/has%20space", headers=bearer(store, "admin"))
    assert response.status_code == 200
    assert response.json()["sanctions"] == []


def test_a_name_with_a_nul_signs_in_as_nobody_and_is_counted(client, store) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        add_user(session, "ab", "a long password", "reviewer", datetime.now(UTC))
    response = client.post(
        "/v1/session", json={"username": "a\x00b", "password": "a long password"}
    )
    assert response.status_code == 401
    with store.reading() as session:
        assert session.scalar(select(func.count(LoginAttemptRow.id))) == 1


def test_a_key_with_a_nul_is_not_valid(client, store) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/v1/me", headers={"Authorization": "Bearer tf_a\x00_secret"})
    assert response.status_code == 401
    with store.reading() as session:
        assert key_principal(session, "tf_0123456789abcde\x00_secret") is None


def test_a_username_with_a_trailing_newline_is_refused(store: Store) -> None:
    with store.transaction() as session, pytest.raises(ValueError, match="username"):
        add_user(session, "name\n", "a long password", "reviewer", datetime.now(UTC))


def test_the_command_line_refuses_a_time_with_no_utc_equivalent(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRUSTFAIR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(
        cli, ["restrictions", "merchant:m1", "--at", "0001-01-01T00:00:00+14:00"]
    )
    assert result.exit_code != 0
    assert "out of range" in result.output
