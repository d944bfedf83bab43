"""Accounts as the CLI and the API create them: what is refused, and why; signing in,
its rate limit under concurrent attempts, and that the slow password check holds up no
writer."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from trustfair.access import accounts
from trustfair.access.accounts import (
    LOGIN_FAILURES_ALLOWED,
    LOGIN_FAILURES_ALLOWED_PER_CLIENT,
    TooManyAttempts,
    add_key,
    add_user,
    sign_in,
)
from trustfair.store.models import ApiKeyRow, LoginAttemptRow

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
    assert sign_in(sqlite_store, "li", GOOD, "127.0.0.1", NOW) is not None
    assert sign_in(sqlite_store, "li", GOOD + "!", "127.0.0.1", NOW) is None
    with sqlite_store.reading() as session:
        recorded = session.execute(select(LoginAttemptRow.username, LoginAttemptRow.succeeded))
        assert sorted(recorded) == [("li", False), ("li", True)]


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


# -- signing in ------------------------------------------------------------------------


def _wrong_or_refused(store, username: str, client: str) -> str:  # type: ignore[no-untyped-def]
    try:
        signed = sign_in(store, username, "not the password", client, NOW)
    except TooManyAttempts:
        return "too many"
    return "wrong" if signed is None else "signed in"


def test_the_password_is_checked_with_no_transaction_open(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The check takes 50-200 ms on purpose; a write transaction held meanwhile (on
    SQLite: the process's write turn) would stall event ingestion behind every guess."""
    with store.transaction() as session:
        add_user(session, "li", GOOD, "reviewer", NOW)
    real_verify = accounts._hasher.verify
    seen: dict[str, object] = {}
    writers: list[threading.Thread] = []

    def write_elsewhere() -> None:
        with store.transaction() as session:
            session.add(LoginAttemptRow(username="x", client="elsewhere", at=NOW, succeeded=True))

    def verify(password: str, hash: str) -> bool:
        seen["connections in use"] = store.engine.pool.checkedout()
        writers.append(threading.Thread(target=write_elsewhere))
        writers[-1].start()
        writers[-1].join(timeout=2)
        seen["a writer waited"] = writers[-1].is_alive()
        return real_verify(password, hash)

    monkeypatch.setattr(accounts._hasher, "verify", verify)
    try:
        assert sign_in(store, "li", GOOD, "127.0.0.1", NOW) is not None
        assert seen == {"connections in use": 0, "a writer waited": False}
        seen.clear()
        assert sign_in(store, "nobody", GOOD, "127.0.0.1", NOW) is None  # the dummy check too
        assert seen == {"connections in use": 0, "a writer waited": False}
    finally:
        for writer in writers:
            writer.join()


def test_concurrent_guesses_get_no_more_tries_than_allowed(store) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        add_user(session, "li", GOOD, "reviewer", NOW)
    n = 20
    start = threading.Barrier(n)

    def guess(_: int) -> str:
        start.wait()
        return _wrong_or_refused(store, "li", "10.0.0.66")

    with ThreadPoolExecutor(n) as pool:
        outcomes = list(pool.map(guess, range(n)))
    # Attempts that overlap may all count one another, and be refused: never too few.
    assert outcomes.count("wrong") <= LOGIN_FAILURES_ALLOWED, outcomes
    assert outcomes.count("wrong") + outcomes.count("too many") == n
    with pytest.raises(TooManyAttempts):  # the limit is reached now, if not by the guesses
        for _ in range(LOGIN_FAILURES_ALLOWED + 1):
            sign_in(store, "li", "still not it", "10.0.0.66", NOW)
    with store.reading() as session:  # refused attempts checked nothing: not recorded
        failures = session.scalars(select(LoginAttemptRow).where(~LoginAttemptRow.succeeded))
        assert len(list(failures)) == LOGIN_FAILURES_ALLOWED


def test_guessing_from_one_client_does_not_lock_the_user_out_elsewhere(store) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        add_user(session, "li", GOOD, "reviewer", NOW)
    for _ in range(LOGIN_FAILURES_ALLOWED):
        assert _wrong_or_refused(store, "li", "10.0.0.66") == "wrong"
    with pytest.raises(TooManyAttempts) as refused:
        sign_in(store, "li", GOOD, "10.0.0.66", NOW)  # even the right password, there
    assert refused.value.retry_after == int(accounts.LOGIN_WINDOW.total_seconds()) + 1
    signed = sign_in(store, "li", GOOD, "10.0.0.1", NOW)  # from anywhere else: in
    assert signed is not None and signed.principal.name == "li"
    assert _wrong_or_refused(store, "someone", "10.0.0.66") == "wrong"  # its own pair


def test_one_client_guessing_many_usernames_is_refused_after_its_own_limit(
    store, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(accounts._hasher, "verify", lambda password, hash: False)  # fast
    for n in range(LOGIN_FAILURES_ALLOWED_PER_CLIENT):
        assert _wrong_or_refused(store, f"user{n}", "10.0.0.66") == "wrong"
    assert _wrong_or_refused(store, "one-more", "10.0.0.66") == "too many"
    assert _wrong_or_refused(store, "one-more", "10.0.0.1") == "wrong"
