"""Which database errors are worth trying again, and how."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

# PostgreSQL: serialization_failure, deadlock_detected. Both mean "another
# transaction got in the way"; the same work a moment later will go through.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})


def is_transient(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)  # SQLite's busy timeout ran out


def with_retries(work: Callable[[], T], attempts: int = 5, base_delay: float = 0.05) -> T:
    """Run ``work`` (a whole transaction), again after a transient failure."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if attempt == attempts or not is_transient(error):
                raise
            time.sleep(base_delay * 2 ** (attempt - 1) * (1 + random.random()))
    raise AssertionError("unreachable")
