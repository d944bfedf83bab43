"""Accounts as the CLI and the API create them: what is refused, and why."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from trustfair.access.accounts import add_key, add_user, sign_in
from trustfair.store.models import ApiKeyRow

NOW = datetime(2026, 3, 1, tzinfo=UTC)
GOOD = "a long enough password"


@pytest.mark.parametrize(
    ("username", "password", "role", "owns", "problem"),
    [
        ("li\n", GOOD, "reviewer", None, "username"),
        ("li", "short", "reviewer", None, "at least 10"),
        ("li", GOOD, "overlord", None, "role 'overlord'"),
        ("li", GOOD, "service", None, "for API keys"),
        ("li", GOOD, "merchant", None, "must own"),
        ("li", GOOD, "merchant", ["shop:m1"], "merchant:ID"),
    ],
)
def test_a_user_that_cannot_be_made_is_refused_with_the_reason(
    sqlite_store, username: str, password: str, role: str, owns: list[str] | None, problem: str
) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session, pytest.raises(ValueError, match=problem):
        add_user(session, username, password, role, NOW, owns)


def test_a_username_is_taken_once_and_the_password_is_kept_only_hashed(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session:
        user = add_user(session, "li", GOOD, "reviewer", NOW)
        assert GOOD not in user.password_hash and user.password_hash.startswith("$argon2")
    with sqlite_store.transaction() as session, pytest.raises(ValueError, match="exists"):
        add_user(session, "li", GOOD, "auditor", NOW)
    with sqlite_store.transaction() as session:
        assert sign_in(session, "li", GOOD, "127.0.0.1", NOW) is not None
        assert sign_in(session, "li", GOOD + "!", "127.0.0.1", NOW) is None


def test_a_key_cannot_be_scoped_beyond_its_role_and_its_secret_is_kept_only_hashed(
    sqlite_store,
) -> None:  # type: ignore[no-untyped-def]
    with sqlite_store.transaction() as session, pytest.raises(ValueError, match="beyond"):
        add_key(session, "k", "service", NOW, scopes=["users:manage"])
    with sqlite_store.transaction() as session, pytest.raises(ValueError, match="scope 'x'"):
        add_key(session, "k", "service", NOW, scopes=["x"])
    with sqlite_store.transaction() as session:
        new = add_key(session, "k", "service", NOW, scopes=["events:write"])
    prefix = f"tf_{new.row.key_id}_"
    assert new.key.startswith(prefix)
    secret = new.key.removeprefix(prefix)
    assert new.row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with sqlite_store.reading() as session:
        stored = session.execute(select(ApiKeyRow.__table__)).one()
    assert not any(secret in str(value) for value in stored)
