"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

Json = JSON().with_variant(JSONB(), "postgresql")
"""JSON on SQLite, JSONB on PostgreSQL."""

BigId = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit key; INTEGER on SQLite so that it is the auto-incrementing rowid."""


def sqlite_datetime(value: datetime) -> str:
    """An aware datetime as SQLite stores it: naive UTC text in SQLAlchemy's format.

    The event log's fast path writes this text directly; UTCDateTime reads it back.
    """
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, always handed out as a UTC-aware datetime.

    SQLite has no time zones, so values are stored there as naive UTC; PostgreSQL
    stores timestamptz. Naive datetimes are refused on the way in: they are the bug
    this type exists to prevent.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: trustfair stores aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
