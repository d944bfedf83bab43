"""`trustfair serve` as a real process on a real port, with a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import order_paid
from tests.served import served


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with served({"TRUSTFAIR_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}) as base:
        yield base


def test_the_served_api_stores_a_batch_once(server: str) -> None:
    batch = [order_paid("e1", "o1"), order_paid("e2", "o2")]
    first = httpx.post(f"{server}/v1/events", json=batch, timeout=10).json()
    again = httpx.post(f"{server}/v1/events", json=batch, timeout=10).json()
    assert (first["accepted"], first["duplicates"]) == (2, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    health = httpx.get(f"{server}/v1/health").json()
    assert (health["status"], health["store"]) == ("ok", "sqlite")
    assert health["lexicon_version"]
