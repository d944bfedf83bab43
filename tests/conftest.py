"""Fixtures shared by the suite: a fresh store on SQLite and on PostgreSQL.

Tests that take ``store`` run once per backend. PostgreSQL comes from
TRUSTFAIR_TEST_POSTGRES_URL (default: the local server at 127.0.0.1:5432, database
test); each test gets its own schema, dropped afterwards. Where no server answers,
those tests are skipped and the run says so at the end, unless
TRUSTFAIR_REQUIRE_POSTGRES=1 (as on CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def postgres_url() -> str:
    return os.environ.get("TRUSTFAIR_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_required() -> bool:
    return os.environ.get("TRUSTFAIR_REQUIRE_POSTGRES") == "1"


@cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        engine = create_engine(postgres_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not here"
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return (
            f"PostgreSQL at {make_url(postgres_url()).render_as_string()} unreachable: {first_line}"
        )
    return None


_skipped_postgres: list[str] = []


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    problem = postgres_problem()
    if problem:
        if postgres_required():
            pytest.fail(f"TRUSTFAIR_REQUIRE_POSTGRES=1 but {problem}")
        _skipped_postgres.append(problem)
        pytest.skip(problem)
    schema = f"tf_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    store = Store.open(url.render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.close()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'trustfair.db'}")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """A fresh, migrated store; the test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def registry() -> Registry:
    return build_registry(Settings())


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _skipped_postgres:
        terminalreporter.write_sep("=", "PostgreSQL tests SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{len(_skipped_postgres)} PostgreSQL test(s) did not run: {_skipped_postgres[0]}"
        )
        terminalreporter.write_line(
            "Start PostgreSQL or set TRUSTFAIR_TEST_POSTGRES_URL to run them; "
            "CI sets TRUSTFAIR_REQUIRE_POSTGRES=1 so that they cannot be skipped there."
        )
