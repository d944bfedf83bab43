"""GET /v1/tickets, /v1/tickets/{id}, /v1/voice/diagnosis."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.factories import T0, bearer, event, ingest
from trustfair.api.app import create_app
from trustfair.brand.clock import SettableClock
from trustfair.voice.escalation import run_ticket_timers


def _ticket(ticket_id: str, text: str, channel: str, merchant: str) -> dict:
    return event(
        f"open-{ticket_id}",
        "ticket.opened",
        {
            "ticket_id": ticket_id,
            "user_id": "u1",
            "channel": channel,
            "text": text,
            "merchant_id": merchant,
        },
    )


def test_tickets_are_listed_filtered_and_shown(store, registry) -> None:
    ingest(
        store,
        registry,
        _ticket("t1", "买到假货了", "social", "m1"),
        _ticket("t2", "一直不发货", "in_app", "m2"),
        _ticket("t3", "快递丢了", "hotline", "m1"),
        event(
            "close-t3",
            "ticket.closed",
            {"ticket_id": "t3", "resolution": "resolved"},
            T0 + timedelta(hours=2),
        ),
    )
    now = T0 + timedelta(hours=20)
    with store.transaction() as session:
        run_ticket_timers(session, now)
    client = TestClient(create_app(store, registry, clock=SettableClock(now)))
    staff = bearer(store, "customer_service")

    page = client.get("/v1/tickets", headers=staff).json()
    assert page["total"] == 3
    assert [t["id"] for t in page["tickets"]] == ["t1", "t2", "t3"]  # same time: by id

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/tickets?{query}", headers=staff)
        assert response.status_code == 200, response.text
        return sorted(t["id"] for t in response.json()["tickets"])

    assert ids("problem=counterfeit") == ["t1"]
    assert ids("channel=hotline") == ["t3"]
    assert ids("merchant=m1") == ["t1", "t3"]
    assert ids("state=open") == ["t1", "t2"]
    assert ids("breached=true") == ["t1"]  # social: 12 h
    assert ids("breached=false") == ["t2", "t3"]
    assert ids("limit=1&offset=1") == ["t2"]
    assert client.get("/v1/tickets?problem=nope", headers=staff).status_code == 422

    one = client.get("/v1/tickets/t1", headers=staff).json()
    assert one["problem"] == "counterfeit" and one["breached"] is True
    assert [e["level"] for e in one["escalations"]] == [1]
    assert client.get("/v1/tickets/none", headers=staff).status_code == 404

    diagnosis = client.get("/v1/voice/diagnosis", headers=staff).json()
    assert diagnosis["voices"] == 3
    assert diagnosis["by_problem"] == {"counterfeit": 1, "delivery": 1, "late_shipment": 1}
    merchant = bearer(store, "merchant", ["merchant:m1"])
    assert client.get("/v1/tickets", headers=merchant).status_code == 403
