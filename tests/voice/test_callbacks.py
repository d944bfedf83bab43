"""The call-back list: experiences deduplicated per incident, users with two within 30
days listed with their reasons, calls and resolution, listing again, and the eval."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.factories import ingest
from tests.voice.builders import (
    day,
    delivered,
    listing,
    paid,
    refund_refused,
    refunded,
    shipped,
    survey,
    ticket,
    ticket_closed,
)
from trustfair.store.export import export_records
from trustfair.store.models import CallbackCallRow, CallbackRow
from trustfair.voice.callback_states import CallbackConflict, CallbackRefused
from trustfair.voice.callbacks import log_call, refresh_callbacks, resolve
from trustfair.voice.evaluation import evaluate_callbacks, truth_hurt_users
from trustfair.voice.experiences import user_experiences
from trustfair.voice.problems import Problem


def by_prefix(text: str) -> Problem:
    """A stand-in classifier: the tests' ticket texts start with the problem they are
    about (the real classifier is measured by its own eval, not here)."""
    head = text.split(":", 1)[0]
    return Problem(head) if head in set(Problem) else Problem.OTHER


def world() -> list[dict]:
    return [
        listing("l1", "m1"),
        # u1: shipped a day after its deadline, then a ticket closed unresolved.
        paid("o1", "u1", "m1", "l1", day(0)),
        shipped("o1", "m1", day(3)),
        ticket("tk1", "u1", "other: 怎么开发票", day(5), "o1"),
        ticket_closed("tk1", "unresolved", day(8)),
        # u2: one refusal, told twice (the event and a ticket): one experience.
        paid("o2", "u2", "m1", "l1", day(0)),
        shipped("o2", "m1", day(1)),
        refund_refused("o2", "u2", "m1", day(5)),
        ticket("tk2", "u2", "refund_refused: 商家拒绝退货", day(6), "o2"),
        # u3: never shipped (refunded), then rude service 38 days later: not together.
        paid("o3", "u3", "m1", "l1", day(0)),
        refunded("o3", "u3", "m1", "not_shipped", day(4)),
        ticket("tk3", "u3", "rude_service: 客服挂电话", day(40)),
        # u4: a counterfeit said by a ticket (dated at delivery), then rude service.
        paid("o4", "u4", "m1", "l1", day(0)),
        shipped("o4", "m1", day(1)),
        delivered("o4", "u4", day(4)),
        ticket("tk4a", "u4", "counterfeit: 防伪码查不到", day(6), "o4"),
        ticket("tk4b", "u4", "rude_service: 客服不理人", day(10)),
        # u5: shipped on time, ticket resolved: nothing bad.
        paid("o5", "u5", "m1", "l1", day(0)),
        shipped("o5", "m1", day(1)),
        ticket("tk5", "u5", "other: 改地址", day(2)),
        ticket_closed("tk5", "resolved", day(3)),
        # u6: two tickets closed unresolved.
        ticket("tk6a", "u6", "other: 优惠券", day(1)),
        ticket_closed("tk6a", "unresolved", day(2)),
        ticket("tk6b", "u6", "other: 发票", day(3)),
        ticket_closed("tk6b", "unresolved", day(4)),
    ]


def test_experiences_are_one_per_incident(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        found = user_experiences(session, day(60), by_prefix)
    keys = {user: [(e.kind.value, e.at) for e in es] for user, es in found.items()}
    assert keys["u1"] == [("late_shipment", day(2)), ("unresolved_ticket", day(8))]
    assert keys["u2"] == [("refund_refused", day(5))]
    assert keys["u3"] == [("late_shipment", day(2)), ("rude_service", day(40))]
    assert keys["u4"] == [("counterfeit", day(4)), ("rude_service", day(10))]
    assert "u5" not in keys
    assert keys["u6"] == [("unresolved_ticket", day(2)), ("unresolved_ticket", day(4))]


def test_a_survey_comment_routed_as_a_ticket_is_one_experience(store, registry) -> None:
    words = "rude_service: 客服态度很差，直接挂电话"
    ingest(
        store,
        registry,
        survey("ux", 1, day(1), words),
        ticket("tkx", "ux", words, day(1), channel="survey_comment"),
    )
    with store.reading() as session:
        found = user_experiences(session, day(2), by_prefix)
    assert [e.key for e in found["ux"]] == ["rude_service:ticket:tkx"]


def _of_merchant(ticket_event: dict, merchant: str) -> dict:
    ticket_event["payload"]["merchant_id"] = merchant
    return ticket_event


def test_an_orderless_ticket_is_the_experience_of_the_order_it_speaks_of(store, registry) -> None:
    ingest(
        store,
        registry,
        listing("l1", "m1"),
        listing("l2", "m2"),
        # ua: a refusal told by its event and by a ticket naming no order: once.
        paid("oa", "ua", "m1", "l1", day(0)),
        paid("oa2", "ua", "m1", "l1", day(3)),  # paid later, but nothing refused on it
        refund_refused("oa", "ua", "m1", day(5)),
        ticket("tka", "ua", "refund_refused: 商家拒绝退货", day(6), channel="hotline"),
        # ub: a counterfeit ticket naming no order: its latest order of that merchant.
        paid("ob1", "ub", "m1", "l1", day(0)),
        paid("ob2", "ub", "m2", "l2", day(2)),
        paid("ob3", "ub", "m1", "l1", day(40)),  # after the ticket
        _of_merchant(ticket("tkb", "ub", "counterfeit: 假货", day(10)), "m1"),
        # uc: the refusal event long before the ticket, no order paid within 30 days:
        # the ticket stays its own experience.
        paid("oc", "uc", "m1", "l1", day(0)),
        refund_refused("oc", "uc", "m1", day(2)),
        ticket("tkc", "uc", "refund_refused: 商家拒绝退货", day(40)),
    )
    with store.reading() as session:
        found = user_experiences(session, day(60), by_prefix)
    assert [(e.key, e.at) for e in found["ua"]] == [("refund_refused:order:oa", day(5))]
    assert [e.key for e in found["ub"]] == ["counterfeit:order:ob1"]
    assert found["ub"][0].evidence["attached_to_order"] == "ob1"
    assert [e.key for e in found["uc"]] == [
        "refund_refused:order:oc",
        "refund_refused:ticket:tkc",
    ]
    with store.transaction() as session:
        refresh_callbacks(session, day(60), classify=by_prefix)
        assert session.scalars(select(CallbackRow)).all() == []


def test_users_with_two_experiences_within_30_days_are_listed_once(store, registry) -> None:
    ingest(store, registry, *world())
    with store.transaction() as session:
        first = refresh_callbacks(session, day(60), classify=by_prefix)
    with store.transaction() as session:
        again = refresh_callbacks(session, day(60), classify=by_prefix)
    assert len(first.listed) == 3 and again.listed == [] and again.grown == []
    with store.reading() as session:
        entries = {e.user_id: e for e in session.scalars(select(CallbackRow))}
    assert sorted(entries) == ["u1", "u4", "u6"]
    u1 = entries["u1"]
    assert u1.state == "listed" and u1.hurt_at == day(8)
    assert [r["kind"] for r in u1.reasons] == ["late_shipment", "unresolved_ticket"]
    assert u1.reasons[0]["order_id"] == "o1" and u1.reasons[1]["ticket_id"] == "tk1"
    assert datetime.fromisoformat(u1.reasons[0]["evidence"]["shipped_at"]) == day(3)
    exported = {r["user_id"]: r for r in export_records(store, "callbacks")}
    assert sorted(exported) == ["u1", "u4", "u6"] and exported["u1"]["reasons"] == u1.reasons


def test_a_call_and_a_resolution_take_a_user_off_and_new_hurt_lists_them_again(
    store, registry
) -> None:
    ingest(store, registry, *world())
    with store.transaction() as session:
        refresh_callbacks(session, day(10), classify=by_prefix)
        entry = session.scalar(select(CallbackRow).where(CallbackRow.user_id == "u6"))
        with pytest.raises(CallbackConflict):
            resolve(session, entry.id, "", "user:cs", day(11))
        log_call(session, entry.id, "no_answer", "", "user:cs", day(11))
        assert entry.state == "listed"
        with pytest.raises(CallbackRefused):
            log_call(session, entry.id, "shouted", "", "user:cs", day(11))
        log_call(session, entry.id, "reached", "apologised, coupon", "user:cs", day(12))
        resolve(session, entry.id, "coupon sent", "user:cs", day(12))
        with pytest.raises(CallbackConflict):
            log_call(session, entry.id, "reached", "", "user:cs", day(13))
        first_id = entry.id
    # Resolved, and nothing new: stays off the list.
    with store.transaction() as session:
        assert refresh_callbacks(session, day(13), classify=by_prefix).listed == []
    # One new experience beside the resolved ones is not a new hurt: still off.
    ingest(
        store,
        registry,
        ticket("tk6c", "u6", "other: 还是没解决", day(20)),
        ticket_closed("tk6c", "unresolved", day(21)),
    )
    with store.transaction() as session:
        assert refresh_callbacks(session, day(22), classify=by_prefix).listed == []
    # A second one within the window: listed again, for the new experiences only.
    ingest(store, registry, ticket("tk6d", "u6", "rude_service: 挂电话", day(23)))
    with store.transaction() as session:
        run = refresh_callbacks(session, day(24), classify=by_prefix)
        entries = session.scalars(
            select(CallbackRow).where(CallbackRow.user_id == "u6").order_by(CallbackRow.id)
        ).all()
        calls = session.scalars(select(CallbackCallRow)).all()
    assert [e.state for e in entries] == ["resolved", "listed"]
    assert entries[0].id == first_id and run.listed == [entries[1].id]
    assert [r["ticket_id"] for r in entries[1].reasons] == ["tk6c", "tk6d"]
    assert entries[1].hurt_at == day(23)
    assert entries[0].called_at == day(12) and entries[0].resolved_by == "user:cs"
    assert [c.outcome for c in calls] == ["no_answer", "reached"]


def test_an_open_entry_takes_the_users_new_experiences(store, registry) -> None:
    ingest(store, registry, *world())
    with store.transaction() as session:
        refresh_callbacks(session, day(10), classify=by_prefix)
    ingest(store, registry, ticket("tk1b", "u1", "rude_service: 挂电话", day(50)))
    with store.transaction() as session:
        run = refresh_callbacks(session, day(51), classify=by_prefix)
        entry = session.scalar(select(CallbackRow).where(CallbackRow.user_id == "u1"))
    assert run.grown == [entry.id] and run.listed == []
    assert [r["kind"] for r in entry.reasons][-1] == "rude_service"


def truth_line(user: str, *experiences: dict) -> str:
    return json.dumps({"kind": "hurt_user", "user_id": user, "experiences": list(experiences)})


def test_the_eval_counts_hurt_users_listed_and_listed_users_hurt(store, registry) -> None:
    ingest(store, registry, *world())
    with store.transaction() as session:
        refresh_callbacks(session, day(60), classify=by_prefix)
    truth = [
        json.dumps({"kind": "ticket", "ticket_id": "tk1", "problem": "other"}),
        truth_line(
            "u1",
            {"kind": "late_shipment", "at": day(2).isoformat(), "order_id": "o1"},
            {"kind": "unresolved_ticket", "at": day(8).isoformat(), "ticket_id": "tk1"},
        ),
        truth_line(
            "u4",
            {"kind": "counterfeit", "at": day(4).isoformat(), "order_id": "o4"},
            {"kind": "refund_refused", "at": day(7).isoformat(), "order_id": "o4"},
        ),
        truth_line(
            "u7",
            {"kind": "late_shipment", "at": day(2).isoformat(), "order_id": "o9"},
            {"kind": "late_shipment", "at": day(3).isoformat(), "order_id": "o10"},
        ),
    ]
    hurt = truth_hurt_users(truth)
    with store.reading() as session:
        result = evaluate_callbacks(session, hurt)
    # Hurt u1, u4, u7; listed u1, u4, u6.
    assert (result["hurt_users"], result["listed_users"], result["listed_and_hurt"]) == (3, 3, 2)
    assert result["recall"] == round(2 / 3, 4) and result["precision"] == round(2 / 3, 4)
    assert result["missed_users"] == ["u7"] and result["spurious_users"] == ["u6"]
    kinds = result["experiences"]
    # Against the listed entries' reasons: u1's both found; u4's counterfeit found and
    # its refused refund missed (no event, no ticket says so), its rude ticket spurious;
    # u7's two missed; u6's two unresolved tickets behind a wrong listing.
    late = kinds["late_shipment"]
    assert (late["truth"], late["found"], late["missed"], late["spurious"]) == (3, 1, 2, 0)
    assert (kinds["refund_refused"]["missed"], kinds["rude_service"]["spurious"]) == (1, 1)
    assert kinds["counterfeit"]["found"] == 1
    assert kinds["unresolved_ticket"]["behind_wrong_listings"] == 2
    assert kinds["unresolved_ticket"]["examples"]["behind_wrong_listings"][0].startswith("u6 ")
    # Against every experience derived from the log, listed or not: u2's refused
    # refund is found though one experience did not list u2.
    u2 = {"u2": {"refund_refused:order:o2", "late_shipment:order:o99"}}
    with store.reading() as session:
        derived = {
            user: {e.key for e in es}
            for user, es in user_experiences(session, day(60), by_prefix).items()
        }
        by_listing = evaluate_callbacks(session, u2)["experiences"]["refund_refused"]
        by_log = evaluate_callbacks(session, u2, derived)["experiences"]["refund_refused"]
    assert (by_listing["found"], by_listing["missed"]) == (0, 1)
    assert (by_log["found"], by_log["missed"]) == (1, 0)


def test_a_bad_truth_line_is_named() -> None:
    with pytest.raises(ValueError, match="line 2"):
        truth_hurt_users(["", '{"kind": "hurt_user", "user_id": "u1"}'])


def test_new_experiences_on_a_called_entry_need_a_call_about_them(store, registry) -> None:
    ingest(
        store,
        registry,
        ticket("t1", "u1", "rude_service: a", day(0)),
        ticket("t2", "u1", "rude_service: b", day(1)),
    )
    with store.transaction() as session:
        refresh_callbacks(session, day(2), classify=by_prefix)
        entry_id = session.scalars(select(CallbackRow)).one().id
        log_call(session, entry_id, "reached", "", "user:cs", day(2))
    ingest(store, registry, ticket("t3", "u1", "rude_service: c", day(3)))
    with store.transaction() as session:
        run = refresh_callbacks(session, day(4), classify=by_prefix)
        entry = session.get(CallbackRow, entry_id)
        assert run.grown == [entry_id] and entry.state == "listed"
        assert [r["ticket_id"] for r in entry.reasons] == ["t1", "t2", "t3"]
        with pytest.raises(CallbackConflict):
            resolve(session, entry_id, "done", "user:cs", day(4))
    with store.transaction() as session:
        assert refresh_callbacks(session, day(4), classify=by_prefix).grown == []
        log_call(session, entry_id, "reached", "about t3 too", "user:cs", day(5))
        resolve(session, entry_id, "done", "user:cs", day(5))
        calls = session.scalars(
            select(CallbackCallRow).where(CallbackCallRow.callback_id == entry_id)
        ).all()
    assert [(c.outcome, c.actor) for c in calls] == [
        ("reached", "user:cs"),
        ("new_reasons", "system:voice"),
        ("reached", "user:cs"),
    ]
    assert "rude_service:ticket:t3" in calls[1].note
