"""POST /v1/events takes a batch, stores the valid events and names the rest."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.factories import T0, bearer, jsonl, order_paid, report_on_live
from trustfair.api.app import create_app
from trustfair.store.export import export_records


@pytest.fixture
def client(store, registry) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(store, registry), headers=bearer(store))


def test_a_batch_is_stored_and_counted(client, store) -> None:
    batch = [order_paid("e1", "o1"), order_paid("e2", "o2"), order_paid("e1", "o1")]
    response = client.post("/v1/events", json=batch)
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 2,
        "duplicates": 1,
        "rejected": 0,
        "rejections": [],
        "commands": [],
    }
    assert [e["event_id"] for e in export_records(store, "events")] == ["e1", "e2"]


def test_invalid_events_are_listed_by_position_and_the_rest_stored(client, store) -> None:
    bad = {**order_paid("e3", "o3"), "occurred_at": "2026-03-01 20:00"}
    response = client.post(
        "/v1/events", json={"events": [order_paid("e1", "o1"), bad, {"type": 5}]}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["rejected"]) == (1, 2)
    assert [r["index"] for r in body["rejections"]] == [2, 3]
    assert "occurred_at" in body["rejections"][0]["reason"]
    assert [e["event_id"] for e in export_records(store, "events")] == ["e1"]


def test_ndjson_bodies_are_read_line_by_line(client) -> None:
    body = jsonl(order_paid("e1", "o1"), "{oops", order_paid("e2", "o2"))
    response = client.post(
        "/v1/events", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert response.json()["accepted"] == 2
    assert response.json()["rejections"][0]["index"] == 2


def test_a_report_burst_sent_over_http_opens_a_case(client, store) -> None:
    batch = [report_on_live(f"r{i}", "s9", T0 + timedelta(minutes=i)) for i in range(5)]
    client.post("/v1/events", json=batch)
    assert [c["subject_id"] for c in export_records(store, "cases")] == ["s9"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "body is not JSON"),
        (b'{"event_id": "x"}', "application/json", 400, "JSON array of events"),
        (b"\xff\xfe", "application/json", 400, "body is not UTF-8"),
        ("[]".encode("utf-16"), "application/json", 400, "body is not UTF-8"),
        (b'[{"event_id": "a", "event_id": "b"}]', "application/json", 400, "duplicate key"),
        (b"[NaN]", "application/json", 400, "NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "nested too deeply"),
    ],
)
def test_unreadable_bodies_are_refused_with_a_reason(
    client, body, content_type, status, message
) -> None:
    response = client.post("/v1/events", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_a_byte_order_mark_is_allowed(client) -> None:
    body = b"\xef\xbb\xbf" + json.dumps([order_paid("e1", "o1")]).encode()
    response = client.post("/v1/events", content=body, headers={"content-type": "application/json"})
    assert response.json()["accepted"] == 1


def test_a_lone_surrogate_is_named_as_such(client) -> None:
    item = order_paid("e1", "o1")
    item["payload"]["buyer_id"] = "PLACEHOLDER"
    body = json.dumps([item]).replace("PLACEHOLDER", "\\ud800").encode()
    response = client.post("/v1/events", content=body, headers={"content-type": "application/json"})
    [rejection] = response.json()["rejections"]
    assert "surrogate" in rejection["reason"]


def test_too_many_events_in_one_batch_is_refused(client, monkeypatch) -> None:
    from trustfair.api import events

    monkeypatch.setattr(events, "MAX_EVENTS_PER_BATCH", 2)
    response = client.post("/v1/events", json=[order_paid(f"e{i}", f"o{i}") for i in range(3)])
    assert response.status_code == 413


def test_the_openapi_spec_documents_the_endpoint(client) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/events"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert "event_id" in body["items"]["required"]
    assert {"200", "400", "413"} <= set(operation["responses"])


def test_a_suspended_streamer_going_live_is_answered_with_a_refusal(store, tmp_path) -> None:
    from tests.enforce.conftest import at, live_segment, live_started, marker_registry, write_policy
    from trustfair.policy.files import load_policy

    client = TestClient(
        create_app(store, marker_registry(load_policy(write_policy(tmp_path)))),
        headers=bearer(store),
    )
    first = client.post("/v1/events", json=[live_segment("e1", "ls1", "st1", "[[spam_porn]]")])
    assert [c["topic"] for c in first.json()["commands"]] == ["sanction.issued"] * 2
    answer = client.post("/v1/events", json=[live_started("e2", "ls2", "st1", at(days=1))]).json()
    [refusal] = answer["commands"]
    assert refusal["topic"] == "live.refuse"
    assert refusal["payload"]["subject"] == {"type": "live_session", "id": "ls2"}
    assert refusal["payload"]["author"] == {"type": "streamer", "id": "st1"}
    later = client.post("/v1/events", json=[live_started("e3", "ls3", "st1", at(days=8))]).json()
    assert later["commands"] == []
    during = client.get("/v1/restrictions/streamer/st1", params={"at": at(days=1).isoformat()})
    assert [s["kind"] for s in during.json()["sanctions"]] == [
        "live_suspension",
        "settlement_freeze",
    ]
    assert during.json()["sanctions"][0]["statement"]["rule"] == "marked.block"
    after = client.get("/v1/restrictions/streamer/st1", params={"at": at(days=8).isoformat()})
    assert [s["kind"] for s in after.json()["sanctions"]] == ["settlement_freeze"]
    assert client.get("/v1/restrictions/planet/x").status_code == 404
    naive = client.get("/v1/restrictions/streamer/st1", params={"at": "2026-03-01T20:00:00"})
    assert naive.status_code == 422
