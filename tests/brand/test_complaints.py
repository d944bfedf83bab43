"""Notice and takedown on both stores, with a clock that is moved rather than waited on."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.brand.builders import (
    EVIDENCE,
    MONDAY,
    commands,
    holder,
    listing,
    notice,
    right,
    standing_of,
    timeline,
)
from trustfair.brand import complaints
from trustfair.brand.clock import SettableClock
from trustfair.brand.complaints import (
    ComplaintConflict,
    ComplaintRefused,
    StepRefused,
    declare,
    file_notice,
    reject,
    run_due_timers,
    show_action,
    withdraw,
)
from trustfair.store.models import (
    ComplaintRow,
    EventRow,
    PointsEntryRow,
    SanctionRow,
)

BRAND, MERCHANT, REVIEWER = "key:brand-b1", "key:merchant-m1", "user:rev"
PROOF = {"kind": "lawsuit", "court": "杭州互联网法院", "reference": "(2026)浙0192民初1号"}


@pytest.fixture
def world(store, registry):  # type: ignore[no-untyped-def]
    holder(store)
    right_id = right(store)
    listing(store, registry)
    return right_id


def filed(store, right_id: int, at=MONDAY, **changes) -> int:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        complaint, created = file_notice(session, notice(right_id, **changes), at, BRAND)
        assert created
        return complaint.id


def state_of(store, complaint_id: int) -> ComplaintRow:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        row = session.get(ComplaintRow, complaint_id)
        assert row is not None
        session.expunge(row)
        return row


def timers(store, at, registry=None):  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        return run_due_timers(session, at, registry=registry)


def test_the_cn_flow_lifts_the_measures_15_days_after_the_declaration_once(
    store, world: int
) -> None:
    clock = SettableClock(MONDAY)
    complaint_id = filed(store, world, at=clock.now())
    row = state_of(store, complaint_id)
    assert (row.state, row.merchant_id, row.measures_at) == ("measures_taken", "m1", MONDAY)
    assert row.due_at == MONDAY + timedelta(days=15)  # the answer window
    [take_down] = commands(store, "listing.take_down")
    assert take_down.payload["subject"] == {"type": "listing", "id": "l1"}
    [forwarded] = commands(store, "complaint.forwarded")
    assert forwarded.payload["to"] == {"type": "merchant", "id": "m1"}
    assert forwarded.payload["evidence"] == [{**EVIDENCE[0], "from": "rights_holder"}]

    clock.advance(timedelta(days=3))
    declared_at = clock.now()
    with store.transaction() as session:
        declare(
            session,
            complaint_id,
            "m1",
            "正品, 有进货发票",
            [{"kind": "invoice"}],
            declared_at,
            MERCHANT,
        )
    row = state_of(store, complaint_id)
    assert row.state == "declared"
    assert row.due_at == declared_at + timedelta(days=15)
    to_holder = [
        c for c in commands(store, "complaint.forwarded") if c.payload["what"] == "declaration"
    ]
    assert to_holder[0].payload["to"]["id"] == "b1"
    assert to_holder[0].payload["evidence"] == [{"kind": "invoice", "from": "merchant"}]

    clock.set(declared_at + timedelta(days=14, hours=23))
    assert timers(store, clock.now()).count == 0
    assert state_of(store, complaint_id).state == "declared"
    assert commands(store, "listing.restore") == []

    clock.set(declared_at + timedelta(days=15))
    assert timers(store, clock.now()).moved == {"restored": [complaint_id]}
    assert timers(store, clock.now()).count == 0  # a second run finds nothing due
    row = state_of(store, complaint_id)
    assert (row.state, row.outcome, row.closed_at) == ("restored", "restored", clock.now())
    assert len(commands(store, "listing.restore")) == 1
    assert timeline(store, complaint_id) == [
        (None, "filed", BRAND),
        ("filed", "measures_taken", complaints.SYSTEM),
        ("measures_taken", "declared", MERCHANT),
        ("declared", "restored", complaints.SYSTEM),
    ]
    assert standing_of(store) == 95  # a notice the merchant answered and the holder left


def test_action_shown_in_time_refers_the_complaint_and_the_measures_stay(store, world: int) -> None:
    complaint_id = filed(store, world)
    declared_at = MONDAY + timedelta(days=1)
    with store.transaction() as session:
        declare(session, complaint_id, "m1", "不侵权", [{"kind": "licence"}], declared_at, MERCHANT)
    with store.transaction() as session:
        show_action(
            session, complaint_id, "b1", PROOF, declared_at + timedelta(days=14, hours=23), BRAND
        )
    assert timers(store, declared_at + timedelta(days=30)).count == 0
    row = state_of(store, complaint_id)
    assert (row.state, row.action_proof) == ("referred", PROOF)
    assert commands(store, "listing.restore") == []
    assert standing_of(store) == 100  # +2, bounded at 100


def test_action_shown_after_the_deadline_is_refused_and_the_listing_restored(
    store, world: int
) -> None:
    complaint_id = filed(store, world)
    with store.transaction() as session:
        declare(session, complaint_id, "m1", "不侵权", [{"kind": "licence"}], MONDAY, MERCHANT)
    late = MONDAY + timedelta(days=15)
    with pytest.raises(StepRefused, match="closed"), store.transaction() as session:
        show_action(session, complaint_id, "b1", PROOF, late, BRAND)
    assert state_of(store, complaint_id).state == "declared"  # nothing half-done
    timers(store, late)
    assert state_of(store, complaint_id).state == "restored"
    refused = pytest.raises(StepRefused, match="restored cannot show_action")
    with refused, store.transaction() as session:
        show_action(session, complaint_id, "b1", PROOF, late, BRAND)


def test_no_answer_upholds_the_notice_and_repeat_infringement_reaches_the_nodes(
    store, registry, world: int
) -> None:
    listing(store, registry, "l2")
    first = filed(store, world)
    second = filed(store, world, at=MONDAY + timedelta(days=2), ref="n2", listing_id="l2")
    timers(store, MONDAY + timedelta(days=15), registry)
    assert state_of(store, first).state == "upheld"
    assert state_of(store, second).state == "measures_taken"
    timers(store, MONDAY + timedelta(days=20), registry)
    timers(store, MONDAY + timedelta(days=20), registry)  # twice: nothing more
    assert state_of(store, second).state == "upheld"
    with store.reading() as session:
        events = session.scalars(
            select(EventRow).where(EventRow.type == "ip_complaint.upheld").order_by(EventRow.seq)
        ).all()
        assert [e.event_id for e in events] == [
            f"ip_complaint:{first}:upheld",
            f"ip_complaint:{second}:upheld",
        ]
        assert events[0].payload["merchant_id"] == "m1"
        points = session.scalars(
            select(PointsEntryRow)
            .where(PointsEntryRow.entity_id == "m1")
            .order_by(PointsEntryRow.id)
        ).all()
        # 6, then 12: the second within the escalation window counts double.
        assert [(p.violation, p.points, p.rule) for p in points] == [
            ("ip_infringement", 6, "brand.notice_upheld"),
            ("ip_infringement", 12, "brand.notice_upheld"),
        ]
        # One offence per listing, whichever way it was found (enforce.authors.SAME_OFFENCE).
        assert points[0].matter == "counterfeit@listing:l1"
        sanctions = session.scalars(
            select(SanctionRow.kind).where(SanctionRow.entity_id == "m1")
        ).all()
        assert "live_suspension" in sanctions  # 18 serious points passed the node at 12
    assert len(commands(store, "listing.restore")) == 0  # upheld: the measures stand


def test_the_dmca_lift_counts_business_days_over_weekends(store, world: int) -> None:
    complaint_id = filed(store, world, jurisdiction="US-DMCA")
    friday = MONDAY + timedelta(days=4, hours=6)
    with store.transaction() as session:
        declare(
            session, complaint_id, "m1", "counter-notice", [{"kind": "licence"}], friday, MERCHANT
        )
    # 10 business days from a Friday: the Friday two weeks on (two weekends skipped).
    due = friday + timedelta(days=14)
    assert state_of(store, complaint_id).due_at == due
    assert timers(store, due - timedelta(minutes=1)).count == 0
    assert timers(store, due).moved == {"restored": [complaint_id]}
    [forwarded] = [
        c for c in commands(store, "complaint.forwarded") if c.payload["what"] == "declaration"
    ]
    # The 14th business day: Thursday of the week after.
    assert forwarded.payload["latest_lift"] == (friday + timedelta(days=20)).isoformat()


def test_malicious_notices_cost_standing_until_a_reviewer_looks_first(
    store, registry, world: int
) -> None:
    for ref in ("m-1", "m-2"):
        complaint_id = filed(store, world, ref=ref)
        with store.transaction() as session:
            reject(session, complaint_id, "恶意投诉: 正品", MONDAY, REVIEWER, malicious=True)
    assert standing_of(store) == 40
    assert len(commands(store, "listing.restore")) == 2  # each lifted again
    with store.transaction() as session:
        held, _ = file_notice(session, notice(world, "n3"), MONDAY, BRAND)
        held_id = held.id
    assert state_of(store, held_id).state == "pending_review"
    assert len(commands(store, "listing.take_down")) == 2  # nothing taken down yet
    assert timers(store, MONDAY + timedelta(days=90)).count == 0  # no timer runs
    with store.transaction() as session:
        complaints.approve_measures(session, held_id, "证据充分", MONDAY, REVIEWER)
    row = state_of(store, held_id)
    assert (row.state, row.due_at) == ("measures_taken", MONDAY + timedelta(days=15))
    assert len(commands(store, "listing.take_down")) == 3
    assert timeline(store, held_id)[1:] == [
        ("filed", "pending_review", complaints.SYSTEM),
        ("pending_review", "measures_taken", REVIEWER),
    ]
    with store.transaction() as session:
        reject(session, held_id, "不成立", MONDAY, REVIEWER)
    assert standing_of(store) == 35


def test_withdrawal_lifts_the_measures(store, world: int) -> None:
    complaint_id = filed(store, world)
    with pytest.raises(LookupError), store.transaction() as session:
        withdraw(session, complaint_id, "b2", "", MONDAY, "key:brand-b2")
    with store.transaction() as session:
        withdraw(session, complaint_id, "b1", "和解", MONDAY, BRAND)
    assert state_of(store, complaint_id).state == "withdrawn"
    assert len(commands(store, "listing.restore")) == 1
    assert standing_of(store) == 100


def test_a_listing_carries_one_standing_notice_at_a_time(store, world: int) -> None:
    first = filed(store, world)
    refused = pytest.raises(ComplaintRefused, match="already under a notice")
    with refused, store.transaction() as session:
        file_notice(session, notice(world, "n2"), MONDAY, BRAND)
    with store.transaction() as session:
        withdraw(session, first, "b1", "和解", MONDAY, BRAND)
    again = filed(store, world, ref="n3", at=MONDAY + timedelta(days=1))
    assert state_of(store, again).state == "measures_taken"


def test_withdrawing_after_the_merchants_declaration_costs_standing_and_ends_at_the_lift(
    store, world: int
) -> None:
    first = filed(store, world)
    with store.transaction() as session:
        complaints.declare(session, first, "m1", "正品", [{"kind": "invoice"}], MONDAY, MERCHANT)
    with store.transaction() as session:
        withdraw(session, first, "b1", "", MONDAY + timedelta(days=1), BRAND)
    assert standing_of(store) == 95  # as if it had been restored
    second = filed(store, world, ref="n2", at=MONDAY + timedelta(days=2))
    with store.transaction() as session:
        complaints.declare(
            session,
            second,
            "m1",
            "正品",
            [{"kind": "invoice"}],
            MONDAY + timedelta(days=2),
            MERCHANT,
        )
    late = MONDAY + timedelta(days=40)
    with pytest.raises(StepRefused, match="window to withdraw"), store.transaction() as s:
        withdraw(s, second, "b1", "", late, BRAND)


def test_a_referred_notice_withdrawn_after_a_settlement_restores_the_listing(
    store, world: int
) -> None:
    complaint_id = filed(store, world)
    proof = {"kind": "lawsuit", "authority": "法院", "reference": "1", "filed_on": "2026-03-02"}
    with store.transaction() as session:
        complaints.declare(
            session, complaint_id, "m1", "正品", [{"kind": "invoice"}], MONDAY, MERCHANT
        )
    future = {**proof, "filed_on": "2026-03-09"}
    with pytest.raises(ComplaintRefused, match="after today"), store.transaction() as session:
        complaints.show_action(session, complaint_id, "b1", future, MONDAY, BRAND)
    with store.transaction() as session:
        complaints.show_action(session, complaint_id, "b1", proof, MONDAY, BRAND)
    assert len(commands(store, "listing.restore")) == 0
    with store.transaction() as session:
        withdraw(session, complaint_id, "b1", "和解", MONDAY + timedelta(days=30), BRAND)
    assert state_of(store, complaint_id).state == "withdrawn"
    assert len(commands(store, "listing.restore")) == 1


def test_bad_notices_are_refused_with_the_reason_and_nothing_is_stored(
    store, registry, world: int
) -> None:
    holder(store, "h2", "b2")
    other_brand = right(store, "h2", "b2", "TM-2")
    holder(store, "h3", "b1", state="applied")
    expired = right(store, "h1", "b1", "TM-3", valid_until=MONDAY - timedelta(days=1))
    cases = [
        (notice(world, listing_id="l-unknown"), "listing 'l-unknown' is not known"),
        (notice(world, evidence=[]), "at least one item"),
        (notice(world, brand_id="b2"), "not brand 'b2'"),
        (notice(other_brand, brand_id="b1"), "not one of 'h1'"),
        (notice(other_brand, brand_id="b1", holder_id="h2"), "not brand 'b1'"),
        (notice(world, holder_id="h3"), "applied, not certified"),
        (notice(expired), "expired"),
        (notice(world, jurisdiction="XX"), "unknown jurisdiction 'XX'"),
    ]
    for bad, reason in cases:
        with pytest.raises(ComplaintRefused, match=reason), store.transaction() as session:
            file_notice(session, bad, MONDAY, BRAND)
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(ComplaintRow)) == 0
    assert commands(store) == []

    complaint_id = filed(store, world)
    with store.transaction() as session:
        again, created = file_notice(session, notice(world), MONDAY, BRAND)
        assert (again.id, created) == (complaint_id, False)
    with pytest.raises(ComplaintConflict, match="another notice"), store.transaction() as session:
        file_notice(session, notice(world, listing_id="l2"), MONDAY, BRAND)
    with pytest.raises(ComplaintRefused, match="not merchant 'm2'"), store.transaction() as session:
        declare(session, complaint_id, "m2", "不侵权", [{"kind": "x"}], MONDAY, "key:m2")
    with pytest.raises(ComplaintRefused, match="evidence"), store.transaction() as session:
        declare(session, complaint_id, "m1", "不侵权", [], MONDAY, MERCHANT)
    with pytest.raises(StepRefused, match="answer window"), store.transaction() as session:
        declare(
            session,
            complaint_id,
            "m1",
            "不侵权",
            [{"kind": "x"}],
            MONDAY + timedelta(days=15),
            MERCHANT,
        )
    assert state_of(store, complaint_id).state == "measures_taken"  # the accepted one kept
    assert len(commands(store, "listing.take_down")) == 1


def test_timers_run_from_two_processes_at_once_fire_once(store, registry, world: int) -> None:
    for i in range(1, 5):
        listing(store, registry, f"l-{i}")
    ids = [filed(store, world, ref="n0")]
    ids += [filed(store, world, ref=f"n{i}", listing_id=f"l-{i}") for i in range(1, 5)]
    at = MONDAY + timedelta(days=15)
    barrier = threading.Barrier(2)
    runs: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            runs.append(timers(store, at).count)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(runs)[-1] + sorted(runs)[0] == 5
    for complaint_id in ids:
        assert [t for _, t, _ in timeline(store, complaint_id)].count("upheld") == 1
    with store.reading() as session:
        count = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.type == "ip_complaint.upheld")
        )
    assert count == 5
