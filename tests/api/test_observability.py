"""/metrics, the request id and the JSON access log, through real requests."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import api_key, bearer, order_paid
from tests.served import served
from tests.webhooks import webhook_receiver
from trustfair.api.app import create_app
from trustfair.api.observability import JsonFormatter, Metrics, RequestIdFilter, RequestObserver
from trustfair.pipeline.outbox import OutboxDispatcher, enqueue
from trustfair.store.database import Store


def scraped(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """GET /metrics, read back from the text exposition: (sample, labels) → value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def requests_of(metrics, method: str, route: str, status: str) -> float:  # type: ignore[no-untyped-def]
    labels = frozenset({"method": method, "route": route, "status": status}.items())
    return metrics.get(("trustfair_http_requests_total", labels), 0.0)


@pytest.fixture
def app(sqlite_store: Store, registry) -> FastAPI:  # type: ignore[no-untyped-def]
    return create_app(sqlite_store, registry)


@pytest.fixture
def admin(sqlite_store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key(sqlite_store, 'admin')}"}


@pytest.fixture
def access_lines(caplog: pytest.LogCaptureFixture) -> Callable[[], list[dict[str, Any]]]:
    """The access log's records so far in the test, each as the JSON line it makes."""
    caplog.set_level(logging.INFO, logger="trustfair.access")
    formatter = JsonFormatter()

    def lines() -> list[dict[str, Any]]:
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == "trustfair.access"
        ]

    return lines


# -- metrics ---------------------------------------------------------------------------


def test_requests_are_counted_by_route_template_not_by_path(app, admin) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, headers=admin)
    for merchant in ("m1", "m2", "m3"):
        assert client.get(f"/v1/restrictions/merchant/{merchant}").status_code == 200
    assert client.get("/v1/restrictions/planet/p1").status_code == 404
    assert client.get("/no/such/page/42").status_code == 404
    assert client.get("/v1/health").status_code == 200

    metrics = scraped(client)
    route = "/v1/restrictions/{entity_type}/{entity_id}"
    assert requests_of(metrics, "GET", route, "200") == 3
    assert requests_of(metrics, "GET", route, "404") == 1
    assert requests_of(metrics, "GET", "unmatched", "404") == 1
    assert requests_of(metrics, "GET", "/v1/health", "200") == 1
    # No raw path became a label.
    assert not any("m1" in value for _, labels in metrics for _, value in labels)
    durations = frozenset({"method": "GET", "route": route}.items())
    assert metrics[("trustfair_http_request_duration_seconds_count", durations)] == 4
    assert metrics[("trustfair_http_request_duration_seconds_sum", durations)] > 0


def test_events_are_counted_by_outcome(store: Store, registry) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(store, registry), headers=bearer(store))
    before = scraped(client)
    assert before[("trustfair_events_total", frozenset({("outcome", "accepted")}))] == 0
    batch = [order_paid("e1", "o1"), order_paid("e2", "o2"), order_paid("e1", "o1"), {"x": 1}]
    assert client.post("/v1/events", json=batch).status_code == 200
    assert client.post("/v1/events", json=[order_paid("e3", "o3")]).status_code == 200

    metrics = scraped(client)
    outcomes = {
        outcome: metrics[("trustfair_events_total", frozenset({("outcome", outcome)}))]
        for outcome in ("accepted", "duplicate", "rejected")
    }
    assert outcomes == {"accepted": 3, "duplicate": 1, "rejected": 1}
    assert requests_of(metrics, "POST", "/v1/events", "200") == 2


def test_metrics_need_no_credentials_and_are_not_in_the_openapi_schema(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_each_app_keeps_metrics_of_its_own(sqlite_store, registry) -> None:  # type: ignore[no-untyped-def]
    first = TestClient(create_app(sqlite_store, registry))
    second = TestClient(create_app(sqlite_store, registry))
    first.get("/v1/health")
    first.get("/v1/health")
    second.get("/v1/health")
    assert requests_of(scraped(first), "GET", "/v1/health", "200") == 2
    assert requests_of(scraped(second), "GET", "/v1/health", "200") == 1


def test_invented_methods_share_one_label(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    client.request("BREW", "/v1/health")
    client.request("PROPFIND", "/v1/health")
    metrics = scraped(client)
    assert requests_of(metrics, "OTHER", "/v1/health", "405") == 2


def test_outbox_deliveries_are_counted(sqlite_store, registry) -> None:  # type: ignore[no-untyped-def]
    with webhook_receiver(statuses=[503]) as receiver:
        dispatcher = OutboxDispatcher(
            sqlite_store, receiver.url, "s3cret", backoff_base_seconds=0.0, backoff_cap_seconds=0.0
        )
        client = TestClient(create_app(sqlite_store, registry, dispatcher=dispatcher))
        with sqlite_store.transaction() as session:
            enqueue(session, "sanction.issued", "k1", {"n": 1})
            enqueue(session, "sanction.issued", "k2", {"n": 2})
        dispatcher.deliver_all_due()  # one answered 503, one 200
        dispatcher.deliver_all_due()  # the retry
        dispatcher.close()
    metrics = scraped(client)
    deliveries = {
        outcome: metrics[("trustfair_outbox_deliveries_total", frozenset({("outcome", outcome)}))]
        for outcome in ("delivered", "failed", "gave_up")
    }
    assert deliveries == {"delivered": 2, "failed": 1, "gave_up": 0}


# -- the request id --------------------------------------------------------------------


def test_a_sane_request_id_is_echoed(app) -> None:  # type: ignore[no-untyped-def]
    response = TestClient(app).get("/v1/health", headers={"X-Request-ID": "lb-7f3a.01_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.01_x"


def test_a_request_without_an_id_gets_a_new_one_each_time(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    first = client.get("/v1/health").headers["X-Request-ID"]
    second = client.get("/no/such/page").headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.parametrize(
    "sent", [b"", b"has space", b"x" * 129, b'quote"d', b"semi;colon", b"{json}", "é".encode()]
)
def test_an_unsafe_request_id_is_replaced(app, sent: bytes) -> None:  # type: ignore[no-untyped-def]
    response = TestClient(app).get("/v1/health", headers={"X-Request-ID": sent})
    echoed = response.headers["X-Request-ID"]
    assert echoed.encode() != sent
    assert len(echoed) == 32


def test_a_server_error_still_carries_the_request_id(app, access_lines) -> None:  # type: ignore[no-untyped-def]
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500"
    assert response.json()["request_id"] == "req-500"
    assert requests_of(scraped(client), "GET", "/boom", "500") == 1
    [line] = [line for line in access_lines() if line["request_id"] == "req-500"]
    assert (line["level"], line["status"]) == ("error", 500)
    assert "RuntimeError: kaboom" in line["exc"]


def test_a_request_cancelled_before_its_answer_is_counted_as_499(access_lines) -> None:  # type: ignore[no-untyped-def]
    async def hung_up(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise asyncio.CancelledError

    metrics = Metrics()
    observer = RequestObserver(hung_up, metrics)
    scope = {"type": "http", "method": "GET", "path": "/v1/health", "headers": []}
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(observer(scope, None, None))  # type: ignore[arg-type]
    labels = {"method": "GET", "route": "unmatched", "status": "499"}
    assert metrics.registry.get_sample_value("trustfair_http_requests_total", labels) == 1
    [line] = access_lines()
    assert (line["status"], line["level"]) == (499, "info")


# -- the JSON access log ---------------------------------------------------------------


def test_each_request_is_logged_as_one_json_line(app, admin, access_lines) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    client.get("/v1/restrictions/streamer/st1", headers={**admin, "X-Request-ID": "abc-123"})
    client.get("/v1/me")
    [signed, anonymous] = access_lines()
    assert signed["request_id"] == "abc-123"
    assert signed["method"] == "GET"
    assert signed["route"] == "/v1/restrictions/{entity_type}/{entity_id}"
    assert signed["path"] == "/v1/restrictions/streamer/st1"
    assert signed["status"] == 200
    assert signed["level"] == "info"
    assert signed["principal"] == "key:test-admin"
    assert signed["client"] == "testclient"
    assert signed["duration_ms"] > 0
    assert signed["ts"].endswith("+00:00")
    assert (anonymous["route"], anonymous["status"], anonymous["principal"]) == (
        "/v1/me",
        401,
        None,
    )
    assert len(anonymous["request_id"]) == 32


def test_the_access_log_can_be_turned_off(sqlite_store, registry, access_lines) -> None:  # type: ignore[no-untyped-def]
    on = TestClient(create_app(sqlite_store, registry))
    off = TestClient(create_app(sqlite_store, registry, access_log=False))
    on.get("/v1/health", headers={"X-Request-ID": "on"})
    off.get("/v1/health", headers={"X-Request-ID": "off"})
    assert [line["request_id"] for line in access_lines()] == ["on"]
    assert requests_of(scraped(off), "GET", "/v1/health", "200") == 1


def test_other_lines_logged_during_a_request_carry_its_id(app, caplog) -> None:  # type: ignore[no-untyped-def]
    @app.get("/chatty")
    def chatty() -> None:  # a sync endpoint: it runs in the thread pool
        logging.getLogger("trustfair.test").warning("working on it")

    caplog.handler.addFilter(RequestIdFilter())
    TestClient(app).get("/chatty", headers={"X-Request-ID": "trace-9"})
    logging.getLogger("trustfair.test").warning("between requests")
    [during, after] = [r for r in caplog.records if r.name == "trustfair.test"]
    assert json.loads(JsonFormatter().format(during))["request_id"] == "trace-9"
    assert "request_id" not in json.loads(JsonFormatter().format(after))


def test_serve_without_access_log_writes_no_access_lines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    printed: list[str] = []
    args = ("--lexicon-check-seconds", "0", "--no-access-log")
    with served({"TRUSTFAIR_DATABASE_URL": url}, args, printed) as base:
        import httpx

        httpx.get(f"{base}/v1/health", timeout=10)
    assert "trustfair.access" not in printed[0]
    assert "/v1/health" not in printed[0]
