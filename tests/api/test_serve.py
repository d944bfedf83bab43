"""`trustfair serve` as a real process on a real port, with a real HTTP client."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.factories import order_paid, service_key_for
from tests.served import served


def test_the_served_api_stores_a_batch_once_and_logs_each_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    headers = service_key_for(url)
    printed: list[str] = []
    with served({"TRUSTFAIR_DATABASE_URL": url}, output=printed) as server:
        batch = [order_paid("e1", "o1"), order_paid("e2", "o2")]
        first = httpx.post(f"{server}/v1/events", json=batch, headers=headers, timeout=10).json()
        again = httpx.post(
            f"{server}/v1/events",
            json=batch,
            headers={**headers, "X-Request-ID": "again-1"},
            timeout=10,
        ).json()
        assert (first["accepted"], first["duplicates"]) == (2, 0)
        assert (again["accepted"], again["duplicates"]) == (0, 2)
        health = httpx.get(f"{server}/v1/health").json()
        assert (health["status"], health["store"]) == ("ok", "sqlite")
        assert health["lexicon_version"]
    # One JSON line per request on stdout, in place of uvicorn's access line.
    lines = [json.loads(line) for line in printed[0].splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("request_id") == "again-1"]
    assert line["logger"] == "trustfair.access"
    assert (line["route"], line["status"], line["principal"]) == (
        "/v1/events",
        200,
        "key:test-service",
    )
    assert '"POST /v1/events HTTP/1.1" 200' not in printed[0]
