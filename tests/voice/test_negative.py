"""Negative-experience rates against a direct count of the signals the test wrote, the
peers and the band, and the enforcement event written once per entity and week."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.factories import ingest
from tests.voice.builders import day, feedback, listing, live_started, paid, report, review
from trustfair.events.payload import EntityRef
from trustfair.store.export import export_records
from trustfair.store.models import CaseRow, EventRow, NegativeBandRow
from trustfair.voice.negative import (
    bands,
    judge_negative_feedback,
    negative_rate,
    over_band,
    over_band_event_id,
    wilson_low,
)

SINCE, UNTIL = day(1), day(8)
APPAREL = ["m1", "m2", "m3", "m4", "m5", "m6"]


def world() -> list[dict]:
    events = [listing(f"l-{m}", m, "apparel") for m in APPAREL]
    events += [listing("l-m7", "m7", "cosmetics"), live_started("s1", "st1", "m1", day(1))]
    for m in APPAREL:
        for i in range(20):
            live = {"session": "s1", "streamer": "st1"} if m == "m1" and i < 4 else {}
            events.append(paid(f"o-{m}-{i}", f"b-{m}-{i}", m, f"l-{m}", day(2), **live))
    for i in range(3):
        events.append(paid(f"o-m7-{i}", f"b-m7-{i}", "m7", "l-m7", day(2)))
    # An order outside the window, and a signal outside it: neither counts.
    events.append(paid("o-old", "b-old", "m1", "l-m1", day(0)))
    events.append(feedback("u-old", "dislike", "listing", "l-m1", day(0.5)))
    # m1: ten users dislike its listing …
    for u in range(1, 11):
        events.append(feedback(f"u{u}", "dislike", "listing", "l-m1", day(3)))
    # … u1 reports it twice (a report and the feedback button): one report …
    events.append(report("u1", "listing", "l-m1", day(3)))
    events.append(feedback("u1", "report", "listing", "l-m1", day(4)))
    # … a bad review posted (on an order from st1's session) and flagged: one …
    events.append(review("o-m1-0", "b-m1-0", "m1", "l-m1", 1, day(4)))
    events.append(feedback("b-m1-0", "bad_review", "merchant", "m1", day(5)))
    # … a good review is not negative; a viewer not interested in st1's session.
    events.append(review("o-m1-5", "b-m1-5", "m1", "l-m1", 4, day(4)))
    events.append(feedback("u12", "not_interested", "live_session", "s1", day(3)))
    # Each other apparel merchant: one dislike. m7 (alone in cosmetics): three.
    for m in APPAREL[1:]:
        events.append(feedback(f"u-{m}", "dislike", "merchant", m, day(3)))
    for u in range(3):
        events.append(feedback(f"u7-{u}", "dislike", "listing", "l-m7", day(3)))
    return events


def test_rates_match_a_direct_count(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        m1 = negative_rate(session, EntityRef("merchant", "m1"), SINCE, UNTIL)
        m2 = negative_rate(session, EntityRef("merchant", "m2"), SINCE, UNTIL)
        st1 = negative_rate(session, EntityRef("streamer", "st1"), SINCE, UNTIL)
        listing_rate = negative_rate(session, EntityRef("listing", "l-m1"), SINCE, UNTIL)
    # m1: 10 dislikes + 1 report + 1 bad review + the session's not-interested = 13.
    assert (m1.negatives, m1.exposures, m1.rate) == (13, 20, 13 / 20)
    assert (m2.negatives, m2.exposures) == (1, 20)
    # st1: its session's not-interested and the bad review of an order from it; 4 orders.
    assert (st1.negatives, st1.exposures, st1.rate) == (2, 4, 0.5)
    assert (listing_rate.negatives, listing_rate.rate) == (0, None)


def test_peers_and_the_band(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        found = {b.entity.id: b for b in bands(session, "merchant", SINCE, UNTIL)}
        single = over_band(session, EntityRef("merchant", "m1"), UNTIL)
    m1, m2, m7 = found["m1"], found["m2"], found["m7"]
    # m1's peers: m2..m6 at 1/20 each.
    assert (m1.peer_group, m1.peer_median, m1.peer_p90) == ("category.apparel", 0.05, 0.05)
    assert m1.wilson_low == wilson_low(13, 20) and m1.over
    assert single == m1
    # m2's peers include m1: median of [0.65, .05 ×4] is .05, p90 (5th of 5) is .65.
    assert (m2.peer_median, m2.peer_p90, m2.over) == (0.05, 0.65, False)
    # m7 is alone in cosmetics: judged against all merchants; 3 of 3 orders, but
    # fewer than 5 negatives.
    assert (m7.peer_group, m7.rate.rate, m7.over) == ("merchants", 1.0, False)


def test_wilson_lower_bound_matches_the_formula() -> None:
    z, n, p = 1.959964, 20, 13 / 20
    expected = (p + z * z / (2 * n) - z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5)) / (
        1 + z * z / n
    )
    assert abs(wilson_low(13, 20) - expected) < 1e-12
    assert wilson_low(0, 0) is None and wilson_low(30, 20) == wilson_low(20, 20)


def test_an_entity_over_the_band_feeds_enforcement_once_a_week(store, registry) -> None:
    ingest(store, registry, *world())
    with store.transaction() as session:
        first = judge_negative_feedback(session, UNTIL, registry)
    with store.transaction() as session:
        second = judge_negative_feedback(session, UNTIL + (day(0.5) - day(0)), registry)
    assert [e.id for e in first.over_band] == ["m1"] and len(first.appended) == 1
    assert [e.id for e in second.over_band] == ["m1"] and second.appended == []
    with store.reading() as session:
        events = session.scalar(select(func.count()).where(EventRow.type == "feedback.over_band"))
        cases = session.scalars(select(CaseRow).where(CaseRow.queue == "voice")).all()
        row = session.scalar(select(NegativeBandRow).where(NegativeBandRow.entity_id == "m1"))
    assert events == 1
    assert [(c.kind, c.subject_type, c.subject_id) for c in cases] == [
        ("negative_feedback_review", "merchant", "m1")
    ]
    assert row.over_band and row.event_id == first.appended[0]
    assert (row.negatives, row.exposures) == (13, 20)
    exported = {
        (r["entity_type"], r["entity_id"]): r for r in export_records(store, "negative_feedback")
    }
    assert exported["merchant", "m1"]["over_band"] and exported["merchant", "m1"]["negatives"] == 13
    assert not exported["merchant", "m2"]["over_band"]


def test_the_routine_lists_and_judges_and_is_safe_to_repeat(store, registry) -> None:
    from trustfair.voice.routine import listen

    ingest(store, registry, *world())
    first = listen(store, registry, UNTIL, weeks=2)
    again = listen(store, registry, UNTIL, weeks=2)
    # The week before UNTIL holds every order; the one before it none.
    assert (first.over_band, first.appended) == ([0, 1], 1)
    assert (again.over_band, again.appended) == ([0, 1], 0)
    assert (first.listed, again.listed) == (0, 0)  # nobody here met two bad experiences
    # By default every week since the log's first event (day 0 to day 8: two weeks).
    assert listen(store, registry).over_band == [0, 1]


def test_a_long_merchant_id_and_category_are_fitted_not_refused(store, registry) -> None:
    long_id, long_category = "m" * 120, "c" * 64
    text = (
        json.dumps(world())
        .replace('"m1"', json.dumps(long_id))
        .replace('"apparel"', json.dumps(long_category))
    )
    ingest(store, registry, *json.loads(text))
    with store.transaction() as session:
        judged = judge_negative_feedback(session, UNTIL, registry)
    assert [e.id for e in judged.over_band] == [long_id] and len(judged.appended) == 1
    [event_id] = judged.appended
    assert len(event_id) <= 128 and event_id.startswith("feedback.over_band:merchant:mmm")
    with store.reading() as session:
        row = session.scalar(select(NegativeBandRow).where(NegativeBandRow.entity_id == long_id))
        peers = session.scalar(select(NegativeBandRow).where(NegativeBandRow.entity_id == "m2"))
        payload = session.scalar(select(EventRow.payload).where(EventRow.event_id == event_id))
    assert row.event_id == event_id and payload["entity_id"] == long_id
    assert len(row.peer_group) <= 64 and row.peer_group.startswith("category.ccc")
    assert peers.peer_group == row.peer_group == payload["peer_group"]
    # Short ones stay as they are.
    assert over_band_event_id("merchant", "m1", "2026-W10") == (
        "feedback.over_band:merchant:m1:2026-W10"
    )
