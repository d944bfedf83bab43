"""Where the store lives and how to open it.

``TRUSTFAIR_DATABASE_URL`` picks the database; without it trustfair uses the embedded
SQLite file ``trustfair.db`` in the working directory (WAL mode, so readers never
block the writer). Opening a store brings its schema to the newest migration.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///trustfair.db"


def database_url() -> str:
    return os.environ.get("TRUSTFAIR_DATABASE_URL") or DEFAULT_DATABASE_URL


def shown_database_url() -> str:
    """The store's URL as it may be printed: without its password."""
    return make_url(database_url()).render_as_string(hide_password=True)


def _normalise(url: str) -> str:
    # "postgresql://" alone would pick psycopg2, which we do not ship.
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A writer takes the write lock at BEGIN: two writers then queue on the busy
        # timeout instead of one failing at once when it upgrades a read lock.
        # Readers (export, report) begin deferred and never block ingestion.
        mode = "DEFERRED" if connection.get_execution_options().get("read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    """An engine for ``url`` (default: ``database_url()``), tuned for its backend."""
    url = _normalise(url or database_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)  # type: ignore[arg-type]
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)  # type: ignore[arg-type]


class Store:
    """An opened store: the engine and sessions for writing and for reading."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = sessionmaker(engine, expire_on_commit=False)
        self._reader = sessionmaker(engine.execution_options(read_only=True))
        # SQLite has one writer at a time. Threads of this process queue for it here,
        # in order and woken at once, instead of in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms: under concurrent requests that sleep, not
        # the work, was most of a request's time. Other processes still queue on
        # the busy timeout.
        self._write_turn = threading.RLock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        from trustfair.store.migrations import upgrade_to_head

        store = cls(make_engine(url))
        if migrate:
            upgrade_to_head(store.engine)
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: everything in it is committed together or not at all."""
        with self._write_turn or nullcontext(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that does not hold up writers."""
        with self._reader() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
