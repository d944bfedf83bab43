"""The console's user-voice page: the list with problems marked and SLA states, the
filters, the diagnosis and what is rising, in both languages."""

from __future__ import annotations

from datetime import timedelta

from tests.console.conftest import NOW, add
from tests.factories import event, ingest
from trustfair.voice.escalation import run_ticket_timers


def _ticket(ticket_id: str, text: str, channel: str, at, merchant: str = "m1") -> dict:
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
        at,
    )


def test_the_voice_page_lists_marks_and_diagnoses(store, registry, sign_in) -> None:
    events = [
        _ticket(f"f{i}", "买到<b>假货</b>了", "social", NOW - timedelta(days=1, minutes=i))
        for i in range(6)
    ]
    events.append(_ticket("late", "一直不发货", "in_app", NOW - timedelta(hours=1), "m2"))
    ingest(store, registry, *events)
    with store.transaction() as session:
        run_ticket_timers(session, NOW)
    add(store, "cs", "customer_service")
    browser = sign_in("cs")
    page = browser.get("/console/voice")
    assert page.status_code == 200
    html = page.text
    assert "&lt;b&gt;" in html  # the user's text is shown, never run
    assert '<mark data-labels="counterfeit"' in html
    assert "overdue" in html and "running" in html
    assert "Rising this week" in html and "whole platform" in html
    only = browser.get("/console/voice?problem=late_shipment").text
    assert "一直不发货" in only and "假货" not in only.split("<h2>")[0]
    overdue = browser.get("/console/voice?overdue=1").text.split("<h2>")[0]
    assert "f0" in overdue and ">late<" not in overdue
    zh = browser.get("/console/voice?lang=zh").text
    assert "用户之声" in zh and "假货" in zh and "本周上升" in zh
    assert browser.get("/console/voice?problem=nonsense").status_code == 200


def test_merchants_do_not_see_the_voice_page(store, sign_in) -> None:
    add(store, "shop", "merchant", ["merchant:m1"])
    assert sign_in("shop").get("/console/voice").status_code == 403
