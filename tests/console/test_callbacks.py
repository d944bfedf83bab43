"""The call-back pages: the list, a user's experiences, a call logged, resolved (zh)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.console.conftest import add
from tests.factories import ingest
from tests.voice.builders import day, paid, shipped, ticket, ticket_closed
from trustfair.store.models import CallbackRow
from trustfair.voice.callbacks import refresh_callbacks


def listed(store, registry) -> int:  # type: ignore[no-untyped-def]
    ingest(
        store,
        registry,
        paid("co1", "cu1", "m1", "l1", day(0)),
        shipped("co1", "m1", day(4)),
        ticket("ctk1", "cu1", "问一下发票", day(5)),
        ticket_closed("ctk1", "unresolved", day(6)),
    )
    with store.transaction() as session:
        refresh_callbacks(session, day(7))
        return session.scalar(select(CallbackRow.id).where(CallbackRow.user_id == "cu1"))


def test_customer_service_calls_a_hurt_user_back_and_resolves(store, registry, sign_in) -> None:
    callback_id = listed(store, registry)
    add(store, "cs", "customer_service", locale="zh")
    cs = sign_in("cs")
    page = cs.get("/console/callbacks")
    assert page.status_code == 200
    assert re.findall(r'data-callback="(\d+)"', page.text) == [str(callback_id)]
    assert "发货超时" in page.text and "工单未解决" in page.text
    detail = cs.get(f"/console/callbacks/{callback_id}")
    assert "co1" in detail.text and "ctk1" in detail.text and "callback-resolve" not in detail.text
    early = cs.post(f"/console/callbacks/{callback_id}/resolve", {"note": ""})
    assert early.status_code == 409 and "log a call" in early.text
    called = cs.post(
        f"/console/callbacks/{callback_id}/calls", {"outcome": "reached", "note": "已致歉"}
    )
    assert called.status_code == 303
    assert called.headers["location"] == f"/console/callbacks/{callback_id}?done=1"
    after = cs.get(called.headers["location"]).text
    assert "已致歉" in after and "已联系上" in after and "callback-resolve" in after
    done = cs.post(f"/console/callbacks/{callback_id}/resolve", {"note": "补发优惠券"})
    assert done.status_code == 303
    with store.reading() as session:
        assert session.get(CallbackRow, callback_id).state == "resolved"
    assert cs.get("/console/callbacks").text.count("data-callback=") == 0
    assert str(callback_id) in cs.get("/console/callbacks?state=resolved").text
