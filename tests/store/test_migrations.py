"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from trustfair.store.database import Store
from trustfair.store.migrations import upgrade_to_head
from trustfair.store.models import Base


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_twice_is_harmless(store: Store) -> None:
    upgrade_to_head(store.engine)
    tables = set(inspect(store.engine).get_table_names())
    assert {"events", "signals", "decisions", "cases", "case_events", "ingest_runs"} <= tables


def test_sqlite_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
