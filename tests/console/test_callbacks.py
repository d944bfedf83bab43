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


def test_the_listening_page_shows_nps_and_who_is_over_the_band(store, registry, sign_in) -> None:
    from tests.voice.builders import survey
    from tests.voice.test_negative import UNTIL
    from tests.voice.test_negative import world as negative_world
    from trustfair.voice.negative import judge_negative_feedback

    scores = [10] * 20 + [5] * 10  # 30 answers: NPS (20 - 10) / 30 = 33.3
    ingest(
        store,
        registry,
        *negative_world(),
        *(
            survey(f"s{i}", s, day(1), "客服态度不好" if s < 7 else "")
            for i, s in enumerate(scores)
        ),
    )
    with store.transaction() as session:
        judge_negative_feedback(session, UNTIL, registry)
    add(store, "auditor", "auditor")
    page = sign_in("auditor").get("/console/listening?by=overall")
    assert page.status_code == 200
    row = re.search(r'<tr data-group="all">.*?</tr>', page.text, re.S)[0]  # type: ignore[index]
    assert ">30<" in row and ">33.3<" in row
    assert 'data-problem="' in page.text and "客服态度不好" in page.text
    assert re.findall(r'data-entity="([^"]+)"', page.text) == ["m1"]
