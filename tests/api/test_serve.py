"""`trustfair serve` as a real process on a real port, with a real HTTP client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import order_paid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "TRUSTFAIR_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "trustfair.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/v1/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"server did not start:\n{output}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_served_api_stores_a_batch_once(server: str) -> None:
    batch = [order_paid("e1", "o1"), order_paid("e2", "o2")]
    first = httpx.post(f"{server}/v1/events", json=batch, timeout=10).json()
    again = httpx.post(f"{server}/v1/events", json=batch, timeout=10).json()
    assert (first["accepted"], first["duplicates"]) == (2, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    health = httpx.get(f"{server}/v1/health").json()
    assert (health["status"], health["store"]) == ("ok", "sqlite")
    assert health["lexicon_version"]
