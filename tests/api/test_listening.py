"""The call-back list, NPS and negative feedback over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.conftest import Api
from tests.factories import ingest
from tests.voice.builders import day, paid, shipped, survey, ticket, ticket_closed
from trustfair.access.roles import Role
from trustfair.store.models import CallbackRow
from trustfair.voice.callbacks import refresh_callbacks


def test_a_listed_user_is_called_and_resolved(api: Api) -> None:
    registry = api.client.app.state.registry
    ingest(
        api.store,
        registry,
        paid("vo1", "vu1", "m1", "l1", day(0)),
        shipped("vo1", "m1", day(4)),
        ticket("vtk1", "vu1", "问一下发票", day(5)),
        ticket_closed("vtk1", "unresolved", day(6)),
    )
    with api.store.transaction() as session:
        refresh_callbacks(session, day(7))
        callback_id = session.scalar(select(CallbackRow.id).where(CallbackRow.user_id == "vu1"))
    cs = api.as_(Role.CUSTOMER_SERVICE)
    listed = api.client.get("/v1/callbacks", params={"state": "listed"}, headers=cs).json()
    assert [c["user_id"] for c in listed["callbacks"]] == ["vu1"] and listed["total"] == 1
    assert [r["kind"] for r in listed["callbacks"][0]["reasons"]] == [
        "late_shipment",
        "unresolved_ticket",
    ]
    early = api.client.post(f"/v1/callbacks/{callback_id}/resolve", json={}, headers=cs)
    assert early.status_code == 409 and "log a call" in early.json()["detail"]
    bad = api.client.post(
        f"/v1/callbacks/{callback_id}/calls", json={"outcome": "yelled"}, headers=cs
    )
    assert bad.status_code == 422
    called = api.client.post(
        f"/v1/callbacks/{callback_id}/calls",
        json={"outcome": "reached", "note": "道歉并补偿"},
        headers=cs,
    )
    assert called.status_code == 201 and called.json()["state"] == "called"
    done = api.client.post(
        f"/v1/callbacks/{callback_id}/resolve", json={"note": "ok"}, headers=cs
    ).json()
    assert done["state"] == "resolved" and [c["outcome"] for c in done["calls"]] == ["reached"]
    assert done["resolved_by"] == called.json()["calls"][0]["actor"] is not None
    shown = api.client.get(f"/v1/callbacks/{callback_id}", headers=cs).json()
    assert shown == done


def test_nps_over_http(api: Api) -> None:
    registry = api.client.app.state.registry
    ingest(
        api.store,
        registry,
        survey("n1", 10, day(1)),
        survey("n2", 9, day(1)),
        survey("n3", 2, day(1), "发货太慢"),
    )
    auditor = api.as_(Role.AUDITOR)
    answer = api.client.get("/v1/voice/nps", params={"min_n": 1}, headers=auditor).json()
    (group,) = answer["groups"]
    assert (group["n"], group["nps"]) == (3, round(100 * (2 - 1) / 3, 1))
    wrong = api.client.get("/v1/voice/nps", params={"by": "colour"}, headers=auditor)
    assert wrong.status_code == 422
