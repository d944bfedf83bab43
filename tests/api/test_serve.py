"""`trustfair serve` as a real process on a real port, with a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import order_paid, service_key_for
from tests.served import served


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    headers = service_key_for(url)
    with served({"TRUSTFAIR_DATABASE_URL": url}) as base:
        yield base, headers


def test_the_served_api_stores_a_batch_once(server: tuple[str, dict[str, str]]) -> None:
    server, headers = server
    batch = [order_paid("e1", "o1"), order_paid("e2", "o2")]
    first = httpx.post(f"{server}/v1/events", json=batch, headers=headers, timeout=10).json()
    again = httpx.post(f"{server}/v1/events", json=batch, headers=headers, timeout=10).json()
    assert (first["accepted"], first["duplicates"]) == (2, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    health = httpx.get(f"{server}/v1/health").json()
    assert (health["status"], health["store"]) == ("ok", "sqlite")
    assert health["lexicon_version"]
