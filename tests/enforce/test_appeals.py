"""An appeal reopens a sanction as a case; an overturn reverses points and lifts it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.enforce.conftest import at, identity, listing_published, merchant_registered
from tests.enforce.test_points import run
from trustfair.enforce.appeals import AppealRefused, decide_appeal, file_appeal
from trustfair.store.models import CaseEventRow, CaseRow, OutboxRow, PointsEntryRow, SanctionRow


def suspended_m1(store, registry):  # type: ignore[no-untyped-def]
    run(
        store,
        registry,
        merchant_registered("r1", "m1", identity(1)),
        merchant_registered("r2", "m2", identity(2, phone=identity(1)["phone"])),
        listing_published("e1", "l1", "m1", "[[medical_claim]]", at(minutes=1)),
        listing_published("e2", "l2", "m1", "[[medical_claim]]", at(days=1)),  # 6 + 12
    )
    with store.reading() as session:
        return session.scalars(
            select(SanctionRow.id).where(
                SanctionRow.entity_id == "m1", SanctionRow.kind == "live_suspension"
            )
        ).one()


def test_an_overturn_reverses_the_points_and_lifts_the_sanction_and_its_copies(
    store, registry
) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        case_id = file_appeal(session, sanction_id, "merchant:m1", "说明书写的是辅助", at(days=2))
    with store.transaction() as session:
        outcome = decide_appeal(session, case_id, "reviewer:li", "overturn", "词语误判", at(days=3))
    with store.reading() as session:
        entries = session.scalars(select(PointsEntryRow).order_by(PointsEntryRow.id)).all()
        sanctions = session.scalars(select(SanctionRow).order_by(SanctionRow.id)).all()
        case = session.get(CaseRow, case_id)
        steps = session.scalars(
            select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
        ).all()
        lifted_commands = session.scalars(
            select(OutboxRow).where(OutboxRow.topic == "sanction.lifted")
        ).all()
    # The ledger keeps both: the award of 12 and its reversal.
    assert [(e.points, e.reverses_id) for e in entries] == [(6, None), (12, None), (-12, 2)]
    assert len(outcome.reversed_entries) == 1
    # m1's suspension and freeze (the node is no longer reached) and m2's shared copy.
    assert {(s.entity_id, s.kind, s.state) for s in sanctions} == {
        ("m1", "live_suspension", "lifted"),
        ("m1", "settlement_freeze", "lifted"),
        ("m2", "live_suspension", "lifted"),
    }
    assert all("overturned on appeal" in s.lifted_reason for s in sanctions)
    assert case.state == "decided"
    assert steps == ["opened", "assign", "decide"]
    assert len(lifted_commands) == 3


def test_an_upheld_appeal_changes_nothing_but_the_case(store, registry) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        case_id = file_appeal(session, sanction_id, "merchant:m1", "不服", at(days=2))
        decide_appeal(session, case_id, "reviewer:li", "uphold", "证据充分", at(days=3))
    with store.reading() as session:
        assert session.scalars(select(PointsEntryRow.points)).all() == [6, 12]
        assert set(session.scalars(select(SanctionRow.state))) == {"active"}


def test_appeals_that_cannot_be_taken_say_why(store, registry) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        with pytest.raises(AppealRefused, match=r"appeal period .* ended"):
            file_appeal(session, sanction_id, "merchant:m1", "late", at(days=30))
        with pytest.raises(AppealRefused, match="no sanction 999"):
            file_appeal(session, 999, "merchant:m1", "?", at(days=2))
        shared = session.scalars(
            select(SanctionRow.id).where(SanctionRow.entity_id == "m2")
        ).first()
        with pytest.raises(AppealRefused, match="shared from sanction"):
            file_appeal(session, shared, "merchant:m2", "not me", at(days=2))
        case_id = file_appeal(session, sanction_id, "merchant:m1", "first", at(days=2))
        with pytest.raises(AppealRefused, match="already under appeal"):
            file_appeal(session, sanction_id, "merchant:m1", "second", at(days=2))
        decide_appeal(session, case_id, "reviewer:li", "uphold", "", at(days=3))
        with pytest.raises(AppealRefused, match="decided already"):
            decide_appeal(session, case_id, "reviewer:li", "overturn", "", at(days=4))


def test_overturning_a_suspension_lifts_the_evasion_ban_that_stood_on_it(store, registry) -> None:
    run(
        store,
        registry,
        merchant_registered("r1", "m1", identity(1)),
        listing_published("e1", "l1", "m1", "[[spam_porn]]", at(minutes=1)),  # suspended
        merchant_registered("r2", "m2", identity(2, id_number=identity(1)["id_number"]), at(1)),
    )
    with store.reading() as session:
        suspension = session.scalars(
            select(SanctionRow.id).where(
                SanctionRow.entity_id == "m1", SanctionRow.kind == "live_suspension"
            )
        ).one()
        banned = {r.entity_id for r in session.scalars(select(SanctionRow)) if r.kind == "ban"}
    assert banned == {"m1", "m2"}  # evasion: m2's own ban, shared back to m1
    with store.transaction() as session:
        case_id = file_appeal(session, suspension, "merchant:m1", "误判", at(days=2))
        decide_appeal(session, case_id, "reviewer:li", "overturn", "不是色情", at(days=3))
    with store.reading() as session:
        standing = {
            (r.entity_id, r.kind)
            for r in session.scalars(select(SanctionRow).where(SanctionRow.state == "active"))
        }
    assert standing == set()
