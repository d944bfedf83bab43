"""A decision read back with its party, evidence and what it caused, as far as the
reader may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.enforce.test_appeals import suspended_m1
from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.events.payload import EntityRef
from trustfair.read.decisions import DecisionNotFound, decision_detail
from trustfair.store.models import SanctionRow


def principal(role: Role, *owns: EntityRef) -> Principal:
    return Principal("user", role.value, role, PERMISSIONS[role], frozenset(owns))


def test_a_merchant_sees_what_its_decision_caused_on_its_own_account_only(store, registry) -> None:
    sanction_id = suspended_m1(store, registry)
    with store.reading() as session:
        decision_id = session.get(SanctionRow, sanction_id).decision_id
        staff = decision_detail(session, decision_id, principal(Role.AUDITOR))
        m1 = decision_detail(
            session, decision_id, principal(Role.MERCHANT, EntityRef("merchant", "m1"))
        )
        with pytest.raises(DecisionNotFound, match="no decision 999"):
            decision_detail(session, 999, principal(Role.AUDITOR))
        shared = session.scalars(
            select(SanctionRow.entity_id).where(SanctionRow.shared_from_id == sanction_id)
        ).all()
    # m2 shares m1's phone: the suspension was copied to it under the same decision.
    assert shared == ["m2"]
    assert staff.party == m1.party == EntityRef("merchant", "m1")
    assert {s.entity_id for s in staff.sanctions} == {"m1", "m2"}
    assert {s.entity_id for s in m1.sanctions} == {"m1"}
    assert [e.points for e in m1.points] == [12]
    [text] = [t for t in m1.texts if t["field"] == "description"]
    [span] = text["spans"]
    assert text["text"][span["start"] : span["end"]] == "[[medical_claim]]"
