from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from trustfair.store.retry import is_transient, with_retries


class DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def db_error(message: str, sqlstate: str | None = None) -> DBAPIError:
    return DBAPIError("INSERT …", {}, DriverError(message, sqlstate))


def test_deadlocks_serialization_failures_and_sqlite_locks_are_transient() -> None:
    assert is_transient(db_error("deadlock detected", "40P01"))
    assert is_transient(db_error("could not serialize", "40001"))
    assert is_transient(db_error("database is locked"))
    assert not is_transient(db_error("duplicate key", "23505"))
    assert not is_transient(ValueError("database is locked"))


def test_transient_failures_are_retried_until_the_work_goes_through() -> None:
    calls = []

    def work() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise db_error("deadlock detected", "40P01")
        return "done"

    assert with_retries(work, base_delay=0) == "done"
    assert len(calls) == 3


def test_other_failures_and_the_last_attempt_are_raised() -> None:
    with pytest.raises(DBAPIError, match="duplicate"):
        with_retries(
            lambda: (_ for _ in ()).throw(db_error("duplicate key", "23505")), base_delay=0
        )
    calls = []

    def always_locked() -> None:
        calls.append(1)
        raise db_error("database is locked")

    with pytest.raises(DBAPIError):
        with_retries(always_locked, attempts=2, base_delay=0)
    assert len(calls) == 2
