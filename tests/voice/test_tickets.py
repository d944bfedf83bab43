"""The unified ticket list, the SLA escalations and the diagnosis, on both stores."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import T0, event, ingest, listing_published
from trustfair.cases.work import assign
from trustfair.store.models import CaseEventRow, CaseRow, OutboxRow, TicketEscalationRow, TicketRow
from trustfair.voice.diagnosis import diagnose, poisson_tail
from trustfair.voice.escalation import run_ticket_timers


def _paid(order_id: str, merchant: str = "m1", streamer: str | None = "st1", at=T0) -> dict:
    payload = {
        "order_id": order_id,
        "buyer_id": "u1",
        "merchant_id": merchant,
        "listing_id": "l1",
        "unit_price_fen": 100,
        "amount_fen": 100,
    }
    if streamer:
        payload |= {"streamer_id": streamer, "session_id": "s1"}
    return event(f"paid-{order_id}", "order.paid", payload, at)


def _ticket(
    ticket_id: str,
    text: str,
    channel: str = "in_app",
    order_id: str | None = "o1",
    at=T0,
    merchant: str | None = None,
) -> dict:
    payload = {"ticket_id": ticket_id, "user_id": "u1", "channel": channel, "text": text}
    if order_id:
        payload["order_id"] = order_id
    if merchant:
        payload["merchant_id"] = merchant
    return event(f"open-{ticket_id}", "ticket.opened", payload, at)


def _closed(ticket_id: str, at, resolution: str = "resolved") -> dict:
    return event(
        f"close-{ticket_id}",
        "ticket.closed",
        {"ticket_id": ticket_id, "resolution": resolution, "satisfaction": 2},
        at,
    )


def test_tickets_reviews_and_comments_make_one_list(store, registry) -> None:
    ingest(
        store,
        registry,
        listing_published("l1", "m1", "连衣裙"),
        _paid("o1"),
        _ticket("t1", "拍下五天了还没发货"),
        _closed("t1", T0 + timedelta(hours=50), "unresolved"),
        event(
            "rv1",
            "review.posted",
            {
                "review_id": "r1",
                "order_id": "o1",
                "buyer_id": "u1",
                "merchant_id": "m1",
                "listing_id": "l1",
                "rating": 1,
                "text": "假货，防伪码查不到",
            },
        ),
        event(
            "rv3",
            "review.posted",
            {
                "review_id": "r3",
                "order_id": "o-never-paid-here",
                "buyer_id": "u3",
                "merchant_id": "m1",
                "listing_id": "l1",
                "rating": 2,
                "text": "质量太差",
            },
        ),
        event(
            "rv2",
            "review.posted",
            {
                "review_id": "r2",
                "order_id": "o1",
                "buyer_id": "u1",
                "merchant_id": "m1",
                "listing_id": "l1",
                "rating": 5,
                "text": "很好",
            },
        ),
        event(
            "sv1",
            "survey.answered",
            {
                "survey_id": "s1",
                "user_id": "u2",
                "score": 3,
                "comment": "客服态度太差",
                "merchant_id": "m2",
            },
        ),
        event(
            "sv2",
            "survey.answered",
            {"survey_id": "s2", "user_id": "u2", "score": 9, "comment": "不错"},
        ),
    )
    with store.reading() as session:
        rows = {row.id: row for row in session.scalars(select(TicketRow))}
    assert set(rows) == {"t1", "review:r1", "review:r3", "survey:s1"}
    ticket = rows["t1"]
    assert (ticket.problem, ticket.process) == ("late_shipment", "fulfilment")
    assert (ticket.merchant_id, ticket.listing_id, ticket.category) == ("m1", "l1", "apparel")
    assert (ticket.streamer_id, ticket.session_id) == ("st1", "s1")
    assert ticket.state == "closed" and ticket.resolution == "unresolved"
    assert ticket.satisfaction == 2
    assert ticket.due_at == T0 + timedelta(hours=48)
    assert ticket.closed_at > ticket.due_at  # breached
    assert rows["review:r1"].problem == "counterfeit" and rows["review:r1"].state == "noted"
    assert rows["review:r1"].category == "apparel"
    assert rows["review:r3"].category == "apparel"  # from its listing: the order is unknown
    assert rows["review:r3"].streamer_id is None
    assert rows["review:r1"].due_at is None
    assert rows["survey:s1"].problem == "rude_service"
    assert rows["survey:s1"].merchant_id == "m2" and rows["survey:s1"].channel == "survey_comment"


def test_overdue_tickets_are_escalated_once_per_level(store, registry) -> None:
    ingest(
        store,
        registry,
        _paid("o1"),
        _ticket("t1", "@官方 曝光 卖假货", channel="social"),
        _ticket("t2", "一直不发货", channel="in_app"),
        _ticket("t3", "快递丢了", channel="hotline"),
        _closed("t3", T0 + timedelta(hours=1)),
    )
    at = T0 + timedelta(hours=13)  # social's 12 h have run out; in_app's 48 h have not
    with store.transaction() as session:
        first = run_ticket_timers(session, at)
    with store.transaction() as session:
        again = run_ticket_timers(session, at)
    assert first.escalated == [("t1", 1)]
    assert again.escalated == []
    later = T0 + timedelta(days=5)
    with store.transaction() as session:
        run = run_ticket_timers(session, later)
    assert sorted(run.escalated) == [("t1", 2), ("t2", 1), ("t2", 2)]
    with store.reading() as session:
        levels = dict(session.execute(select(TicketRow.id, TicketRow.escalation_level)).all())
        assert levels == {"t1": 2, "t2": 2, "t3": 0}
        cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
        assert [(c.queue, c.kind, c.subject_id) for c in cases] == [
            ("voice", "ticket_sla", "t1"),
            ("voice", "ticket_sla", "t2"),
        ]
        assert cases[0].opened_at == T0 + timedelta(hours=12)  # dated when it came due
        assert cases[0].priority == 1  # raised at level 2
        steps = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.case_id == cases[0].id)
        ).all()
        assert steps == ["opened", "escalated"]
        commands = session.scalars(
            select(OutboxRow.dedupe_key).where(OutboxRow.topic == "ticket.escalated")
        ).all()
        assert sorted(commands) == [
            "ticket.escalated:t1:1",
            "ticket.escalated:t1:2",
            "ticket.escalated:t2:1",
            "ticket.escalated:t2:2",
        ]
        assert session.scalar(select(func.count()).select_from(TicketEscalationRow)) == 4


def test_a_level_claimed_by_another_run_is_not_escalated_again(store, registry) -> None:
    ingest(store, registry, _ticket("t1", "一直不发货", channel="social", order_id=None))
    at = T0 + timedelta(hours=13)
    with store.transaction() as session:
        ticket = session.get(TicketRow, "t1")
        assert ticket is not None
        from trustfair.voice.escalation import escalate
        from trustfair.voice.sla import default_sla

        due = T0 + timedelta(hours=12)
        assert escalate(session, ticket, 1, due, at, default_sla())
        # a second runner that read the ticket before the first committed
        assert not escalate(session, ticket, 1, due, at, default_sla())
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 1
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 1


def test_diagnosis_counts_rates_and_what_is_rising(store, registry) -> None:
    events = [listing_published("l1", "m1", "连衣裙")]
    week_ago = T0 - timedelta(days=7)
    for i in range(40):
        events.append(_paid(f"o{i}", merchant="m1" if i < 20 else "m2", at=week_ago))
    # m1: 6 fakes this week, none before; m2: one delivery ticket a week for 5 weeks
    for i in range(6):
        events.append(_ticket(f"f{i}", "买到假货了", order_id=f"o{i}", at=T0 - timedelta(days=1)))
    for week in range(5):
        events.append(
            _ticket(
                f"d{week}",
                "快递丢了",
                order_id=f"o{20 + week}",
                at=T0 - timedelta(days=1 + 7 * week),
            )
        )
    ingest(store, registry, *events)
    with store.reading() as session:
        found = diagnose(session, T0 - timedelta(days=8), T0, min_orders=10, min_voices=1)
    assert found.voices == 6 + 2 and found.orders == 40
    assert found.by_problem == {"counterfeit": 6, "delivery": 2}
    assert found.by_process == {"fulfilment": 2, "product": 6}
    assert found.platform_rate_per_100 == 100 * 8 / 40
    top = found.offenders["merchant"][0]
    assert (top.key, top.voices, top.orders, top.rate_per_100) == ("m1", 6, 20, 30.0)
    assert top.times_platform == 1.5
    rising = [(r.problem, r.merchant_id, r.this_week) for r in found.rising]
    assert ("counterfeit", None, 6) in rising and ("counterfeit", "m1", 6) in rising
    assert all(r[0] != "delivery" for r in rising)  # one a week, as usual


def test_poisson_tail_matches_a_direct_sum() -> None:
    import math

    for mean in (0.5, 2.0, 7.5):
        for count in (0, 1, 3, 10):
            direct = sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count, 80))
            assert abs(poisson_tail(count, mean) - direct) < 1e-9


def test_tickets_export_with_their_sla(store, registry) -> None:
    from trustfair.store.export import export_records

    ingest(
        store,
        registry,
        _ticket("t1", "快递丢了", channel="hotline", order_id=None),
        _closed("t1", T0 + timedelta(hours=30)),
        _ticket("t2", "快递丢了", channel="hotline", order_id=None),
        _closed("t2", T0 + timedelta(hours=3)),
    )
    records = {r["id"]: r for r in export_records(store, "tickets")}
    assert records["t1"]["sla_met"] is False and records["t2"]["sla_met"] is True
    assert records["t1"]["problem"] == "delivery"


def test_the_trust_report_has_a_user_voice_section(store, registry) -> None:
    from trustfair.report.figures import build_report

    ingest(
        store,
        registry,
        _ticket("t1", "快递丢了", channel="hotline", order_id=None),
        _closed("t1", T0 + timedelta(hours=30)),
        _ticket("t2", "快递丢了", channel="hotline", order_id=None),
        _closed("t2", T0 + timedelta(hours=3), "unresolved"),
        _ticket("t3", "一直不发货", channel="social", order_id=None),
    )
    with store.transaction() as session:
        run_ticket_timers(session, T0 + timedelta(days=2))
    report = build_report(store)
    voice = next(s for s in report["sections"] if s["key"] == "voice")
    figures = {f["key"]: f["value"] for f in voice["figures"]}
    assert figures["tickets"] == 3
    assert figures["tickets_closed_within_sla"] == 50.0
    assert figures["tickets_escalated"] == 1 and figures["escalations_level_2"] == 1
    assert figures["tickets_unresolved"] == 1
    breakdowns = {b["key"]: b["rows"] for b in voice["breakdowns"]}
    assert breakdowns["by_channel"] == {"hotline": 2, "social": 1}
    assert breakdowns["by_process"] == {"fulfilment": 3}


def test_the_server_loop_escalates_overdue_tickets(store, registry) -> None:
    import time

    from fastapi.testclient import TestClient

    from trustfair.api.app import create_app
    from trustfair.brand.clock import SettableClock

    ingest(store, registry, _ticket("t1", "@官方 曝光 卖假货", channel="social", order_id=None))
    clock = SettableClock(T0 + timedelta(hours=13))
    app = create_app(store, registry, clock=clock, ticket_timers_seconds=0.05)
    with TestClient(app):
        for _ in range(400):  # the loop's first tick runs at start-up
            with store.reading() as session:
                level = session.get(TicketRow, "t1").escalation_level
            if level:
                break
            time.sleep(0.05)
    assert level == 1


def test_replayed_history_escalates_tickets_closed_late_and_closes_their_case(
    store, registry
) -> None:
    ingest(
        store,
        registry,
        _ticket("late", "快递丢了", channel="hotline", order_id=None),
        _closed("late", T0 + timedelta(hours=50)),  # past 24 h and 48 h
        _ticket("once", "快递丢了", channel="hotline", order_id=None),
        _closed("once", T0 + timedelta(hours=30)),  # past 24 h only
        _ticket("fine", "快递丢了", channel="hotline", order_id=None),
        _closed("fine", T0 + timedelta(hours=3)),
    )
    end = T0 + timedelta(days=10)
    with store.transaction() as session:
        assert run_ticket_timers(session, end).escalated == []  # live: closed is closed
    with store.transaction() as session:
        run = run_ticket_timers(session, end, history=True)
    assert sorted(run.escalated) == [("late", 1), ("late", 2), ("once", 1)]
    with store.transaction() as session:
        assert run_ticket_timers(session, end, history=True).escalated == []
    with store.reading() as session:
        cases = session.scalars(select(CaseRow).order_by(CaseRow.subject_id)).all()
        assert [(c.subject_id, c.state, c.priority) for c in cases] == [
            ("late", "closed", 1),
            ("once", "closed", 2),
        ]
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


def test_a_close_that_arrives_before_its_opening_closes_the_ticket(store, registry) -> None:
    closed_at = T0 + timedelta(hours=1)
    # the close in an earlier batch than the opening
    ingest(
        store, registry, listing_published("l1", "m1", "x"), _paid("o1"), _closed("a", closed_at)
    )
    ingest(store, registry, _ticket("a", "还没发货"))
    # close then open, and open then close, each in one batch
    ingest(store, registry, _closed("b", closed_at), _ticket("b", "还没发货"))
    ingest(store, registry, _ticket("c", "还没发货"), _closed("c", closed_at, "unresolved"))
    with store.reading() as session:
        rows = session.scalars(select(TicketRow).order_by(TicketRow.id)).all()
        assert [(r.id, r.state, r.closed_at, r.resolution, r.satisfaction) for r in rows] == [
            ("a", "closed", closed_at, "resolved", 2),
            ("b", "closed", closed_at, "resolved", 2),
            ("c", "closed", closed_at, "unresolved", 2),
        ]
    with store.transaction() as session:
        assert run_ticket_timers(session, T0 + timedelta(days=10)).escalated == []


def test_the_case_of_a_live_escalation_closes_when_its_ticket_does(store, registry) -> None:
    ingest(
        store,
        registry,
        listing_published("l1", "m1", "x"),
        _paid("o1"),
        _ticket("t1", "还没发货", at=T0),
        _ticket("t2", "还没发货", at=T0),
    )
    with store.transaction() as session:
        run = run_ticket_timers(session, T0 + timedelta(days=10))
        assert sorted(run.escalated) == [("t1", 1), ("t1", 2), ("t2", 1), ("t2", 2)]
        taken = session.scalars(select(CaseRow).where(CaseRow.subject_id == "t2")).one()
        assign(session, taken.id, "cs1", T0 + timedelta(days=10))
    closed_at = T0 + timedelta(days=11)
    ingest(store, registry, _closed("t1", closed_at), _closed("t2", closed_at))
    with store.transaction() as session:
        run = run_ticket_timers(session, T0 + timedelta(days=12))
        assert run.escalated == [] and len(run.closed_cases) == 1
    with store.transaction() as session:
        assert run_ticket_timers(session, T0 + timedelta(days=13)).closed_cases == []
    with store.reading() as session:
        cases = session.scalars(select(CaseRow).order_by(CaseRow.subject_id)).all()
        # the case nobody took closes with the ticket; the one in review is its reviewer's
        assert [(c.subject_id, c.state, c.updated_at) for c in cases] == [
            ("t1", "closed", closed_at),
            ("t2", "in_review", T0 + timedelta(days=10)),
        ]
        steps = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.case_id == cases[0].id)
        ).all()
        assert steps[-1] == "close"
